"""Webhooks: the organisation's other systems told of each change, signed (docs/rules.md §2.3).

GDPR 19 asks that every recipient of a person's data hear of an objection, an erasure, a
rectification or a restriction; the propagation queue (prospects/propagation.py) records
each one, and ``emit_propagation`` turns its entries into webhook events in the same
transaction. Prospect and consent changes are emitted by their own entry points.

What a payload carries (docs/rules.md §2.3, "Webhooks"): the prospect's id, which is the
reference a recipient was given with ``prospect.created`` and keys its own copy by, the
change and its scope, and for an objection or an erasure the keyed hashes of the
suppression list. Never a name, an address or a note: a recipient that needs the record
reads it through the API, under its own role and the access log.

Delivery is an outbox: each event is one ``WebhookDelivery`` per subscribed endpoint,
sent by the Celery worker (``send_due``), signed with the Standard Webhooks scheme
(``webhook-id`` stable across attempts, so that a receiver drops a repeat), each attempt
logged, a failure retried after a wait that doubles (``LOYAL_WEBHOOK_RETRY_SECONDS``
first) until ``LOYAL_WEBHOOK_GIVE_UP_HOURS``; an endpoint failing that long is disabled
and the admins are told by e-mail.
"""

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from base64 import b64encode
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from org.roles import Role
from prospects.models import (
    Propagation,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)

logger = logging.getLogger(__name__)

EventType = WebhookEventType
# The propagation queue's changes as events (docs/rules.md §2.3).
FROM_PROPAGATION = {
    Propagation.Event.OBJECTION: EventType.OBJECTION_RECORDED,
    Propagation.Event.ERASURE: EventType.PROSPECT_ERASED,
    Propagation.Event.PURGE: EventType.PROSPECT_PURGED,
    Propagation.Event.RECTIFICATION: EventType.PROSPECT_RECTIFIED,
    Propagation.Event.RESTRICTION: EventType.PROSPECT_RESTRICTED,
    Propagation.Event.RESTRICTION_LIFTED: EventType.RESTRICTION_LIFTED,
}
# The person stays on the suppression list after these: a recipient keeps the hashes to refuse
# the person again (docs/rules.md §2.3). A purged person objected to nothing: no hash goes out.
WITH_HASHES = (Propagation.Event.OBJECTION, Propagation.Event.ERASURE)
ERROR_CHARS = 200


def _setting(name: str) -> int:
    return settings.LOYAL_WEBHOOKS[name]


# --- Endpoints ---------------------------------------------------------------------------------


def new_secret() -> str:
    """24 random bytes in the Standard Webhooks form ``whsec_<base64>``."""
    return "whsec_" + b64encode(secrets.token_bytes(24)).decode()


def _check(url: str, events: Iterable[str]) -> list[str]:
    errors: dict[str, list[str]] = {}
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors["url"] = [_("Enter the endpoint's full address, starting with https:// or http://.")]
    chosen = sorted(set(events))
    if not chosen:
        errors["events"] = [_("Choose at least one event.")]
    elif unknown := [event for event in chosen if event not in EventType.values]:
        errors["events"] = [_("Unknown event: %(events)s.") % {"events": ", ".join(unknown)}]
    if errors:
        raise ValidationError(errors)
    return chosen


def register(*, url: str, events: Iterable[str], description: str = "", by) -> WebhookEndpoint:
    """A new endpoint with a secret of Loyal's; the caller shows ``endpoint.secret`` once."""
    chosen = _check(url.strip(), events)
    endpoint = WebhookEndpoint.objects.create(
        url=url.strip(), events=chosen, description=description.strip(), secret=new_secret(), created_by=by
    )
    logger.info("webhook endpoint %s registered by user %s", endpoint.pk, getattr(by, "pk", None))
    return endpoint


def update(endpoint: WebhookEndpoint, *, url: str, events: Iterable[str], description: str, active: bool):
    """Change an endpoint; switching it back on clears its failure record."""
    endpoint.events = _check(url.strip(), events)
    endpoint.url, endpoint.description = url.strip(), description.strip()
    if active and not endpoint.active:
        endpoint.failing_since, endpoint.disabled_reason = None, ""
    endpoint.active = active
    endpoint.save()
    return endpoint


# --- Events ------------------------------------------------------------------------------------


def _subscribers(event_type: str) -> list[int]:
    return [
        endpoint.pk
        for endpoint in WebhookEndpoint.objects.filter(active=True).only("pk", "events")
        if event_type in endpoint.events
    ]


def emit(event_type: str, items: list[dict]) -> int:
    """Queue one event per item for every active endpoint subscribed to ``event_type``.

    Two statements whatever the number of items (the purge emits a chunk at once), and the
    sending waits for the transaction's commit: a rolled-back change tells nobody.
    """
    endpoints = _subscribers(event_type)
    if not endpoints or not items:
        return 0
    now = timezone.now()
    events = WebhookEvent.objects.bulk_create(
        WebhookEvent(key=f"msg_{uuid.uuid4().hex}", type=event_type, occurred_at=now, data=item)
        for item in items
    )
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint_id=endpoint, next_attempt_at=now)
        for event in events
        for endpoint in endpoints
    )
    transaction.on_commit(_enqueue)
    return len(events)


def _enqueue() -> None:
    from prospects.tasks import send_webhooks  # the tasks module imports this one

    send_webhooks.delay()


