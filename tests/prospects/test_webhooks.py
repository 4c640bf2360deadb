"""Webhooks to a real HTTP receiver on loopback: signed, retried, delivered once (prospects/webhooks.py)."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from standardwebhooks import Webhook

from consent.models import Route
from consent.objections import record_objection
from prospects import webhooks
from prospects.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from registry.rights import erase
from tests import factories

pytestmark = pytest.mark.django_db

EVERYTHING = [value for value, _label in WebhookEvent.Type.choices]


class Receiver:
    """A small webhook receiver: verifies each POST with the standardwebhooks library, keeps it."""

    def __init__(self) -> None:
        self.secret = ""
        self.received: list[dict] = []
        self.server: HTTPServer | None = None
        self.port = 0

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                receiver.received.append({"id": self.headers["webhook-id"], "payload": payload})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"


@pytest.fixture
def receiver():
    running = Receiver()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def endpoint(receiver, admin_user):
    made = webhooks.register(url=receiver.url, events=EVERYTHING, description="CRM sync", by=admin_user)
    receiver.secret = made.secret
    return made


def _by_type(receiver) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for item in receiver.received:
        found.setdefault(item["payload"]["type"], []).append(item["payload"]["data"])
    return found


def test_objection_and_erasure_reach_the_receiver_signed_and_without_personal_data(
    receiver, endpoint, rep, admin_user, django_capture_on_commit_callbacks
):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True), django_capture_on_commit_callbacks(execute=True):
        objecting = factories.prospect(by=rep, first_name="Anne", last_name="Leroy", email="anne@acme.fr")
        erased = factories.prospect(by=rep, first_name="Paul", last_name="Martin", email="paul@acme.fr")
        record_objection(objecting, channel="email", via=Route.PHONE, by=rep)
        erase(erased, by=admin_user)

    events = _by_type(receiver)
    assert sorted(events) == ["objection.recorded", "prospect.created", "prospect.erased"]
    assert events["objection.recorded"][0]["prospect"] == objecting.pk
    assert events["objection.recorded"][0]["channel"] == "email"
    assert events["prospect.erased"][0]["prospect"] == erased.pk
    assert events["prospect.erased"][0]["suppression_hashes"]["email"] == erased.email_index
    wire = json.dumps([item["payload"] for item in receiver.received])
    for personal in ("Anne", "Leroy", "anne@acme.fr", "Paul", "Martin", "paul@acme.fr", "Acme"):
        assert personal not in wire
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).count() == 4


def test_a_tampered_signature_is_refused_by_the_receiver_library(endpoint):
    event = WebhookEvent.objects.create(key="msg_x", type="prospect.created", data={"prospect": 1})
    at = timezone.now()
    body = webhooks.body_of(event)
    headers = {
        "webhook-id": event.key,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(event.key, at, body),
    }

    Webhook(endpoint.secret).verify(body, headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint.secret).verify(body.replace('"prospect":1', '"prospect":2'), headers)


def test_with_the_receiver_down_deliveries_are_retried_and_land_once_it_is_back(
    receiver, endpoint, rep, admin_user, django_capture_on_commit_callbacks
):
    receiver.stop()
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True), django_capture_on_commit_callbacks(execute=True):
        objecting = factories.prospect(by=rep, email="anne@acme.fr")
        erased = factories.prospect(by=rep, first_name="Paul", email="paul@acme.fr")
        record_objection(objecting, channel="", via=Route.PHONE, by=rep)
        erase(erased, by=admin_user)
    failed_first = list(WebhookAttempt.objects.values_list("ok", "status_code"))
    webhooks.send_due()  # Nothing is due yet: each waits for its backoff.
    receiver.start()

    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        landed = webhooks.send_due()
        again = webhooks.send_due()

    assert failed_first and all(row == (False, None) for row in failed_first)
    assert WebhookAttempt.objects.count() == len(failed_first) + landed
    assert (landed, again) == (4, 0)
    ids = [item["id"] for item in receiver.received]
    assert len(ids) == len(set(ids)) == 4  # Each event arrived exactly once.
    assert set(ids) == set(WebhookEvent.objects.values_list("key", flat=True))
    assert not WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.DELIVERED).exists()


def test_the_wait_doubles_after_each_failure(settings):
    settings.LOYAL_WEBHOOKS = {**settings.LOYAL_WEBHOOKS, "retry_seconds": 60}

    waits = [webhooks.backoff(attempts).total_seconds() for attempts in (1, 2, 3, 4)]

    assert waits == [60, 120, 240, 480]


def test_a_resend_posts_the_same_webhook_id_again(
    receiver, endpoint, rep, django_capture_on_commit_callbacks
):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True), django_capture_on_commit_callbacks(execute=True):
        factories.prospect(by=rep)
    delivery = WebhookDelivery.objects.get()

    with override_settings(CELERY_TASK_ALWAYS_EAGER=True), django_capture_on_commit_callbacks(execute=True):
        webhooks.resend(delivery)

    assert [item["id"] for item in receiver.received] == [delivery.event.key] * 2
    assert delivery.attempt_log.count() == 2


def test_an_endpoint_failing_for_the_whole_retry_period_is_disabled_and_the_admins_told(
    receiver, endpoint, rep, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    admin_user.email = "admin@example.com"
    admin_user.save()
    receiver.stop()
    with django_capture_on_commit_callbacks(execute=False):
        factories.prospect(by=rep)
    start = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        for hours in (0, 1, 25):
            with time_machine.travel(start + timedelta(hours=hours)):
                delivery = WebhookDelivery.objects.get()
                WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
                webhooks.send_due()

    endpoint.refresh_from_db()
    assert endpoint.active is False and "24" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
    assert [message.to for message in mailoutbox] == [["admin@example.com"]]


def test_an_endpoint_not_subscribed_to_an_event_gets_nothing(receiver, admin_user, rep):
    webhooks.register(url=receiver.url, events=["objection.recorded"], by=admin_user)

    factories.prospect(by=rep)

    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [("ftp://example.com/x", ["prospect.created"], "url"), ("https://example.com/x", [], "events"),
     ("https://example.com/x", ["prospect.deleted"], "events")],
)  # fmt: skip
def test_a_bad_endpoint_is_refused_naming_the_field(admin_user, url, events, field):
    with pytest.raises(Exception) as refused:
        webhooks.register(url=url, events=events, by=admin_user)

    assert field in refused.value.message_dict
    assert not WebhookEndpoint.objects.exists()
