"""The retention purge (docs/rules.md §2.1; GDPR 5(1)(e)): who goes and who stays, a dry run
that counts what the real run removes, set-based chunks, one run at a time, the daily task."""

import re
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import purge as bench
from crm.celery import app as celery_app
from prospects import retention
from prospects.models import InteractionType, Prospect, PurgeReason, PurgeRun
from prospects.purge import PurgeAlreadyRunning, purge_expired, purge_lock
from prospects.tasks import purge_expired_task
from prospects.timeline import record_interaction
from tests import factories
from tests.prospects.purge_subjects import (
    PERSON,
    TODAY,
    at,
    collected_on,
    exists,
    logged_with_everything,
    three_years_before,
)

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


def test_a_run_that_did_not_finish_is_marked_failed_by_the_next_run(rep):
    killed = PurgeRun.objects.create(reason=PurgeReason.RETENTION_EXPIRED, as_of=TODAY, purged=3, chunks=1)
    erasure = PurgeRun.objects.create(reason=PurgeReason.ERASURE, as_of=TODAY)  # not the purge's to judge

    report = purge_expired(today=TODAY)

    killed.refresh_from_db()
    erasure.refresh_from_db()
    assert killed.finished_at is not None and killed.purged == 3
    assert killed.error == "Stopped before its end (its process was killed or lost); found by the next run."
    assert erasure.finished_at is None and erasure.error == ""
    latest = PurgeRun.objects.get(pk=report.run_id)
    assert latest.finished_at is not None and latest.error == ""


def test_a_run_stopped_by_an_error_records_it_and_keeps_what_it_did(rep):
    for number in range(3):
        collected_on(date(2020, 1, 1), by=rep, email=f"person{number}@acme.fr")

    def interrupted(report):
        raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError):
        purge_expired(today=TODAY, chunk_size=2, progress=interrupted)

    run = PurgeRun.objects.get()
    assert run.finished_at is not None and run.purged == 2 and Prospect.objects.count() == 1
    assert run.error == "Stopped on ConnectionError; the worker's log has the details."
    assert "went away" not in run.error


def test_the_purge_page_shows_a_failed_run_with_its_error(client, dpo):
    PurgeRun.objects.create(reason=PurgeReason.RETENTION_EXPIRED, as_of=TODAY)
    purge_expired(today=TODAY)
    factories.log_in(client, dpo)

    page = client.get(reverse("retention:purges")).content.decode()

    assert "Failed: Stopped before its end" in page


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


# --- Acceptance 5: the benchmark runs -------------------------------------------------------------


def test_the_benchmark_times_the_purge_and_raw_deletes(db):
    result = bench.run(200)

    assert result.rows == 200
    assert result.ours_seconds > 0 and result.raw_seconds > 0
    assert not Prospect.objects.exists() and not PurgeRun.objects.exists()
