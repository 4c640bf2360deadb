"""A purge killed at random points leaves no half-purged prospect, and a rerun completes it
(docs/rules.md §2.1): each chunk is one transaction, so every prospect is left whole or gone."""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench import purge as bench
from prospects.models import Interaction, Note, Prospect, PurgeRun, Source
from prospects.purge import PurgeAlreadyRunning, purge_expired

pytestmark = pytest.mark.slow

ROOT = Path(settings.BASE_DIR)


# --- Acceptance 4: killed at random points --------------------------------------------------------

KILL_SEEDS = 20
KILL_PROSPECTS = 300
KILL_CHUNK = 25


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
