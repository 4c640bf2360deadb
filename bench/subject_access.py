"""Subject-access case: the Art. 15 ZIP of one person against the same export written by hand.

Issue 7, acceptance 3: the ZIP of a prospect with 1,000 interactions is produced in
under 2 seconds. ``run(rows)`` seeds ``rows`` other prospects with their children (the
purge case's set-based seeder), so that the export runs in a base of that size, and one
person with a note and ``min(rows, 1000)`` interactions. It times
``registry.subject_access.export_subject_data`` (every table found from the model graph,
history, decryption, the Art. 15 information, HTML, JSON, CSV and the ZIP), then the
same export by hand over a raw DB-API connection (a SELECT per known table, decryption,
JSON, CSV, ZIP; no page, no information), and removes what it added.
"""

import csv
import io
import json
import time
import zipfile

from django.contrib.auth import get_user_model
from django.utils import timezone

from bench.purge import BENCH_KEPT_UNTIL, BENCH_TODAY, delete_raw, seed_expired
from bench.result import Result, timed
from org.models import AccessLog
from prospects.identity import decrypt
from prospects.intake import ProspectData, SourceData, create_prospect
from prospects.models import Interaction, InteractionType, Prospect, PurgeRun
from prospects.purge import erase_prospects
from prospects.timeline import add_note
from registry.subject_access import export_subject_data

PERSON_INTERACTIONS = 1000


def run(rows: int = 1000) -> Result:
    """Seconds for our export of one person and for the same export by hand, in a base of ``rows``."""
    owner = get_user_model().objects.create(username=f"bench-sar-{time.monotonic_ns()}", is_active=False)
    prospect = None
    try:
        seed_expired(rows, owner_id=owner.pk, kept_until=BENCH_KEPT_UNTIL)
        prospect = _seed(owner, min(rows, PERSON_INTERACTIONS))
        packages = []
        ours = timed(lambda: packages.append(export_subject_data(prospect, by=owner)))
        if not packages[0].content:
            raise AssertionError("the export produced nothing")
        raw = timed(lambda: _raw_reads(prospect.pk))
    finally:
        _clean_up(prospect.pk if prospect else None, owner)
    return Result(ours_seconds=ours, raw_seconds=raw)


def _seed(owner, rows: int) -> Prospect:
    tag = owner.username
    prospect = create_prospect(
        ProspectData(first_name="Bench", last_name=tag, email=f"{tag}@bench.example", job_title="Buyer"),
        source=SourceData(type="manual", evidence={"description": "bench"}),
        by=owner,
    )
    start = timezone.now() - timezone.timedelta(days=rows)
    Interaction.objects.bulk_create(
        Interaction(
            prospect=prospect,
            type=InteractionType.EMAIL_SENT,
            direction="outbound",
            is_voluntary_prospect_contact=False,
            occurred_at=start + timezone.timedelta(hours=n),
            summary=f"Bench message {n}",
            recorded_by=owner,
        )
        for n in range(rows)
    )
    add_note(prospect, text="Bench note", by=owner)
    return prospect


def _raw_reads(pk: int) -> int:
    """The same export written by hand: one SELECT per table, decryption, JSON, CSV and a ZIP."""
    from bench import database

    tables = [
        ("prospects_prospect", "id"),
        ("prospects_historicalprospect", "id"),
        ("prospects_source", "prospect_id"),
        ("prospects_historicalsource", "prospect_id"),
        ("prospects_interaction", "prospect_id"),
        ("prospects_note", "prospect_id"),
        ("prospects_historicalnote", "prospect_id"),
        ("org_accesslog", "prospect_id"),
    ]
    data = {}
    with database.current().raw() as connection:
        cursor = connection.cursor()
        marker = "?" if database.current().vendor == "sqlite" else "%s"
        for table, column in tables:
            cursor.execute(f"SELECT * FROM {table} WHERE {column} = {marker}", [pk])
            names = [description[0] for description in cursor.description]
            data[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in data["prospects_prospect"] + data["prospects_historicalprospect"]:
        row.update({name: decrypt(row[name]) for name in ("email", "phone") if row[name]})
    out = io.StringIO()
    writer = csv.writer(out)
    for table, rows in data.items():
        writer.writerows(
            [table, number, name, value] for number, row in enumerate(rows) for name, value in row.items()
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, default=str))
        archive.writestr("data.csv", out.getvalue())
    return len(buffer.getvalue())


def _clean_up(pk: int | None, owner) -> None:
    delete_raw(today=BENCH_TODAY)
    if pk is not None:
        report = erase_prospects([pk], by=owner, suppress=False)
        AccessLog.objects.filter(prospect_id=pk).delete()
        PurgeRun.objects.filter(pk=report.run_id).delete()
    owner.delete()