def emit_propagation(entries: list[int]) -> int:
    """The propagation queue's new entries as events: reference, change, scope, hashes (§2.3)."""
    if not entries or not WebhookEndpoint.objects.filter(active=True).exists():
        return 0
    by_type: dict[str, list[dict]] = {}
    for entry in Propagation.objects.filter(pk__in=entries).order_by("pk"):
        data = {
            "prospect": entry.prospect_id,
            "change": entry.event,
            "channel": entry.channel or None,
            "occurred_at": entry.occurred_at.isoformat(),
        }
        if entry.event in WITH_HASHES:
            data["suppression_hashes"] = {
                "email": entry.email_digest or None,
                "phone": entry.phone_digest or None,
                "linkedin_url": entry.linkedin_digest or None,
            }
        by_type.setdefault(FROM_PROPAGATION[entry.event], []).append(data)
    return sum(emit(event_type, items) for event_type, items in by_type.items())


def emit_prospect(event_type: str, prospect, *, fields: Iterable[str] = ()) -> int:
    """A prospect recorded or changed: its id, team and which fields changed, never their values."""
    data = {"prospect": prospect.pk, "team": prospect.team_id, "fields": sorted(fields)}
    return emit(event_type, [data])


def emit_consent(event_type: str, consent) -> int:
    data = {
        "prospect": consent.prospect_id,
        "consent": consent.pk,
        "purpose": consent.purpose.code,
        "channel": consent.channel,
        "occurred_at": consent.given_at.isoformat(),
    }
    return emit(event_type, [data])


# --- Delivery ----------------------------------------------------------------------------------


def body_of(event: WebhookEvent) -> str:
    """The JSON posted: the Standard Webhooks envelope (type, timestamp, data)."""
    envelope = {"type": event.type, "timestamp": event.occurred_at.isoformat(), "data": event.data}
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from the first, never above six hours."""
    return timedelta(seconds=min(_setting("retry_seconds") * 2 ** (attempts - 1), 6 * 3600))


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for one attempt; a second worker finds it leased and leaves it."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
            .select_related("event", "endpoint")
            .first()
        )
        if delivery is None or not delivery.endpoint.active:
            return None
        delivery.attempts += 1
        # The lease: past the request's timeout, an attempt lost with its worker is due again.
        delivery.next_attempt_at = now + timedelta(seconds=_setting("timeout_seconds") * 3)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _post(endpoint: WebhookEndpoint, event: WebhookEvent, at: datetime) -> tuple[int | None, str]:
    body = body_of(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Loyal-Webhooks/1",
        "webhook-id": event.key,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(event.key, at, body),
    }
    request = urllib.request.Request(endpoint.url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=_setting("timeout_seconds")) as answer:  # noqa: S310
            return answer.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"[:ERROR_CHARS]


def attempt(delivery_id: int) -> bool | None:
    """One signed POST of a due delivery, logged; returns whether it landed (None: not due)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    started, at = time.monotonic(), timezone.now()
    code, error = _post(delivery.endpoint, delivery.event, at)
    ok = code is not None and 200 <= code < 300
    latency = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, at=at, status_code=code, latency_ms=latency, ok=ok, error=error
        )
        if ok:
            _delivered(delivery, at)
        else:
            _failed(delivery, at)
    return ok


def _delivered(delivery: WebhookDelivery, at: datetime) -> None:
    delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, at
    delivery.save(update_fields=["status", "delivered_at"])
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)


def _failed(delivery: WebhookDelivery, at: datetime) -> None:
    give_up = timedelta(hours=_setting("give_up_hours"))
    first = delivery.attempt_log.order_by("at").values_list("at", flat=True).first() or at
    if at - first >= give_up:
        delivery.status = WebhookDelivery.Status.FAILED
    else:
        delivery.next_attempt_at = at + backoff(delivery.attempts)
    delivery.save(update_fields=["status", "next_attempt_at"])
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if endpoint.failing_since is None:
        endpoint.failing_since = at
        endpoint.save(update_fields=["failing_since"])
    elif endpoint.active and at - endpoint.failing_since >= give_up:
        _disable(endpoint)


def _disable(endpoint: WebhookEndpoint) -> None:
    """Failing for the whole retry period: switched off, and every admin told by e-mail."""
    hours = _setting("give_up_hours")
    endpoint.active = False
    endpoint.disabled_reason = _("Every delivery failed for %(hours)s hours.") % {"hours": hours}
    endpoint.save(update_fields=["active", "disabled_reason"])
    admins = get_user_model().objects.filter(groups__name=Role.ADMIN, is_active=True).exclude(email="")
    recipients = sorted(set(admins.values_list("email", flat=True)))
    logger.warning("webhook endpoint %s disabled after %s hours of failures", endpoint.pk, hours)
    if recipients:
        link = f"{settings.LOYAL_SITE_URL}/prospects/webhooks/{endpoint.pk}/"
        text = _(
            "Loyal could not deliver to the webhook endpoint %(url)s for %(hours)s hours and switched it "
            "off. Its deliveries are kept: fix the receiver, switch it on again and resend them: %(link)s"
        ) % {"url": endpoint.url, "hours": hours, "link": link}
        transaction.on_commit(
            lambda: send_mail(_("Webhook endpoint disabled"), text, None, recipients, fail_silently=True)
        )


def due(*, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come, oldest first, on active endpoints."""
    rows = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now(), endpoint__active=True
    )
    return list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def send_due(*, limit: int = 500) -> int:
    """Attempt every due delivery once; returns how many landed."""
    return sum(bool(attempt(delivery_id)) for delivery_id in due(limit=limit))


def resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """The admin asks for another try: due now, under the same ``webhook-id``."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now()
    )
    transaction.on_commit(_enqueue)
    delivery.refresh_from_db()
    return delivery
