"""Rate limits of the public forms: per client address and per form, per minute.

The counters are rows of the database, not of a process's memory, so that every gunicorn
worker and every machine counts together. A client is counted by a keyed hash of its
address: the table never holds an IP address (GDPR 5(1)(c)). Windows older than an hour
are deleted as new ones are written.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from webforms.models import RateWindow, WebForm

WINDOW = timedelta(minutes=1)
KEPT = timedelta(hours=1)


def _hit(scope: str, key: str, now) -> int:
    """Count one hit in the current window of ``scope``/``key``; the window's hits so far."""
    started = now.replace(second=0, microsecond=0)
    rows = RateWindow.objects.filter(scope=scope, key=key, started_at=started)
    if not rows.update(hits=F("hits") + 1):
        try:
            with transaction.atomic():
                RateWindow.objects.create(scope=scope, key=key, started_at=started, hits=1)
        except IntegrityError:  # another worker wrote the window first
            rows.update(hits=F("hits") + 1)
    return rows.values_list("hits", flat=True).first() or 1


def client_key(ip: str | None) -> str:
    return salted_hmac("webforms.throttle", ip or "unknown").hexdigest()


def over_limit(form: WebForm, *, ip: str | None) -> bool:
    """Count this submission; True once the client or the form is over its limit this minute."""
    now = timezone.now()
    RateWindow.objects.filter(started_at__lt=now - KEPT).delete()
    by_client = _hit("ip", client_key(ip), now)
    by_form = _hit("form", str(form.pk), now)
    return by_client > settings.LOYAL_WEBFORM_RATE_PER_IP or by_form > settings.LOYAL_WEBFORM_RATE_PER_FORM
