"""Periodic jobs of the prospects app; each derives its work from the database (docs/design.md, "Runs")."""

import logging

from celery import shared_task
from django.conf import settings

from prospects import agenda, import_cleanup, importing, purge, retention, webhooks
from prospects.models import ImportJob

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def purge_expired_task() -> int:
    """Daily retention purge (docs/rules.md §2.1); a second delivery while one runs does nothing."""
    try:
        return purge.purge_expired().purged
    except purge.PurgeAlreadyRunning:
        logger.info("Retention purge skipped: another run holds the lock.")
        return 0


@shared_task(acks_late=True)
def send_retention_digest_task() -> int:
    """Daily: warn owners of the prospects the purge removes within the grace window."""
    return retention.send_retention_digest()


@shared_task(acks_late=True)
def send_day_digests_task() -> int:
    """Daily: each opted-in rep gets their day by e-mail, once a day however often this runs."""
    return agenda.send_day_digests()


@shared_task(acks_late=True)
def run_import(job_id: int) -> int:
    """Load an import file; delivered again after a crash, it resumes after its last batch."""
    return importing.run(ImportJob.objects.get(pk=job_id)).loaded


@shared_task(acks_late=True)
def inspect_import(job_id: int) -> int:
    """Read an uploaded file within the limits (never in the web request); returns its rows.
    A file whose mapping is fixed (business cards) is queued at once."""
    job = importing.inspect(ImportJob.objects.get(pk=job_id))
    if job.status == ImportJob.Status.QUEUED:
        run_import.delay_on_commit(job.pk)
    return job.rows_total or 0


@shared_task(acks_late=True)
def requeue_stalled_imports() -> int:
    """Every few minutes: send again the imports whose task was lost (a run resumes, never repeats)."""
    stalled = list(
        importing.stalled(minutes=settings.LOYAL_IMPORT_STALL_MINUTES).values_list("pk", flat=True)
    )
    for job_id in stalled:
        run_import.delay(job_id)
    return len(stalled)


@shared_task(acks_late=True)
def clear_abandoned_imports_task() -> int:
    """Hourly: delete the files and staging tables of imports abandoned past LOYAL_IMPORT_CLEANUP_HOURS."""
    return len(import_cleanup.clear_abandoned_imports().jobs)


@shared_task(acks_late=True)
def send_webhooks() -> int:
    """Every minute, and after each change: attempt the due webhook deliveries; returns how many landed."""
    return webhooks.send_due()
