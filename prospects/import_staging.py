"""The staging table of an import and the set-based SQL that moves its rows into the CRM.

Rows are staged as they are read (COPY on PostgreSQL, a batched executemany on SQLite),
then checked as a whole: the suppression list, prospects already recorded and duplicates
within the file are joins, not per-row queries. Batches of lines are then loaded with
``INSERT ... SELECT`` into companies, prospects, sources and their history tables, each
batch in one transaction that also moves the job's watermark: a run killed half-way
loses at most the batch in flight, and its rerun loads that batch again. The unique
blind indexes with ``ON CONFLICT DO NOTHING`` make a batch that somehow ran twice load
nothing twice.

The same SQL runs on both databases; ``Dialect`` holds the few places where they differ.
"""

# Statements are assembled from table and column names read off the models (never from
# the file); every value travels as a parameter.
# ruff: noqa: S608

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, models
from django.db.models import F
from django.utils import timezone

from prospects.models import Company, ImportJob, ImportRejection, Prospect, Source, Suppression
from prospects.provenance import LINKEDIN_TYPES

Reason = ImportRejection.Reason

STAGING_COLUMNS = (
    "line",
    "first_name",
    "last_name",
    "job_title",
    "company",
    "language",
    "email",
    "email_index",
    "phone",
    "phone_index",
    "linkedin_url",
    "linkedin_index",
    "audience",
    "problem",
    "field",
)
STAGING_DDL = """
    line integer PRIMARY KEY,
    first_name text, last_name text, job_title text, company text, language text,
    email text, email_index text, phone text, phone_index text, linkedin_url text, linkedin_index text,
    audience text, problem text, field text,
    duplicate_of integer, company_id bigint, prospect_id bigint
"""
IDENTIFIERS = (("email_index", "email"), ("phone_index", "phone"), ("linkedin_index", "linkedin_url"))


@dataclass(frozen=True)
class Sql:
    """An SQL expression in an INSERT ... SELECT, as opposed to a value sent as a parameter."""

    text: str
    params: tuple = ()


