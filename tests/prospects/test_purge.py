"""The retention purge and the erasure core (docs/rules.md §2.1, §2.5; GDPR 5(1)(e), 17)."""

import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from cryptography.fernet import InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections, models
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import purge as bench
from crm.celery import app as celery_app
from prospects import identity, retention, suppression
from prospects.intake import ProspectData, update_prospect
from prospects.models import (
    Interaction,
    InteractionType,
    Note,
    Prospect,
    PurgeReason,
    PurgeRun,
    Source,
    Suppression,
)
from prospects.purge import PurgeAlreadyRunning, erase_prospects, purge_expired, purge_lock
from prospects.tasks import purge_expired_task
from prospects.timeline import add_note, record_interaction
from tests import factories

TODAY = date(2026, 6, 15)
ROOT = Path(settings.BASE_DIR)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def three_years_before(day: date) -> date:
    return day.replace(year=day.year - 3)


def collected_on(day: date, *, by, **fields) -> Prospect:
    fields.setdefault("source_type", "manual")
    with time_machine.travel(at(day), tick=False):
        return factories.prospect(by=by, **fields)


def exists(prospect: Prospect) -> bool:
    return Prospect.objects.filter(pk=prospect.pk).exists()


# --- Acceptance 1: who goes, who stays ------------------------------------------------------------


def test_purges_a_prospect_whose_last_contact_is_three_years_and_a_day_old(rep):
    contact_day = three_years_before(TODAY) - timedelta(days=1)
    prospect = collected_on(contact_day - timedelta(days=200), by=rep)
    with time_machine.travel(at(contact_day), tick=False):
        record_interaction(prospect, type=InteractionType.EMAIL_REPLY, by=rep)

    report = purge_expired(today=TODAY)

    assert not exists(prospect)
    assert report.purged == 1 and report.counts == {PurgeReason.RETENTION_EXPIRED: 1}


def test_keeps_a_prospect_on_the_last_day_of_its_period(rep):
    prospect = collected_on(three_years_before(TODAY), by=rep)

    purge_expired(today=TODAY)

    assert exists(prospect)


def test_keeps_a_prospect_who_replied_two_years_ago(rep):
    prospect = collected_on(TODAY - timedelta(days=4 * 365), by=rep)
    with time_machine.travel(at(TODAY - timedelta(days=2 * 365)), tick=False):
        record_interaction(prospect, type=InteractionType.EMAIL_REPLY, by=rep)

    purge_expired(today=TODAY)

    assert exists(prospect)


def test_an_email_open_yesterday_does_not_save_a_prospect(rep):
    """CALOGA (SAN-2025-002): an open is not a contact from the person."""
    prospect = collected_on(three_years_before(TODAY) - timedelta(days=1), by=rep)
    with time_machine.travel(at(TODAY - timedelta(days=1)), tick=False):
        record_interaction(prospect, type=InteractionType.EMAIL_OPEN, by=rep)

    purge_expired(today=TODAY)

    assert not exists(prospect)


def test_a_legal_hold_keeps_a_prospect_until_it_ends(rep, dpo):
    prospect = collected_on(three_years_before(TODAY) - timedelta(days=30), by=rep)
    hold_ends = TODAY + timedelta(days=10)
    with time_machine.travel(at(TODAY), tick=False):
        retention.place_legal_hold(
            prospect, until=hold_ends, reason="Claim before the commercial court", by=dpo
        )

    purge_expired(today=TODAY)
    purge_expired(today=hold_ends)
    kept_through_the_last_day = exists(prospect)
    purge_expired(today=hold_ends + timedelta(days=1))

    assert kept_through_the_last_day and not exists(prospect)


def test_keeps_a_current_customer_and_purges_a_former_one(rep):
    current = collected_on(TODAY - timedelta(days=6 * 365), by=rep, last_name="Current")
    former = collected_on(TODAY - timedelta(days=6 * 365), by=rep, last_name="Former")
    Prospect.objects.filter(pk=current.pk).update(is_customer=True)
    Prospect.objects.filter(pk=former.pk).update(
        is_customer=True, customer_relationship_ended_at=date(2022, 1, 1)
    )

    report = purge_expired(today=TODAY)

    assert exists(current) and not exists(former)
    assert report.counts == {PurgeReason.CUSTOMER_RETENTION_EXPIRED: 1}


