"""What a mail client receives, parsed with Python's e-mail package from a real SMTP server
(aiosmtpd on loopback): text and HTML alternatives, the sender in a verified domain, the
bounce address as envelope sender, the list headers; an unverified sender is refused."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from consent import links
from consent.models import Purpose
from outreach import campaigns, content
from outreach.models import Campaign
from tests import factories
from tests.outreach import test_smtp
from tests.outreach.conftest import informed

# The real SMTP server and the eager worker of the sending tests.
smtp, eager, send = test_smtp.smtp, test_smtp.eager, test_smtp.send

pytestmark = pytest.mark.django_db


def test_a_campaign_e_mail_is_multipart_alternative_from_a_verified_domain(
    rep,
    smtp,
    eager,
    django_capture_on_commit_callbacks,
):
    informed(by=rep, first_name="Ana", email="ana@client.fr")
    campaign = factories.campaign(by=rep, body_fr="Bonjour {first_name},\n\nNos offres <b>& vous</b>.")

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    (received,) = smtp.received
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    page = message.get_body(preferencelist=("html",)).get_content()
    assert "Nos offres <b>& vous</b>." in text
    assert "Nos offres &lt;b&gt;&amp; vous&lt;/b&gt;." in page and "<b>" not in page
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe in text and f'href="{html.escape(unsubscribe)}"' in page
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == f"<b2b-prospecting.{content.site_domain()}>"
    assert message["Feedback-ID"].startswith(f"{campaign.pk}:b2b_prospecting:")
    assert message["From"].addresses[0].domain == "acme-solutions.example"
    assert message["Reply-To"].addresses[0].addr_spec == campaign.sender_email
    assert message["Return-Path"] == "<bounces@loyal.example>"


def test_a_sender_outside_the_verified_domains_is_refused_naming_the_field(rep):
    spoofed = {**factories.CAMPAIGN_TEXTS, "sender_email": "?$y9!u=f-~@vni1a12r.com"}
    purpose = Purpose.objects.get(code="b2b_prospecting")

    with pytest.raises(ValidationError) as refused:
        campaigns.create_campaign(
            by=rep, name="Spoof", purpose=purpose, channel="email", kind="promotion",
            target_list=factories.prospect_list(by=rep), **spoofed,
        )  # fmt: skip

    assert "verified sending domains" in refused.value.message_dict["sender_email"][0]
    assert not Campaign.objects.exists()


def test_the_api_refuses_an_unverified_sender_with_a_400_naming_it(rep):
    campaign = factories.campaign(by=rep)
    client = Client()
    factories.log_in(client, rep)

    response = client.patch(
        f"/api/campaigns/{campaign.pk}/",
        {"sender_email": "camille@elsewhere.example"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "acme-solutions.example" in response.json()["sender_email"][0]
    campaign.refresh_from_db()
    assert campaign.sender_email.endswith("@acme-solutions.example")


def test_head_on_the_unsubscribe_link_answers_like_get_and_records_nothing(rep, client):
    """Mail clients and link checkers send HEAD first; it must not unsubscribe anyone."""
    prospect = factories.prospect(by=rep)
    url = links.unsubscribe_url(prospect, channel="email")

    head = client.head(url)
    get = client.get(url)

    assert head.status_code == get.status_code == 200
    assert not prospect.objections.exists()