class Dialect:
    """Where PostgreSQL and SQLite need different SQL for the same step."""

    def __init__(self, vendor: str):
        self.postgres = vendor == "postgresql"

    def create_table(self, table: str) -> str:
        # UNLOGGED: the staging rows can be rebuilt from the file, so skip the WAL.
        kind = "UNLOGGED TABLE" if self.postgres else "TABLE"
        return f"CREATE {kind} IF NOT EXISTS {table} ({STAGING_DDL})"

    def write(self, cursor, table: str, rows: list[tuple]) -> None:
        columns = ", ".join(STAGING_COLUMNS)
        if self.postgres:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(STAGING_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def assign_ids(self, table: str) -> str:
        """SQL giving each loadable row of a line range the id its prospect will have."""
        prospects = Prospect._meta.db_table
        if self.postgres:
            return (
                f"UPDATE {table} SET prospect_id = nextval(pg_get_serial_sequence('{prospects}', 'id')) "
                "WHERE line BETWEEN %s AND %s AND problem IS NULL"
            )
        # SQLite writes one transaction at a time, so nobody takes these ids meanwhile;
        # sqlite_sequence keeps ids of deleted rows from being handed out again.
        base = (
            f"SELECT max(coalesce((SELECT max(id) FROM {prospects}), 0), "
            f"coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{prospects}'), 0))"
        )
        return (
            f"UPDATE {table} SET prospect_id = ({base}) + ranked.n FROM ("
            f"SELECT line, row_number() OVER (ORDER BY line) AS n FROM {table} "
            "WHERE line BETWEEN %s AND %s AND problem IS NULL) AS ranked "
            f"WHERE {table}.line = ranked.line"
        )

    def json_value(self, value: dict) -> Sql:
        return Sql("CAST(%s AS jsonb)" if self.postgres else "%s", (json.dumps(value),))

    def profile_evidence(self, column: str) -> Sql:
        function = "jsonb_build_object" if self.postgres else "json_object"
        return Sql(f"{function}('profile_url', {column})")


class Staging:
    """The staging table of one import job."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.dialect = Dialect(connection.vendor)
        self.table = connection.ops.quote_name(f"prospects_importstaging_{job.pk}")

    # --- Staging -----------------------------------------------------------------------

    def create(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(self.dialect.create_table(self.table))

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def last_staged_line(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(line), 0) FROM {self.table}")
            return cursor.fetchone()[0]

    def write(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            self.dialect.write(cursor, self.table, rows)

    def analyse(self) -> None:
        """Give the planner the staged rows' statistics before the joins (a fresh table has none)."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.table}")

    # --- Checks over the whole file ------------------------------------------------------

    def check(self, *, first: int = 0, last: int | None = None) -> None:
        """Mark the rows that must not be loaded; every line when no range is given.

        Order matters: a row on the suppression list is reported as such even when it
        also repeats an earlier line, and only rows still loadable count as the first
        occurrence of a duplicate.
        """
        last = self.job.last_line if last is None else last
        with connection.cursor() as cursor:
            self._mark(cursor, Reason.OPPOSED, Suppression._meta.db_table, "digest", first, last)
            self._mark(cursor, Reason.ALREADY_RECORDED, Prospect._meta.db_table, None, first, last)

    def mark_duplicates(self) -> None:
        """Rows sharing an email, phone or LinkedIn URL with an earlier loadable row of the file."""
        kinds = " UNION ALL ".join(
            f"SELECT line, min(line) OVER (PARTITION BY {index}) AS first_line, '{field}' AS field "
            f"FROM {self.table} WHERE problem IS NULL AND {index} IS NOT NULL"
            for index, field in IDENTIFIERS
        )
        earliest = (
            "SELECT line, first_line, field FROM ("
            "SELECT line, first_line, field, "
            "row_number() OVER (PARTITION BY line ORDER BY first_line, field) AS n "
            f"FROM ({kinds}) AS occurrences WHERE first_line < line) AS ranked WHERE n = 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} SET problem = %s, field = d.field, duplicate_of = d.first_line "
                f"FROM ({earliest}) AS d WHERE {self.table}.line = d.line",
                [Reason.DUPLICATE_IN_FILE],
            )

    def _mark(self, cursor, reason: str, target: str, column: str | None, first: int, last: int) -> None:
        """Set ``reason`` on loadable rows whose email, phone or LinkedIn index is found in ``target``.

        One join per identifier (each uses the target's index), rather than EXISTS ... OR
        EXISTS, which the planner can only run as a hash of the whole target per batch.
        """
        # The suppression list has one digest column; Art. 21(3): only a global objection
        # keeps a person out of the base, as in intake.py.
        scope, scope_params = (
            ("", []) if column is None else (" AND t.channel = %s", [Suppression.ALL_CHANNELS])
        )
        hits, params = [], []
        for rank, (index, _field) in enumerate(IDENTIFIERS, start=1):
            hits.append(
                f"SELECT s.line, {rank} AS rank FROM {self.table} s "
                f"JOIN {target} t ON t.{column or index} = s.{index}{scope} "
                "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL"
            )
            params += [*scope_params, first, last]
        field = " ".join(
            f"WHEN {rank} THEN '{name}'" for rank, (_index, name) in enumerate(IDENTIFIERS, start=1)
        )
        found = " UNION ALL ".join(hits)
        cursor.execute(
            f"UPDATE {self.table} SET problem = %s, field = CASE m.rank {field} END "
            f"FROM (SELECT line, min(rank) AS rank FROM ({found}) AS hits GROUP BY line) AS m "
            f"WHERE {self.table}.line = m.line",
            [reason, *params],
        )

    # --- Loading one batch ---------------------------------------------------------------

    def load(
        self, *, first: int, last: int, now: datetime, retention_until: date, team_id, notice: str
    ) -> tuple[int, int]:
        """Load lines ``first``..``last``; return (prospects loaded, rows rejected)."""
        job = self.job
        self.check(first=first, last=last)  # objections or prospects recorded since the file was checked
        with connection.cursor() as cursor:
            self._companies(cursor, first, last, now)
            cursor.execute(self.dialect.assign_ids(self.table), [first, last])
            values = {
                "owner_id": job.owner_id,
                "team_id": team_id,
                "collected_at": now,
                "created_at": now,
                "updated_at": now,
                "retention_until": retention_until,
            }
            cursor.execute(*self._insert_prospects(values, first, last))
            loaded = cursor.rowcount
            cursor.execute(*self._insert_history(Prospect, "p", self._loaded_prospects(), now, first, last))
            cursor.execute(*self._insert_sources(now, notice, first, last))
            cursor.execute(*self._insert_history(Source, "src", self._loaded_sources(), now, first, last))
            cursor.execute(*self._insert_rejections(first, last))
            rejected = cursor.rowcount
        return loaded, rejected

    def _companies(self, cursor, first: int, last: int, now: datetime) -> None:
        """Get or create the batch's companies by name, case-insensitively, as intake.py does."""
        company = Company._meta.db_table
        columns, expressions, params = _columns(Company, {"name": Sql("min(s.company)"), "created_at": now})
        cursor.execute(
            f"INSERT INTO {company} ({columns}) SELECT {expressions} FROM {self.table} s "
            "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL AND s.company <> '' "
            f"AND lower(s.company) NOT IN (SELECT lower(name) FROM {company}) GROUP BY lower(s.company)",
            [*params, first, last],
        )
        cursor.execute(
            f"UPDATE {self.table} SET company_id = c.id FROM ("
            f"SELECT lower(name) AS name, min(id) AS id FROM {company} WHERE lower(name) IN ("
            f"SELECT lower(company) FROM {self.table} WHERE line BETWEEN %s AND %s) "
            "GROUP BY lower(name)) AS c "
            f"WHERE lower({self.table}.company) = c.name AND {self.table}.line BETWEEN %s AND %s "
            f"AND {self.table}.problem IS NULL",
            [first, last, first, last],
        )
        history = Company.history.model._meta.db_table
        created = (
            f"FROM {company} c "
            f"WHERE c.id IN (SELECT company_id FROM {self.table} WHERE line BETWEEN %s AND %s) "
            f"AND c.created_at = %s AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = c.id)"
        )
        stamp = Company._meta.get_field("created_at").get_db_prep_save(now, connection)
        cursor.execute(*self._insert_history(Company, "c", (created, [first, last, stamp]), now, None, None))

    def _insert_prospects(self, values: dict, first: int, last: int) -> tuple[str, list]:
        staged = ("first_name", "last_name", "job_title", "language", "audience", "company_id")
        identifiers = ("email", "email_index", "phone", "phone_index", "linkedin_url", "linkedin_index")
        explicit = {
            "id": Sql("s.prospect_id"),
            **{name: Sql(f"s.{name}") for name in (*staged, *identifiers)},
            **values,
        }
        columns, expressions, params = _columns(Prospect, explicit)
        sql = (
            f"INSERT INTO {Prospect._meta.db_table} ({columns}) SELECT {expressions} FROM {self.table} s "
            "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL ON CONFLICT DO NOTHING"
        )
        return sql, [*params, first, last]

    def _loaded_prospects(self) -> tuple[str, list]:
        return (
            f"FROM {self.table} s JOIN {Prospect._meta.db_table} p ON p.id = s.prospect_id "
            "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL",
            [],
        )

    def _insert_sources(self, now: datetime, notice: str, first: int, last: int) -> tuple[str, list]:
        job = self.job
        if job.source_type in LINKEDIN_TYPES:
            evidence = self.dialect.profile_evidence("p.linkedin_url")
        else:
            evidence = self.dialect.json_value(job.evidence)
        explicit = {
            "prospect_id": Sql("p.id"),
            "type": job.source_type,
            "evidence": evidence,
            "acquired_at": now,
            "notice": notice,
            "recorded_by_id": job.created_by_id,
        }
        columns, expressions, params = _columns(Source, explicit)
        where, where_params = self._loaded_prospects()
        sql = f"INSERT INTO {Source._meta.db_table} ({columns}) SELECT {expressions} {where}"
        return sql, [*params, *where_params, first, last]

    def _loaded_sources(self) -> tuple[str, list]:
        return (
            f"FROM {self.table} s JOIN {Source._meta.db_table} src ON src.prospect_id = s.prospect_id "
            "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL",
            [],
        )

    def _insert_history(
        self, model, alias: str, rows: tuple[str, list], now, first, last
    ) -> tuple[str, list]:
        """simple-history "created" rows for the rows just inserted, copied from them in SQL."""
        history = model.history.model
        own = {field.column for field in model._meta.concrete_fields}
        explicit = {
            field.column: Sql(f"{alias}.{field.column}")
            for field in history._meta.concrete_fields
            if field.column in own
        }
        explicit.update(
            history_date=now,
            history_type="+",
            history_user_id=self.job.created_by_id,
            history_change_reason=f"import #{self.job.pk}",
        )
        columns, expressions, params = _columns(history, explicit, skip=("history_id",))
        sql = f"INSERT INTO {history._meta.db_table} ({columns}) SELECT {expressions} {rows[0]}"
        line_range = [] if first is None else [first, last]
        return sql, [*params, *rows[1], *line_range]

    def _insert_rejections(self, first: int, last: int) -> tuple[str, list]:
        """Every rejected line of the batch, and loadable lines that lost a race to another writer."""
        table = ImportRejection._meta.db_table
        prospects = Prospect._meta.db_table
        job = self.job.pk
        sql = (
            f"INSERT INTO {table} (job_id, line, reason, field, duplicate_of) "
            f"SELECT %s, line, problem, coalesce(field, ''), duplicate_of FROM {self.table} "
            "WHERE line BETWEEN %s AND %s AND problem IS NOT NULL "
            f"UNION ALL SELECT %s, s.line, %s, '', NULL FROM {self.table} s "
            "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {prospects} p WHERE p.id = s.prospect_id) "
            "ON CONFLICT DO NOTHING"
        )
        return sql, [job, first, last, job, Reason.ALREADY_RECORDED, first, last]


def _columns(model, explicit: dict, *, skip: tuple[str, ...] = ("id",)) -> tuple[str, str, list]:
    """Column list, SELECT expressions and parameters for an INSERT ... SELECT into ``model``.

    ``explicit`` maps a column to an ``Sql`` expression or to a Python value sent as a
    parameter. Other columns take the field's default, so that a field added to the
    model later needs no change here.
    """
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in skip and field.column not in explicit:
            continue
        columns.append(connection.ops.quote_name(field.column))
        value = explicit.get(field.column, _NO_VALUE)
        if isinstance(value, Sql):
            expressions.append(value.text)
            params.extend(value.params)
        else:
            expressions.append("%s")
            params.append(
                field.get_db_prep_save(_default(field) if value is _NO_VALUE else value, connection)
            )
    return ", ".join(columns), ", ".join(expressions), params


_NO_VALUE = object()


def _default(field: models.Field):
    if field.has_default() or (not field.null and not isinstance(field, models.ForeignKey)):
        return field.get_default()
    return None


def record_progress(job: ImportJob, **changes) -> None:
    """Write counters and progress on the job row (read by the progress bar)."""
    ImportJob.objects.filter(pk=job.pk).update(**changes, heartbeat_at=timezone.now())
    job.refresh_from_db(fields=[*changes, "heartbeat_at"])


def advance(job: ImportJob, *, through: int, loaded: int, rejected: int, progress: int) -> None:
    record_progress(
        job,
        loaded_through=through,
        loaded=F("loaded") + loaded,
        rejected=F("rejected") + rejected,
        progress=progress,
    )
