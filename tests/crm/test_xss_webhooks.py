"""XSS, webhooks: the description an admin types, and the URL, read back on both webhook pages."""

import pytest

from prospects.models import WebhookEndpoint
from tests import factories
from tests.crm.hostile import logged_in, marker, post, read

pytestmark = pytest.mark.django_db

FIELDS = {"prospects.WebhookEndpoint.description", "prospects.WebhookEndpoint.url"}
PAYLOADS = ('<script>alert("{m}")</script>', "\"><img src=x onerror=alert('{m}')>", "<svg onload={m}>")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_description_and_url_are_escaped_on_the_webhook_pages(payload):
    admin = factories.user(role="admin", username="admin")
    clients = logged_in(admin=admin)
    description = payload.format(m=marker())
    # A URL may carry quotes and angle brackets only escaped; its query is free text.
    url = f"https://hooks.example.com/in?note={marker()}%22%3E%3Cscript%3E"

    post(
        clients["admin"],
        "/prospects/webhooks/",
        {"url": url, "description": description, "events": ["prospect.created"]},
    )

    endpoint = WebhookEndpoint.objects.get()
    values = {"prospects.WebhookEndpoint.description": description, "prospects.WebhookEndpoint.url": url}
    assert endpoint.description == description
    read(clients["admin"], "/prospects/webhooks/", values, shown=values)
    read(clients["admin"], f"/prospects/webhooks/{endpoint.pk}/", values, shown=values)
