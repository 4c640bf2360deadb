"""Celery tasks: each fetches by id and calls one function of ``sending`` or ``notices``."""

from celery import shared_task

from outreach import mailbox, notices, sending


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_chunk(campaign_id: int, message_ids: list[int]) -> dict[str, int]:
    return sending.send_chunk(campaign_id, message_ids)


@shared_task(acks_late=True)
def requeue_stalled() -> int:
    return sending.requeue_stalled()


@shared_task(acks_late=True)
def send_art14_notices() -> dict[str, int]:
    return notices.send_art14_notices()


@shared_task(
    acks_late=True,
    autoretry_for=(mailbox.MailboxUnavailable,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
)
def fetch_mailbox() -> dict[str, int]:
    """Replies, bounces and "stop" answers from the mailbox; nothing when none is configured."""
    run = mailbox.fetch_mailbox()
    return run.handled if run is not None else {}
