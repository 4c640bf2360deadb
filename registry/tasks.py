"""Periodic jobs of the registry; each derives its work from the database (docs/design.md, "Runs")."""

from celery import shared_task

from org.access import purge_expired_access_log
from registry import requests


@shared_task(acks_late=True)
def purge_access_log_task() -> int:
    """Daily: drop access-log entries older than ``access_log_months`` (CNIL délib. 2021-122)."""
    return purge_expired_access_log()


@shared_task(acks_late=True)
def purge_request_log_task() -> int:
    """Daily: drop rights requests closed more than five years ago (docs/rules.md §2.1, INTERP)."""
    return requests.purge_closed()
