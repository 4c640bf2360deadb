"""The access log: every read or export of a prospect, and its 12-month purge.

docs/rules.md §6 (CNIL délib. 2021-122): log reads of contact records and exports, with who,
when and which record; keep 6 to 12 months. The log stores ids only, never a copy
of the prospect's data.
"""

from collections.abc import Iterable
from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from org.models import AccessAction, AccessLog, ListExport


def record_access(user, prospect_ids: Iterable[int], *, action: AccessAction) -> int:
    """Log one entry per prospect read or exported by ``user`` (None: the command line)."""
    now = timezone.now()
    entries = [
        AccessLog(user=user, prospect_id=pk, action=action, at=now) for pk in dict.fromkeys(prospect_ids)
    ]
    AccessLog.objects.bulk_create(entries)
    return len(entries)


def kept_since(today: date | None = None):
    """The oldest moment still kept: ``access_log_months`` before today."""
    today = today or timezone.localdate()
    months = settings.LOYAL_RETENTION["access_log_months"]
    return timezone.make_aware(datetime.combine(today - relativedelta(months=months), time.min))


def purge_expired_access_log(*, today: date | None = None) -> int:
    """Delete the entries older than the retention of the access log, list exports among
    them; returns how many."""
    since = kept_since(today)
    deleted, _by_model = AccessLog.objects.filter(at__lt=since).delete()
    exports, _by_model = ListExport.objects.filter(at__lt=since).delete()
    return deleted + exports
