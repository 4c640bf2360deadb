"""Deleting what imports leave behind: uploaded files and staging tables that hold personal data.

docs/rules.md §2.7 (GDPR 5(1)(c), 5(1)(e)): an uploaded file and its staged rows are kept
only for the import. A finished import deletes both at once (importing.py). What an import
that never finishes leaves is deleted by ``clear_abandoned_imports``, a beat job, once
older than ``LOYAL_IMPORT["cleanup_hours"]``:

- the file and staging table of an import never mapped (still being read, or waiting for
  its column mapping), failed (it can no longer be started again) or done;
- a file in the import folder that no unfinished import names: a killed upload's;
- a staging table whose import is gone, done or already cleared.

The job row stays, with what it loaded and rejected (no personal data), marked cleared.
Each run records what it removed in an ``ImportCleanup`` row: counts and import ids, never
whose data. The database is written first, the files then: a run killed in between leaves
files no import names, which the next run deletes as orphans.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from prospects.import_staging import Staging
from prospects.import_uploads import import_folder
from prospects.models import ImportCleanup, ImportJob

logger = logging.getLogger(__name__)
Status = ImportJob.Status
STAGING_PREFIX = "prospects_importstaging_"
UNMAPPED = (Status.INSPECTING, Status.DRAFT)
UNFINISHED = (Status.INSPECTING, Status.DRAFT, Status.QUEUED, Status.RUNNING, Status.FAILED)


def clear_abandoned_imports(*, now: datetime | None = None) -> ImportCleanup:
    """Delete the files and staging tables of imports abandoned for longer than the setting."""
    now = now or timezone.now()
    hours = settings.LOYAL_IMPORT["cleanup_hours"]
    before = now - timedelta(hours=hours)
    tables = _staging_tables()
    cleared, files, dropped = [], 0, 0
    for job in abandoned(before=before):
        if not _mark_cleared(job, now=now, hours=hours):
            continue  # it moved on meanwhile: started, resumed or cleared by another run
        cleared.append(job.pk)
        if tables.pop(job.pk, None) is not None:
            Staging(job).drop()
            dropped += 1
        if job.uploaded and _delete(Path(job.path)):
            files += 1
    dropped += _drop_orphan_tables(tables)
    run = ImportCleanup.objects.create(
        ran_at=now,
        older_than=before,
        jobs=cleared,
        files=files,
        orphan_files=_delete_orphan_files(before=before),
        staging_tables=dropped,
    )
    logger.info(
        "Import clean-up: %s imports cleared, %s files, %s orphan files, %s staging tables.",
        len(cleared), run.files, run.orphan_files, run.staging_tables,
    )  # fmt: skip
    return run


def abandoned(*, before: datetime):
    """Imports not cleared yet, never mapped since ``before``, or failed or done and silent since."""
    return ImportJob.objects.filter(cleared_at__isnull=True).filter(
        Q(status__in=UNMAPPED, created_at__lt=before)
        | Q(status__in=(Status.FAILED, Status.DONE), heartbeat_at__lt=before)
    )


def _mark_cleared(job: ImportJob, *, now: datetime, hours: int) -> bool:
    changes = {"cleared_at": now, "preview": "", "heartbeat_at": now}
    if job.status in UNMAPPED:
        changes |= {"status": Status.FAILED, "finished_at": now}
        changes["error"] = _("Not mapped within %(hours)s hours: its file was deleted.") % {"hours": hours}
    elif job.status == Status.FAILED:
        deleted = _("Its file was deleted after %(hours)s hours: upload it again to import it.")
        changes["error"] = f"{job.error} {deleted % {'hours': hours}}".strip()
    # Only if it is still as read: an import resumed or mapped meanwhile is left alone.
    return bool(ImportJob.objects.filter(pk=job.pk, status=job.status, cleared_at=None).update(**changes))


def _staging_tables() -> dict[int, str]:
    """The staging tables that exist, by the id of their import."""
    return {
        int(name[len(STAGING_PREFIX) :]): name
        for name in connection.introspection.table_names()
        if name.startswith(STAGING_PREFIX) and name[len(STAGING_PREFIX) :].isdigit()
    }


def _drop_orphan_tables(tables: dict[int, str]) -> int:
    """Drop the tables of imports that are gone, done or cleared; a live import keeps its own."""
    live = set(
        ImportJob.objects.filter(pk__in=tables, status__in=UNFINISHED, cleared_at=None).values_list(
            "pk", flat=True
        )
    )
    orphans = [name for pk, name in tables.items() if pk not in live]
    with connection.cursor() as cursor:
        for name in orphans:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)}")
    return len(orphans)


def _delete_orphan_files(*, before: datetime) -> int:
    """Files of the import folder older than ``before`` that no unfinished import names."""
    folder = import_folder()
    if not folder.is_dir():
        return 0
    named = set(
        ImportJob.objects.filter(status__in=UNFINISHED, cleared_at=None).values_list("path", flat=True)
    )
    deleted = 0
    for path in folder.iterdir():
        if str(path) in named or not path.is_file():
            continue
        if path.stat().st_mtime < before.timestamp() and _delete(path):
            deleted += 1
    return deleted


def _delete(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
