"""Campaign pages: build, preview with the reasons and their fixes, send, follow the outcome."""

import pytest
from django.core import mail
from django.test import Client

from outreach.models import Campaign, CampaignStatus, Message, MessageStatus
from tests import factories
from tests.outreach.conftest import WORK_LINE, informed

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    factories.log_in(client, user)
    return client


def test_a_rep_builds_a_campaign_and_lands_on_its_preview(rep_client, rep):
    informed(by=rep, email="ana@acme.fr")
    form = {
        "name": "Autumn offer",
        "purpose": "b2b_prospecting",
        "channel": "email",
        "kind": "promotion",
        "target_functions": "purchasing\nachats",
        "offer_related_to_profession": "on",
        "sender_name": "Camille Martin, Acme Solutions",
        "sender_email": "camille@acme-solutions.example",
        "subject_fr": "Bonjour",
        "body_fr": "Notre offre.",
        "subject_en": "Hello",
        "body_en": "Our offer.",
        "target_segment": factories.whole_base(by=rep).pk,
    }

    response = rep_client.post("/outreach/campaigns/new/", form, follow=True)

    campaign = Campaign.objects.get()
    assert campaign.target_functions == ["purchasing", "achats"]
    assert response.redirect_chain[-1][0] == f"/outreach/campaigns/{campaign.pk}/"
    assert campaign.status == CampaignStatus.DECIDED  # Opening the preview decided it.
    assert b"OK_B2B_LI" in response.content


def test_the_campaign_form_refuses_a_campaign_without_a_list_or_a_segment_on_the_field(rep_client):
    form = {
        "name": "Autumn offer", "purpose": "b2b_prospecting", "channel": "email", "kind": "promotion",
        "sender_name": "Camille Martin, Acme Solutions", "sender_email": "camille@acme-solutions.example",
        "subject_fr": "Bonjour", "body_fr": "Notre offre.",
    }  # fmt: skip

    response = rep_client.post("/outreach/campaigns/new/", form)

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "target_list": ["Choose the list or the segment this campaign is for."]
    }
    assert not Campaign.objects.exists()


def test_the_preview_shows_each_refusal_with_its_reason_and_what_would_fix_it(rep_client, rep):
    factories.prospect(by=rep, first_name="Zoe", email="zoe@gmail.com")
    campaign = factories.campaign(by=rep)

    response = rep_client.get(f"/outreach/campaigns/{campaign.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "REF_B2C_NO_CONSENT" in page
    assert "Zoe Dupont" in page
    assert "CPCE L34-5 al.1; ePrivacy 13(1)" in page
    assert "A private address needs consent" in page


def test_the_send_button_sends_and_the_page_shows_the_outcome(
    rep_client, rep, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)

    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(f"/outreach/campaigns/{campaign.pk}/send/", {"confirm": "yes"})

    page = rep_client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert len(mail.outbox) == 1
    assert 'data-status="sent"' in page


def test_the_outcome_refreshes_through_htmx_while_sending(rep_client, rep):
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    rep_client.post(f"/outreach/campaigns/{campaign.pk}/send/", {"confirm": "yes"})

    response = rep_client.get(f"/outreach/campaigns/{campaign.pk}/?part=outcome", HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert page.startswith('<section id="outcome"')
    assert 'hx-trigger="every 2s"' in page


def test_the_dpo_reads_the_preview_but_has_no_send_button(rep, dpo):
    campaign = factories.campaign(by=rep)

    page = logged_in(dpo).get(f"/outreach/campaigns/{campaign.pk}/")

    assert page.status_code == 200
    assert b'id="send"' not in page.content
    assert logged_in(dpo).post(f"/outreach/campaigns/{campaign.pk}/send/").status_code == 403


def test_the_checklist_logs_a_call(rep_client, rep):
    prospect = informed(by=rep, email="", phone="+33612345678", **WORK_LINE)
    campaign = factories.campaign(by=rep, channel="phone")
    rep_client.post(f"/outreach/campaigns/{campaign.pk}/send/", {"confirm": "yes"})
    message = Message.objects.get()
    page = rep_client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()

    rep_client.post(f"/outreach/campaigns/{campaign.pk}/messages/{message.pk}/log/")

    assert "+33612345678" in page
    assert Message.objects.get().status == MessageStatus.LOGGED
    assert prospect.interactions.get().type == "call_outbound"


def test_a_sent_campaign_cannot_be_edited(rep_client, rep):
    campaign = factories.campaign(by=rep, status=CampaignStatus.DONE)

    response = rep_client.post(f"/outreach/campaigns/{campaign.pk}/edit/", {"name": "x"})

    assert response.status_code == 400


def test_reps_find_campaigns_in_the_navigation(rep_client):
    page = rep_client.get("/outreach/campaigns/")

    assert page.status_code == 200
    assert b'href="/outreach/campaigns/"' in page.content


def test_the_linkedin_checklist_links_to_the_profile_on_linkedin(rep_client, rep):
    informed(by=rep, email="", linkedin_url="https://www.linkedin.com/in/claire-moreau/")
    campaign = factories.campaign(by=rep, channel="linkedin_msg")
    rep_client.post(f"/outreach/campaigns/{campaign.pk}/send/", {"confirm": "yes"})

    page = rep_client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()

    assert 'href="https://www.linkedin.com/in/claire-moreau"' in page
