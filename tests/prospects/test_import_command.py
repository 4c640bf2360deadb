"""The import_prospects command and its task: killed mid-way and started again, its progress
and rejections by reason, and a lost task sent again."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from prospects import importing, tasks
from prospects.models import ImportJob, Prospect, Source
from tests.prospects.broker_files import BROKER, MAPPING, malformed_file, person, rejections, write_csv

ROOT = Path(__file__).resolve().parents[2]


# --- Acceptance 2: killed mid-way, started again ----------------------------------------------


def _command(path: Path, database_url: str) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "manage.py"),
        "import_prospects",
        str(path),
        "--source",
        "broker",
        *[f"--evidence={key}={value}" for key, value in BROKER.items()],
        "--owner",
        "rep",
        "--language",
        "fr",
        *[f"--map={column}={field}" for field, column in MAPPING.items()],
        "--batch-size",
        "40",
    ]


def _environment(database_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "CELERY_TASK_ALWAYS_EAGER": "1"}


def _loaded_through(database_url: str) -> int:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=5) as db:
            row = db.execute("SELECT max(loaded_through) FROM prospects_importjob").fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(loaded_through) FROM prospects_importjob")
            row = cursor.fetchone()
    return row[0] or 0


def test_an_import_killed_mid_way_and_started_again_loads_every_good_row_exactly_once(
    rep, tmp_path, shared_database
):
    database_url, share, take_back = shared_database
    share()
    path, expected = malformed_file(tmp_path / "killed.csv", rows=3000)
    command, environment = _command(path, database_url), _environment(database_url)

    first = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _loaded_through(database_url) < 400 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = _loaded_through(database_url)
    second = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)
    take_back()

    assert first.returncode == -signal.SIGKILL, first.stderr.read().decode()
    assert 0 < killed_at < 3001
    assert second.returncode == 0, second.stderr
    assert "Resuming import" in second.stdout
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert rejections(job) == expected
    assert Prospect.objects.count() == job.loaded == 3000 - len(expected)
    assert Prospect.objects.values("email_index").distinct().count() == job.loaded
    assert Source.objects.count() == Prospect.history.count() == job.loaded


# --- The command -----------------------------------------------------------------------------


def test_import_command_shows_progress_and_the_rejections_by_reason(rep, tmp_path, capsys):
    path, expected = malformed_file(tmp_path / "cli.csv", rows=500)
    evidence = [f"{key}={value}" for key, value in BROKER.items()]

    call_command(
        "import_prospects", str(path), "--source", "broker", "--evidence", *evidence, "--owner", "rep",
        "--language", "fr",
    )  # fmt: skip

    output = capsys.readouterr().out
    assert "\r" in output and "100%" in output
    assert f"{500 - len(expected)} prospects loaded, {len(expected)} rows rejected" in output
    assert "Malformed email address: 1" in output


def test_an_import_whose_task_was_lost_is_sent_again_and_completes(rep, tmp_path, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    path = write_csv(tmp_path / "lost.csv", [person(i) for i in range(5)])
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=rep, by=rep
    )
    importing.inspect(job)
    importing.begin(job, mapping=MAPPING, language="fr")  # queued; its broker message never arrives
    fresh = list(importing.stalled(minutes=15))

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        requeued = tasks.requeue_stalled_imports()

    job.refresh_from_db()
    assert fresh == []
    assert requeued == 1
    assert (job.status, job.loaded) == (ImportJob.Status.DONE, 5)
