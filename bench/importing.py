"""Import case: ``prospects.importing`` against the floor any import of the same file pays.

The raw side is the work no import can skip, measured in the same run on the same file:

* the minimal per-row crypto: each identifier encrypted (email, phone) and blind-indexed
  (email, phone, LinkedIn URL) with ``prospects.identity``'s batch helpers, the ones the
  import itself uses;
* a COPY of the rows, already normalised, into a temporary table, then five set-based
  statements into companies, prospects, sources and their history, in one transaction:
  no per-line report, no batches, no resumability, no re-check.

The rows are read and normalised (E.164 phones, canonical LinkedIn URLs, lower-cased
emails, audience) *before* the timer starts: that Python work is the product's own
per-row cost, and a baseline that repeated it would hide it. ``raw = crypto + COPY``,
and the suite's ratio is ``ours / (COPY + minimal crypto)``. Both sides must load the
same number of prospects, or the comparison means nothing.
"""

import csv
import json

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench import data
from bench.database import current
from bench.result import Result, timed
from org.accounts import team_of
from prospects import importing, retention
from prospects.audience import classify_email
from prospects.identity import (
    InvalidIdentifier,
    blind_indexes,
    encrypt_many,
    normalise_email,
    normalise_linkedin_url,
    normalise_phone,
)
from prospects.models import Company, Prospect, Source

TARGET = 3
RAW_COLUMNS = (
    "n integer, first_name text, last_name text, job_title text, company text, email text, email_index text, "
    "phone text, phone_index text, linkedin_url text, linkedin_index text, audience text"
)


def run(rows: int) -> Result:
    owner = data.bench_rep()
    path = data.import_file(rows)
    data.wipe_prospects()
    data.suppress_some(rows)
    prepared = list(_prepared(path))  # before any timer: the product's Python work, not the floor's
    final: list[tuple] = []
    crypto_seconds = timed(lambda: final.extend(minimal_crypto(prepared)))
    prepared.clear()
    copy_seconds = timed(lambda: raw_import(final, owner))
    final.clear()
    raw_loaded = Prospect.objects.count()
    data.wipe_prospects()
    jobs = []
    ours_seconds = timed(lambda: jobs.append(ours_import(path, owner)))
    if jobs[0].loaded != raw_loaded:
        raise AssertionError(f"the import loaded {jobs[0].loaded} prospects, the raw pipeline {raw_loaded}")
    return Result(ours_seconds, crypto_seconds + copy_seconds, TARGET)


def ours_import(path, owner):
    job = importing.create_job(
        path=str(path),
        filename=path.name,
        source_type="broker",
        evidence=data.EVIDENCE,
        owner=owner,
        by=owner,
    )
    importing.inspect(job)
    importing.begin(job, mapping=data.MAPPING, language="fr")  # the bench file has no language column
    return importing.run(job)


# --- The raw baseline ---------------------------------------------------------------------


CHUNK = 5000


def minimal_crypto(prepared: list[tuple]):
    """The prepared rows with each identifier encrypted and indexed, a chunk at a time."""
    for start in range(0, len(prepared), CHUNK):
        chunk = prepared[start : start + CHUNK]
        emails = [row[5] for row in chunk]
        phones = [row[6] for row in chunk]
        linkedins = [row[7] for row in chunk]
        yield from (
            (*row[:5], *crypto, row[8])
            for row, crypto in zip(
                chunk,
                zip(
                    encrypt_many(emails),
                    blind_indexes("email", emails),
                    encrypt_many(phones),
                    blind_indexes("phone", phones),
                    linkedins,
                    blind_indexes("linkedin", linkedins),
                    strict=True,
                ),
                strict=True,
            )
        )


def raw_import(rows: list[tuple], owner) -> None:
    """COPY the final rows into a temporary table, then the set-based statements."""
    db = current()
    statements = _statements(owner)
    with db.raw() as raw:
        cursor = raw.cursor()
        cursor.execute(f"CREATE TEMP TABLE raw_rows ({RAW_COLUMNS})")
        if db.vendor == "postgresql":
            with cursor.copy("COPY raw_rows FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO raw_rows VALUES ({', '.join(['?'] * 12)})", rows)
        for statement, params in statements:
            cursor.execute(statement if db.vendor == "postgresql" else statement.replace("%s", "?"), params)
        raw.commit()
        cursor.execute("DROP TABLE raw_rows")