# --- Acceptance 2: nothing left anywhere ----------------------------------------------------------

PERSON = {
    "first_name": "Zéphyrine",
    "last_name": "Quastorff",
    "email": "z.quastorff@acme-industries.fr",
    "phone": "+33 6 12 34 56 78",
    "linkedin_url": "https://www.linkedin.com/in/zephyrine-quastorff",
}


def traces(person: dict, prospect: Prospect) -> list[str]:
    """What would identify the person: name, email, phone, LinkedIn URL, and their keyed hashes."""
    digests = [prospect.email_index, prospect.phone_index, prospect.linkedin_index]
    return [
        person["first_name"],
        person["last_name"],
        person["email"],
        "+33612345678",
        "0612345678",
        "linkedin.com/in/zephyrine-quastorff",
        *[digest for digest in digests if digest],
    ]


def columns_holding(needles: list[str], *, exclude: tuple[type[models.Model], ...] = ()) -> list[str]:
    """Every table.column of every model whose stored text, JSON or decrypted value contains a needle."""
    needles = [needle.lower() for needle in needles]
    hits = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed or model in exclude:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            columns = ", ".join(quote(f.column) for f in fields)
            cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)}")  # noqa: S608 (names from _meta)
            for row in cursor.fetchall():
                for field, value in zip(fields, row, strict=True):
                    if any(
                        needle in reading.lower() for reading in _readings(field, value) for needle in needles
                    ):
                        hits.add(f"{model._meta.db_table}.{field.column}")
    return sorted(hits)


def _readings(field: models.Field, value) -> list[str]:
    """The stored value as text, and what it means: decrypted, or JSON without escapes."""
    if value is None:
        return []
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    readings = [text]
    if isinstance(field, identity.EncryptedTextField) and text:
        with contextlib.suppress(InvalidToken):
            readings.append(identity.decrypt(text))
    if isinstance(field, models.JSONField) and isinstance(value, str):
        with contextlib.suppress(ValueError):
            readings.append(json.dumps(json.loads(value), ensure_ascii=False))
    return readings


def logged_with_everything(*, by, person: dict, on: date) -> Prospect:
    """A prospect with a LinkedIn source, a note, an interaction and an edited, then re-edited record."""
    with time_machine.travel(at(on), tick=False):
        prospect = factories.prospect(
            by=by,
            source_type="linkedin_connection",
            evidence={"profile_url": person["linkedin_url"]},
            **person,
        )
        note = add_note(
            prospect, text=f"{person['first_name']} {person['last_name']} asked for prices", by=by
        )
        note.text += " (again)"
        note.save()
        record_interaction(
            prospect, type=InteractionType.EMAIL_SENT, summary=f"Brochure sent to {person['email']}", by=by
        )
        data = ProspectData(**{**person, "job_title": "CFO"})
        update_prospect(prospect, data, by=by)
    return prospect


def test_no_table_holds_the_prospect_after_a_purge(rep):
    prospect = logged_with_everything(by=rep, person=PERSON, on=three_years_before(TODAY) - timedelta(days=5))
    kept = factories.prospect(by=rep, first_name="Kept", last_name="Person", email="kept.person@acme.fr")
    needles = traces(PERSON, prospect)
    before = columns_holding(needles)

    purge_expired(today=TODAY)

    assert "prospects_historicalprospect.email" in before and "prospects_note.text" in before
    assert columns_holding(needles) == []
    assert exists(kept)


def test_a_purge_keeps_the_keyed_hashes_of_a_person_who_objected_and_adds_none(rep):
    objected = collected_on(TODAY - timedelta(days=4 * 365), by=rep, **PERSON)
    suppression.suppress(objected, origin=Suppression.Origin.LINK)
    silent = collected_on(
        TODAY - timedelta(days=4 * 365), by=rep, email="silent.one@acme.fr", last_name="Silent"
    )
    silent_digest = silent.email_index
    listed = set(Suppression.objects.values_list("digest", flat=True))

    purge_expired(today=TODAY)

    assert set(Suppression.objects.values_list("digest", flat=True)) == listed
    assert columns_holding(traces(PERSON, objected), exclude=(Suppression,)) == []
    assert columns_holding([silent_digest, "silent.one@acme.fr", "Silent"]) == []


