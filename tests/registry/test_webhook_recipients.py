"""Issue 20: the register names each active webhook endpoint as a recipient (GDPR 19, 30(1)(d))."""

import pytest

from prospects import webhooks
from prospects.models import WebhookDelivery
from registry.figures import live_figures
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_register_names_each_active_endpoint_with_the_events_delivered_to_it(rep, admin_user):
    crm = webhooks.register(
        url="https://crm.example.com/hooks",
        events=["prospect.created"],
        description="Company CRM",
        by=admin_user,
    )
    paused = webhooks.register(
        url="https://old.example.com/hooks", events=["prospect.created"], by=admin_user
    )
    paused.active = False
    paused.save()
    factories.prospect(by=rep)
    factories.prospect(by=rep, first_name="Lea", email="lea@acme.fr")
    WebhookDelivery.objects.filter(endpoint=crm).update(status=WebhookDelivery.Status.DELIVERED)
    mailing = webhooks.register(
        url="https://mail.example.com/in", events=["objection.recorded"], by=admin_user
    )

    figures = {figure.key: figure.value for figure in live_figures()["b2b_prospecting"]}

    assert figures["webhook_recipients"] == {
        "https://crm.example.com/hooks (Company CRM)": 2,
        mailing.url: 0,
    }