def _prepared(path):
    """(n, first, last, title, company, email, phone, LinkedIn URL, audience), normalised, in clear."""
    region = settings.LOYAL_PHONE_REGION
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        next(reader)
        for n, (first, last, company, title, email, phone, linkedin) in enumerate(reader):
            first, last = first.strip(), last.strip()
            try:
                email = normalise_email(email) if email.strip() else ""
                phone = normalise_phone(phone, region=region) if phone.strip() else ""
                linkedin = normalise_linkedin_url(linkedin) if linkedin.strip() else ""
            except InvalidIdentifier:
                continue
            if not (first and last and (email or phone or linkedin)):
                continue
            audience = classify_email(email) if email else "b2b_nominative"
            yield (n, first, last, title.strip(), company.strip(), email, phone, linkedin, audience)


def _statements(owner) -> list[tuple[str, list]]:
    """The five set-based statements; column lists come from the models, values are parameters."""
    now = timezone.now()
    team = team_of(owner)
    stamp = _db(Prospect, "created_at", now)
    json_type = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    prospect = {
        "first_name": "r.first_name", "last_name": "r.last_name", "job_title": "r.job_title",
        "company_id": "c.id", "email": "r.email", "email_index": "r.email_index", "phone": "r.phone",
        "phone_index": "r.phone_index", "linkedin_url": "r.linkedin_url",
        "linkedin_index": "r.linkedin_index", "audience": "r.audience", "language": "'fr'",
        "owner_id": "%s", "team_id": "%s", "collected_at": "%s", "retention_until": "%s",
        "created_at": "%s", "updated_at": "%s",
    }  # fmt: skip
    until = _db(
        Prospect, "retention_until", retention.deadline(collected_at=now, last_prospect_contact_at=None)
    )
    prospect_params = [owner.pk, team.pk if team else None, stamp, until, stamp, stamp]
    columns, values, defaults = _with_defaults(Prospect, prospect)
    source = {
        "prospect_id": "p.id", "type": "'broker'", "evidence": json_type, "acquired_at": "%s",
        "notice": "'none'", "recorded_by_id": "%s",
    }  # fmt: skip
    source_columns, source_values, source_defaults = _with_defaults(Source, source)
    company = {"name": "min(company)", "domain": "''", "created_at": "%s"}
    company_columns, company_values, company_defaults = _with_defaults(Company, company)
    return [
        (
            f"INSERT INTO prospects_company ({company_columns}) SELECT {company_values} FROM raw_rows "
            "WHERE company <> '' AND upper(company) NOT IN (SELECT upper(name) FROM prospects_company) "
            "GROUP BY upper(company)",
            [stamp, *company_defaults],
        ),
        (
            f"INSERT INTO prospects_prospect ({columns}) SELECT {values} FROM raw_rows r "
            "LEFT JOIN (SELECT upper(name) AS name, min(id) AS id FROM prospects_company "
            "GROUP BY upper(name)) c "
            "ON c.name = upper(r.company) WHERE "
            + " AND ".join(
                "NOT EXISTS (SELECT 1 FROM prospects_suppression x "
                f"WHERE x.channel = 'all' AND x.digest = r.{index})"
                for index in ("email_index", "phone_index", "linkedin_index")
            )
            + " ORDER BY r.n ON CONFLICT DO NOTHING",
            [*prospect_params, *defaults],
        ),
        (
            f"INSERT INTO prospects_source ({source_columns}) SELECT {source_values} "
            "FROM prospects_prospect p WHERE p.created_at = %s",
            [json.dumps(data.EVIDENCE), stamp, owner.pk, *source_defaults, stamp],
        ),
        *(_history(model, owner, stamp, stamp_column) for model, stamp_column in _HISTORY),
    ]


_HISTORY = ((Company, "created_at"), (Prospect, "created_at"), (Source, "acquired_at"))


def _history(model, owner, stamp, stamp_column: str) -> tuple[str, list]:
    history = model.history.model
    own = {field.column for field in model._meta.concrete_fields}
    copied = [f.column for f in history._meta.concrete_fields if f.column in own]
    columns = ", ".join([*copied, "history_date", "history_type", "history_user_id"])
    return (
        f"INSERT INTO {history._meta.db_table} ({columns}) SELECT {', '.join(copied)}, %s, '+', %s "
        f"FROM {model._meta.db_table} WHERE {stamp_column} = %s",
        [stamp, owner.pk, stamp],
    )


def _with_defaults(model, explicit: dict) -> tuple[str, str, list]:
    """Columns and expressions for ``explicit``, then every other non-null column with its default."""
    columns, values, defaults = list(explicit), list(explicit.values()), []
    for field in model._meta.concrete_fields:
        if field.column in explicit or field.primary_key or field.null:
            continue
        columns.append(field.column)
        values.append("%s")
        defaults.append(field.get_db_prep_save(field.get_default(), connection))
    return ", ".join(columns), ", ".join(values), defaults


def _db(model, name: str, value):
    return model._meta.get_field(name).get_db_prep_save(value, connection)