def test_erasure_deletes_now_and_puts_the_keyed_hashes_on_the_suppression_list(rep, dpo):
    prospect = logged_with_everything(by=rep, person=PERSON, on=TODAY - timedelta(days=10))
    digests = {prospect.email_index, prospect.phone_index, prospect.linkedin_index}

    report = erase_prospects([prospect.pk], by=dpo)

    run = PurgeRun.objects.get(pk=report.run_id)
    assert not exists(prospect)
    assert (
        set(Suppression.objects.filter(origin=Suppression.Origin.ERASURE).values_list("digest", flat=True))
        == digests
    )
    assert (run.reason, run.triggered_by, run.purged, report.suppressed) == (PurgeReason.ERASURE, dpo, 1, 3)
    assert columns_holding(traces(PERSON, prospect), exclude=(Suppression,)) == []


def test_erasure_without_suppression_adds_no_keyed_hash(rep, dpo):
    prospect = factories.prospect(by=rep)

    erase_prospects([prospect.pk], by=dpo, suppress=False)

    assert not exists(prospect) and not Suppression.objects.exists()


def test_a_purge_run_records_counts_and_no_personal_data(rep):
    prospect = logged_with_everything(by=rep, person=PERSON, on=TODAY - timedelta(days=5 * 365))

    report = purge_expired(today=TODAY)

    run = PurgeRun.objects.get(pk=report.run_id)
    assert (run.purged, run.chunks, run.dry_run, run.as_of) == (1, 1, False, TODAY)
    assert run.counts == {"retention_expired": 1}
    assert run.rows["prospects.Prospect"] == 1 and run.rows["prospects.HistoricalProspect"] == 2
    assert run.rows["prospects.Note"] == 1 and run.rows["prospects.HistoricalNote"] == 2
    assert run.finished_at is not None
    labels = {model._meta.label for model in apps.get_models(include_auto_created=True)}
    assert {label.removesuffix(":detached") for label in run.rows} <= labels  # table names, no one's id
    assert columns_holding(traces(PERSON, prospect)) == []


# --- Tables other apps add ------------------------------------------------------------------------


@pytest.fixture
def probe_models(transactional_db):
    """Tables another app could add later, pointing at Prospect in each way on_delete allows."""

    class PurgeProbe(models.Model):  # noqa: DJ008
        prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="+")
        text = models.TextField()

        class Meta:
            app_label = "prospects"

    class PurgeProbeChild(models.Model):  # noqa: DJ008
        probe = models.ForeignKey(PurgeProbe, on_delete=models.PROTECT, related_name="+")
        text = models.TextField()

        class Meta:
            app_label = "prospects"

    class PurgeProbeLog(models.Model):  # noqa: DJ008
        prospect = models.ForeignKey(Prospect, null=True, on_delete=models.SET_NULL, related_name="+")
        text = models.TextField(blank=True)
        kind = models.CharField(max_length=10, blank=True)

        class Meta:
            app_label = "prospects"
            constraints = [
                models.CheckConstraint(condition=Q(kind__in=["", "call"]), name="purgeprobelog_kind")
            ]

    class PurgeProbeAccess(models.Model):  # noqa: DJ008
        prospect = models.ForeignKey(
            Prospect, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
        )

        class Meta:
            app_label = "prospects"

    created = [PurgeProbe, PurgeProbeChild, PurgeProbeLog, PurgeProbeAccess]
    with connection.schema_editor() as editor:
        for model in created:
            editor.create_model(model)
    try:
        yield created
    finally:
        with connection.schema_editor() as editor:
            for model in reversed(created):
                editor.delete_model(model)
        for model in created:
            del apps.all_models["prospects"][model._meta.model_name]
        apps.clear_cache()


