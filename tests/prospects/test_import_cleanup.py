"""The clean-up of imports: files and staging tables of drafts, failed and abandoned imports,
and orphan files, deleted once older than LOYAL_IMPORT_CLEANUP_HOURS, with a record of it."""

import io
import os
from datetime import timedelta
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from crm.celery import app as celery_app
from prospects import importing, tasks
from prospects.import_cleanup import STAGING_PREFIX
from prospects.import_staging import Staging
from prospects.models import ImportCleanup, ImportJob
from tests.prospects.broker_files import BROKER, MAPPING, person, write_csv

DAY = timedelta(hours=25)


def upload(folder: Path, name: str, *, by, age: timedelta, status=None, staged: bool = False) -> ImportJob:
    """An uploaded file in the import folder and its job, ``age`` old, read by the worker."""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_csv(folder / f"{name}.csv", [person(1)])
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=by, by=by,
        uploaded=True,
    )  # fmt: skip
    if status != ImportJob.Status.INSPECTING:
        importing.inspect(job)
    if status in (ImportJob.Status.QUEUED, ImportJob.Status.FAILED, ImportJob.Status.DONE):
        importing.begin(job, mapping=MAPPING, language="fr")
    if staged:
        Staging(job).create()
    then = timezone.now() - age
    changes = {"created_at": then, "heartbeat_at": then}
    ImportJob.objects.filter(pk=job.pk).update(**changes, **({"status": status} if status else {}))
    aged(path, age)
    return ImportJob.objects.get(pk=job.pk)


def aged(path: Path, age: timedelta) -> Path:
    then = (timezone.now() - age).timestamp()
    os.utime(path, (then, then))
    return path


def staging_tables() -> set[str]:
    return {name for name in connection.introspection.table_names() if name.startswith(STAGING_PREFIX)}


def test_leaves_no_file_or_staging_table_of_an_abandoned_import_older_than_the_setting(
    rep, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "imports"
    draft = upload(folder, "draft", by=rep, age=DAY)
    unread = upload(folder, "unread", by=rep, age=DAY, status=ImportJob.Status.INSPECTING)
    failed = upload(folder, "failed", by=rep, age=DAY, status=ImportJob.Status.FAILED, staged=True)
    done = upload(folder, "done", by=rep, age=DAY, status=ImportJob.Status.DONE, staged=True)
    recent = upload(
        folder, "recent", by=rep, age=timedelta(hours=2), status=ImportJob.Status.FAILED, staged=True
    )
    orphan = aged(write_csv(folder / "killed-upload.csv", [person(2)]), DAY)
    arriving = write_csv(folder / "arriving.csv", [person(3)])
    Staging(ImportJob(pk=987654)).create()  # its import was deleted

    count = tasks.clear_abandoned_imports_task()

    before = timezone.now() - timedelta(hours=24)
    left = sorted(path.name for path in folder.iterdir())
    assert left == ["arriving.csv", "recent.csv"]
    assert all(path.stat().st_mtime >= before.timestamp() for path in folder.iterdir())
    assert staging_tables() == {f"{STAGING_PREFIX}{recent.pk}"}
    assert not orphan.exists() and arriving.exists()
    run = ImportCleanup.objects.get()
    assert count == 4 and sorted(run.jobs) == sorted([draft.pk, unread.pk, failed.pk, done.pk])
    assert (run.files, run.orphan_files, run.staging_tables) == (4, 1, 3)
    draft.refresh_from_db()
    assert draft.status == ImportJob.Status.FAILED and draft.cleared_at is not None
    assert draft.error == "Not mapped within 24 hours: its file was deleted." and draft.preview == ""
    failed.refresh_from_db()
    assert failed.error.endswith("Its file was deleted after 24 hours: upload it again to import it.")
    assert not failed.can_resume


def test_keeps_a_queued_import_and_its_file_however_old(rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    queued = upload(
        tmp_path / "imports", "queued", by=rep, age=DAY, status=ImportJob.Status.QUEUED, staged=True
    )

    output = io.StringIO()
    call_command("clear_imports", stdout=output)

    assert Path(queued.path).exists() and staging_tables() == {f"{STAGING_PREFIX}{queued.pk}"}
    assert ImportCleanup.objects.get().jobs == []
    assert output.getvalue().startswith("0 imports cleared")


def test_follows_the_setting(rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "cleanup_hours": 72}
    draft = upload(tmp_path / "imports", "draft", by=rep, age=DAY)

    run = tasks.clear_abandoned_imports_task()

    assert run == 0 and Path(draft.path).exists()


def test_a_cleared_import_cannot_be_started_again(rep_client, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    failed = upload(tmp_path / "imports", "failed", by=rep, age=DAY, status=ImportJob.Status.FAILED)
    tasks.clear_abandoned_imports_task()

    page = rep_client.get(failed.get_absolute_url()).content.decode()
    response = rep_client.post(f"/prospects/import/{failed.pk}/resume/")

    assert "Start again where it stopped" not in page
    assert response.status_code == 404


def test_runs_every_hour_from_beat():
    scheduled = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}

    schedule = scheduled["prospects.tasks.clear_abandoned_imports_task"]

    assert len(schedule.minute) == 1 and len(schedule.hour) == 24
