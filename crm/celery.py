"""The Celery application shared by the web process, the worker and beat."""

import logging.config
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def configure_worker_logging(**kwargs) -> None:
    """The worker logs as the web process does (settings.LOGGING), not in Celery's own format.

    Connected, this signal stops Celery from replacing the root logger's handlers; ``LOG_LEVEL``
    applies, not ``--loglevel``.
    """
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# Every periodic job derives its work from the database, so a lost broker loses no work.
app.conf.beat_schedule = {
    # docs/rules.md §2.1 (GDPR 5(1)(e)): prospects past their retention period are deleted nightly.
    "purge-expired-prospects": {
        "task": "prospects.tasks.purge_expired_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # docs/rules.md §2.1: owners hear of the prospects the purge removes within the grace window.
    "retention-digest": {
        "task": "prospects.tasks.send_retention_digest_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Each opted-in rep's day by e-mail, before the working day; once a day per rep (prospects/agenda.py).
    "prospects-day-digest": {
        "task": "prospects.tasks.send_day_digests_task",
        "schedule": crontab(hour=7, minute=15),
    },
    # Campaign messages still queued after LOYAL_OUTREACH["stall_minutes"]: the broker lost them.
    "prospects-requeue-stalled-imports": {
        "task": "prospects.tasks.requeue_stalled_imports",
        "schedule": crontab(minute="*/5"),
    },
    # docs/rules.md §2.7: files and staged rows of imports never finished go after a day.
    "prospects-clear-abandoned-imports": {
        "task": "prospects.tasks.clear_abandoned_imports_task",
        "schedule": crontab(minute=20),
    },
    # Webhook deliveries due again after a failure, or lost with the broker (prospects/webhooks.py).
    "prospects-send-webhooks": {
        "task": "prospects.tasks.send_webhooks",
        "schedule": crontab(minute="*"),
    },
    "outreach-requeue-stalled": {
        "task": "outreach.tasks.requeue_stalled",
        "schedule": crontab(minute="*/5"),
    },
    # Replies, bounces and "stop" answers from the mailbox (outreach/mailbox.py); idle when unset.
    "outreach-fetch-mailbox": {
        "task": "outreach.tasks.fetch_mailbox",
        "schedule": crontab(minute="*/5"),
    },
    # GDPR 14(3)(a): inform indirectly sourced people before day 30, or flag them for purge.
    "outreach-art14-notices": {
        "task": "outreach.tasks.send_art14_notices",
        "schedule": crontab(hour=9, minute=0),
    },
    # CNIL délib. 2021-122: access-log entries are kept LOYAL_RETENTION["access_log_months"].
    "registry-purge-access-log": {
        "task": "registry.tasks.purge_access_log_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # docs/rules.md §2.1 (INTERP): rights requests are kept five years after they are closed.
    "registry-purge-request-log": {
        "task": "registry.tasks.purge_request_log_task",
        "schedule": crontab(hour=3, minute=30),
    },
}