def test_tables_added_later_by_other_apps_are_cleared_too(probe_models, rep):
    probe, child, log, access = probe_models
    prospect = collected_on(TODAY - timedelta(days=4 * 365), by=rep, **PERSON)
    made = probe.objects.create(prospect=prospect, text="Zéphyrine's file")
    child.objects.create(probe=made, text="Quastorff, page 2")
    kept_log = log.objects.create(prospect=prospect, text="Called Zéphyrine", kind="call")
    access.objects.create(prospect_id=prospect.pk)

    purge_expired(today=TODAY)

    kept_log.refresh_from_db()
    assert not probe.objects.exists() and not child.objects.exists()
    assert (kept_log.prospect_id, kept_log.text, kept_log.kind) == (None, "", "call")
    assert access.objects.get().prospect_id == prospect.pk  # DO_NOTHING: the owner keeps a bare id
    assert columns_holding(traces(PERSON, prospect)) == []


# --- Acceptance 3: a dry run counts what the real run removes -------------------------------------


def parsed(output: str) -> dict[str, int]:
    counts = {"prospects": int(re.search(r"(?:would delete|deleted) (\d+) prospects", output).group(1))}
    counts |= {label: int(n) for label, n in re.findall(r"^  (\S+ \S+): (\d+)$", output, flags=re.MULTILINE)}
    return counts


def test_dry_run_reports_exactly_what_the_real_run_then_purges(rep, dpo):
    for n in range(3):
        logged_with_everything(
            by=rep,
            person={
                **PERSON,
                "email": f"p{n}@acme.fr",
                "phone": "",
                "linkedin_url": f"linkedin.com/in/p{n}-x",
            },
            on=date(2021, 1, 1),
        )
    collected_on(TODAY - timedelta(days=10), by=rep, last_name="Recent")
    held = collected_on(date(2021, 1, 1), by=rep, last_name="Held")
    with time_machine.travel(at(TODAY), tick=False):
        retention.place_legal_hold(held, until=TODAY + timedelta(days=90), reason="Audit", by=dpo)
    dry, real = StringIO(), StringIO()

    call_command("purge_expired", "--dry-run", "--today", TODAY.isoformat(), "--chunk-size", "2", stdout=dry)
    still_there = Prospect.objects.count()
    call_command("purge_expired", "--today", TODAY.isoformat(), "--chunk-size", "2", stdout=real)

    assert still_there == 5
    assert parsed(dry.getvalue()) == parsed(real.getvalue())
    assert parsed(real.getvalue())["prospects"] == 3 and Prospect.objects.count() == 2
    assert list(PurgeRun.objects.order_by("pk").values_list("dry_run", "purged")) == [(True, 3), (False, 3)]


# --- Set-based: constant queries per chunk --------------------------------------------------------


def test_a_chunk_costs_the_same_queries_whatever_its_size(rep, django_assert_max_num_queries):
    kept_until = TODAY - timedelta(days=1)
    bench.seed_expired(3, owner_id=rep.pk, kept_until=kept_until)
    with CaptureQueriesContext(connection) as small:
        purge_expired(today=TODAY, chunk_size=500)
    bench.seed_expired(120, owner_id=rep.pk, kept_until=kept_until)

    with django_assert_max_num_queries(len(small.captured_queries)):
        report = purge_expired(today=TODAY, chunk_size=500)

    assert report.purged == 120 and report.chunks == 1


# --- One run at a time ----------------------------------------------------------------------------


def test_a_second_run_exits_while_another_holds_the_lock(rep):
    collected_on(date(2020, 1, 1), by=rep)
    other = connections.create_connection("default")
    try:
        with purge_lock(using=other):
            with pytest.raises(PurgeAlreadyRunning):
                purge_expired(today=TODAY)
            with pytest.raises(CommandError, match="Another purge is running"):
                call_command("purge_expired", "--today", TODAY.isoformat())
            skipped = purge_expired_task.run()
    finally:
        other.close()

    assert skipped == 0 and Prospect.objects.count() == 1
    assert purge_expired(today=TODAY).purged == 1


# --- Task, command and schedule -------------------------------------------------------------------


def test_the_task_purges_what_the_database_says_is_due(rep):
    collected_on(date(2020, 1, 1), by=rep)

    with time_machine.travel(at(TODAY), tick=False):
        purged = purge_expired_task.run()

    assert purged == 1 and not Prospect.objects.exists()


