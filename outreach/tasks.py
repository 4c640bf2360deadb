"""Celery tasks: each fetches by id and calls one function of ``sending`` or ``notices``."""

from celery import shared_task

from outreach import notices, sending


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_chunk(campaign_id: int, message_ids: list[int]) -> dict[str, int]:
    return sending.send_chunk(campaign_id, message_ids)


@shared_task(acks_late=True)
def requeue_stalled() -> int:
    return sending.requeue_stalled()


@shared_task(acks_late=True)
def send_art14_notices() -> dict[str, int]:
    return notices.send_art14_notices()
