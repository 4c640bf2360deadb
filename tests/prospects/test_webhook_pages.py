"""The admin's webhook page and API: a secret shown once, deliveries with every attempt, a resend."""

import pytest

from prospects import webhooks
from prospects.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests import factories

pytestmark = pytest.mark.django_db

FORM = {"url": "https://hooks.example.com/loyal", "description": "ESP", "events": ["objection.recorded"]}


def test_the_page_registers_an_endpoint_and_shows_its_secret_only_once(admin_client):
    registered = admin_client.post("/prospects/webhooks/", FORM)

    endpoint = WebhookEndpoint.objects.get()
    later = admin_client.get("/prospects/webhooks/").content.decode()
    detail = admin_client.get(f"/prospects/webhooks/{endpoint.pk}/").content.decode()
    assert registered.status_code == 200
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in registered.content.decode()
    assert endpoint.secret not in later and endpoint.secret not in detail
    assert endpoint.url in later and endpoint.events == ["objection.recorded"]


def test_an_endpoint_without_events_is_refused_on_the_page_naming_the_field(admin_client):
    refused = admin_client.post("/prospects/webhooks/", {**FORM, "events": []})

    page = refused.content.decode()
    assert refused.status_code == 400
    assert list(refused.context["form"].errors) == ["events"]
    # The summary leads to the group of boxes (a group has no one input for its label).
    assert 'href="#id_events"' in page and '<div id="id_events">' in page
    assert 'value="https://hooks.example.com/loyal"' in page and 'value="ESP"' in page
    assert not WebhookEndpoint.objects.exists()


def test_the_endpoint_page_lists_each_attempt_and_resends_under_the_same_id(admin_client, admin_user):
    endpoint = webhooks.register(url=FORM["url"], events=["prospect.created"], by=admin_user)
    webhooks.emit("prospect.created", [{"prospect": 7}])
    delivery = WebhookDelivery.objects.get()
    WebhookAttempt.objects.create(delivery=delivery, status_code=503, latency_ms=12, error="HTTP 503")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)

    page = admin_client.get(f"/prospects/webhooks/{endpoint.pk}/").content.decode()
    resent = admin_client.post(f"/prospects/webhooks/deliveries/{delivery.pk}/resend/")

    assert delivery.event.key in page and "503" in page and "12 ms" in page
    assert resent.status_code == 302
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING


def test_switching_an_endpoint_off_on_the_page_stops_its_events(admin_client, admin_user, rep):
    endpoint = webhooks.register(url=FORM["url"], events=["prospect.created"], by=admin_user)

    saved = admin_client.post(
        f"/prospects/webhooks/{endpoint.pk}/", {"url": FORM["url"], "events": ["prospect.created"]}
    )
    factories.prospect(by=rep)

    assert saved.status_code == 302
    assert WebhookEndpoint.objects.get().active is False
    assert not WebhookDelivery.objects.exists()


def test_the_api_answers_the_secret_on_creation_only(admin_client):
    created = admin_client.post("/api/webhooks/", FORM, content_type="application/json")

    listed = admin_client.get("/api/webhooks/").json()
    endpoint = WebhookEndpoint.objects.get()
    assert created.status_code == 201 and created.json()["secret"] == endpoint.secret
    assert "secret" not in listed["results"][0]
    assert listed["results"][0]["events"] == ["objection.recorded"]


def test_the_api_refuses_an_unknown_event_naming_the_field(admin_client):
    refused = admin_client.post(
        "/api/webhooks/", {**FORM, "events": ["prospect.deleted"]}, content_type="application/json"
    )

    assert refused.status_code == 400 and "events" in refused.json()
    assert not WebhookEndpoint.objects.exists()


def test_the_api_lists_an_endpoint_s_deliveries_with_their_attempts(admin_client, admin_user):
    endpoint = webhooks.register(url=FORM["url"], events=["prospect.created"], by=admin_user)
    webhooks.emit("prospect.created", [{"prospect": 7}])
    delivery = WebhookDelivery.objects.get()
    WebhookAttempt.objects.create(delivery=delivery, status_code=500, latency_ms=30, error="HTTP 500")

    answer = admin_client.get(f"/api/webhooks/{endpoint.pk}/deliveries/").json()

    row = answer["results"][0]
    assert row["webhook_id"] == delivery.event.key and row["event"] == "prospect.created"
    assert row["attempt_log"][0]["status_code"] == 500


def test_a_rep_cannot_read_the_endpoints(rep_client, admin_user):
    webhooks.register(url=FORM["url"], events=["prospect.created"], by=admin_user)

    assert rep_client.get("/api/webhooks/").status_code == 403
    assert rep_client.get("/prospects/webhooks/").status_code == 403