def test_beat_runs_the_purge_and_the_digest_every_day():
    scheduled = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}

    assert purge_expired_task.acks_late
    for task in ("prospects.tasks.purge_expired_task", "prospects.tasks.send_retention_digest_task"):
        assert task in celery_app.tasks
        assert scheduled[task].day_of_week == set(range(7)) and len(scheduled[task].hour) == 1


# --- Acceptance 4: killed at random points --------------------------------------------------------

KILL_SEEDS = 20
KILL_PROSPECTS = 300
KILL_CHUNK = 25


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The test database, for a ``manage.py`` run in another process; returns (url, share, take_back).

    PostgreSQL: the same database. SQLite: the test database is in memory, so it is
    copied to a file before the other process runs and copied back after.
    """
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings_dict["USER"] or "postgres"
        password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
        host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
        yield f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}", lambda: None, lambda: None
        return
    file = tmp_path / "shared.sqlite3"
    connection.ensure_connection()

    def share():
        for stale in tmp_path.glob("shared.sqlite3*"):
            stale.unlink()
        target = sqlite3.connect(file)
        connection.connection.backup(target)
        target.close()

    def take_back():
        source = sqlite3.connect(file)
        source.backup(connection.connection)
        source.close()

    yield f"sqlite:///{file}", share, take_back


def _purge_process(database_url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "purge_expired",
            f"--chunk-size={KILL_CHUNK}",
            "-v2",
            "--skip-checks",
        ],
        env={**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _rows_about(ids: list[int]) -> Counter:
    """Rows per table that belong to these prospects, history included."""
    pointers = [
        (Prospect, "pk"),
        (Prospect.history.model, "id"),
        (Source, "prospect_id"),
        (Source.history.model, "prospect_id"),
        (Interaction, "prospect_id"),
        (Note, "prospect_id"),
        (Note.history.model, "prospect_id"),
    ]
    counts = Counter()
    for model, pointer in pointers:
        counts[model._meta.label] = model._default_manager.filter(**{f"{pointer}__in": ids}).count()
    return counts


def _wait_for_the_killed_session() -> None:
    """PostgreSQL: a COMMIT sent just before the kill can still land; check once its session is gone."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0 or time.monotonic() > deadline:
                return
            time.sleep(0.02)


def _rerun_to_completion() -> None:
    """Purge in this process once the killed one's session (lock, open transaction) is gone."""
    deadline = time.monotonic() + 20
    while True:
        try:
            purge_expired()
            return
        except PurgeAlreadyRunning:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_purge_killed_at_random_points_leaves_no_half_purged_prospect(shared_database, rep):
    url, share, take_back = shared_database
    kept_until = timezone.localdate() - timedelta(days=1)
    bench.seed_expired(KILL_PROSPECTS, owner_id=rep.pk, kept_until=kept_until)
    share()
    started = time.monotonic()
    clean = _purge_process(url)
    chunk_times = [time.monotonic() for line in clean.stdout if line.startswith("chunk ")]
    assert clean.wait(timeout=60) == 0, clean.stderr.read()
    run_length = chunk_times[-1] - chunk_times[0]
    take_back()
    clean_totals = Counter(PurgeRun.objects.get(dry_run=False).rows)
    assert clean_totals["prospects.Prospect"] == KILL_PROSPECTS
    mid_run = 0

    for seed in range(KILL_SEEDS):
        rng = random.Random(seed)
        ids = bench.seed_expired(KILL_PROSPECTS, owner_id=rep.pk, kept_until=kept_until)
        per_prospect = {label: n // KILL_PROSPECTS for label, n in _rows_about(ids).items()}
        last_run = PurgeRun.objects.order_by("-pk").values_list("pk", flat=True).first()
        share()
        process = _purge_process(url)
        process.stdout.readline()  # the first chunk is committed: the run is under way
        time.sleep(rng.uniform(0, run_length))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        _wait_for_the_killed_session()
        take_back()

        survivors = list(Prospect.objects.filter(pk__in=ids).values_list("pk", flat=True))
        gone = sorted(set(ids) - set(survivors))
        mid_run += 0 < len(survivors) < KILL_PROSPECTS
        assert _rows_about(survivors) == {k: n * len(survivors) for k, n in per_prospect.items()}, seed
        assert sum(_rows_about(gone).values()) == 0, seed

        _rerun_to_completion()

        connection.check_constraints()
        assert sum(_rows_about(ids).values()) == 0, seed
        runs = PurgeRun.objects.filter(pk__gt=last_run, dry_run=False)
        totals = sum((Counter(rows) for rows in runs.values_list("rows", flat=True)), Counter())
        assert totals == clean_totals, seed

    print(f"{mid_run} of {KILL_SEEDS} kills landed mid-run, in {time.monotonic() - started:.1f} s")
    assert mid_run >= KILL_SEEDS // 4, f"only {mid_run} kills landed mid-run"


# --- Acceptance 5: the benchmark runs -------------------------------------------------------------


def test_the_benchmark_times_the_purge_and_raw_deletes(db):
    result = bench.run(200)

    assert result.rows == 200
    assert result.ours_seconds > 0 and result.raw_seconds > 0
    assert not Prospect.objects.exists() and not PurgeRun.objects.exists()


# --- The DPO's pages -------------------------------------------------------------------------------


@pytest.fixture
def dpo_client(client, dpo):
    factories.log_in(client, dpo)
    return client


def test_the_dpo_sees_upcoming_purges_past_runs_and_a_chart(dpo_client, rep):
    collected_on(date(2020, 1, 1), by=rep, last_name="Old")
    soon = factories.prospect(by=rep, last_name="Soon", email="soon@acme.fr")
    Prospect.objects.filter(pk=soon.pk).update(retention_until=timezone.localdate() + timedelta(days=3))
    purge_expired(dry_run=True)

    response = dpo_client.get("/prospects/purges/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="due-now"' in html and "1 prospect is past its deadline" in html
    assert re.search(r"<tr><td>[^<]+</td><td>1</td></tr>", html)  # this week's count
    assert "<svg" in html and "<rect" in html and "dry run" in html
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)  # CSP


@pytest.mark.parametrize("role", ["sales", "admin"])
def test_only_the_dpo_reviews_purges(db, client, role):
    factories.log_in(client, factories.user(role=role, username=f"someone-{role}"))

    pages = [client.get("/prospects/purges/"), client.get("/prospects/purges/panel/")]

    assert [page.status_code for page in pages] == [403, 403]


def test_the_dpo_home_shows_the_purge_panel(dpo_client, rep):
    collected_on(date(2020, 1, 1), by=rep)
    purge_expired(today=TODAY)

    home = dpo_client.get("/").content.decode()
    panel = dpo_client.get("/prospects/purges/panel/", HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-get="/prospects/purges/panel/"' in home
    assert "1 prospect deleted" in panel and "Last run on" in panel


def test_the_dpo_places_a_legal_hold_from_the_prospect_page(dpo_client, dpo, rep):
    prospect = factories.prospect(by=rep)
    until = timezone.localdate() + timedelta(days=2000)

    response = dpo_client.post(
        f"/prospects/{prospect.pk}/legal-hold/", {"until": until.isoformat(), "reason": "Tax audit"}
    )

    prospect.refresh_from_db()
    page = dpo_client.get(prospect.get_absolute_url()).content.decode()
    assert response.status_code == 302
    assert (prospect.legal_hold_until, prospect.legal_hold_reason, prospect.legal_hold_placed_by) == (
        until,
        "Tax audit",
        dpo,
    )
    assert "Kept under a legal hold until" in page and 'id="legal-hold"' in page


def test_a_rep_cannot_place_a_legal_hold(rep_client, rep):
    prospect = factories.prospect(by=rep)

    response = rep_client.post(
        f"/prospects/{prospect.pk}/legal-hold/", {"until": "2099-01-01", "reason": "x"}
    )
    page = rep_client.get(prospect.get_absolute_url()).content.decode()

    prospect.refresh_from_db()
    assert response.status_code == 403 and prospect.legal_hold_until is None
    assert "Purged on" in page and "Place a legal hold" not in page
