"""The campaigns API: reps write and send, the DPO reads; the preview explains every refusal."""

import pytest
import yaml
from django.core import mail
from rest_framework.test import APIClient

from outreach.models import Campaign, CampaignStatus, Message, MessageStatus
from outreach.policy import Reason
from prospects import suppression
from prospects.models import Prospect
from tests import factories
from tests.outreach.conftest import WORK_LINE, informed

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Autumn offer",
    "purpose": "b2b_prospecting",
    "channel": "email",
    "target_functions": ["purchasing"],
    "offer_related_to_profession": True,
    "subject_fr": "Bonjour {first_name}",
    "body_fr": "Notre offre.",
    "subject_en": "Hello {first_name}",
    "body_en": "Our offer.",
    "sender_name": "Camille Martin, Acme Solutions",
    "sender_email": "camille@acme-solutions.example",
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_rep_creates_a_campaign(rep):
    segment = factories.whole_base(by=rep)

    response = api(rep).post("/api/campaigns/", {**NEW, "target_segment": segment.pk}, format="json")

    assert response.status_code == 201, response.json()
    campaign = Campaign.objects.get()
    assert (campaign.created_by, campaign.status, campaign.target_functions) == (rep, "draft", ["purchasing"])
    assert response.json()["purpose"] == "b2b_prospecting"
    assert (campaign.target_segment, response.json()["target_segment"]) == (segment, segment.pk)


def test_a_campaign_without_a_list_or_a_segment_is_refused_naming_the_field(rep):
    response = api(rep).post("/api/campaigns/", NEW, format="json")

    assert response.status_code == 400
    assert response.json() == {"target_list": ["Choose the list or the segment this campaign is for."]}
    assert not Campaign.objects.exists()


def test_a_campaign_on_another_teams_list_is_refused_as_not_found(rep):
    stranger = factories.user(role="sales", username="stranger", team=factories.team("South"))
    theirs = factories.prospect_list(by=stranger, name="Theirs")

    response = api(rep).post("/api/campaigns/", {**NEW, "target_list": theirs.pk}, format="json")

    assert response.status_code == 400
    assert "target_list" in response.json()
    assert not Campaign.objects.exists()


def test_an_unknown_channel_is_refused_with_the_field_named(rep):
    response = api(rep).post("/api/campaigns/", {**NEW, "channel": "fax"}, format="json")

    assert response.status_code == 400
    assert "channel" in response.json()


def test_preview_lists_every_recipient_with_reason_reference_and_counts(rep):
    informed(by=rep, email="ana@acme.fr")
    factories.prospect(by=rep, first_name="Zoe", email="zoe@gmail.com")
    campaign = factories.campaign(by=rep)

    body = api(rep).get(f"/api/campaigns/{campaign.pk}/preview/").json()

    assert {row["reason"]: row["count"] for row in body["counts"]} == {
        Reason.OK_B2B_LI: 1,
        Reason.REF_B2C_NO_CONSENT: 1,
    }
    refused = next(row for row in body["results"] if row["decision"] == "refuse")
    assert refused["prospect_name"] == "Zoe Dupont"
    assert refused["legal_reference"] == "CPCE L34-5 al.1; ePrivacy 13(1)"
    assert "consent" in refused["how_to_fix"]
    assert body["counts"][0]["reason"] == Reason.REF_B2C_NO_CONSENT  # Refusals first.
    assert body["campaign"]["status"] == "decided"


def test_preview_filters_one_reason(rep):
    informed(by=rep, email="ana@acme.fr")
    factories.prospect(by=rep, first_name="Zoe", email="zoe@gmail.com")
    campaign = factories.campaign(by=rep)

    body = api(rep).get(f"/api/campaigns/{campaign.pk}/preview/", {"reason": "REF_B2C_NO_CONSENT"}).json()

    assert [row["prospect_name"] for row in body["results"]] == ["Zoe Dupont"]


def test_send_queues_the_allowed_messages(rep, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(rep).post(f"/api/campaigns/{campaign.pk}/send/")

    assert response.status_code == 202
    assert response.json()["queued"] == 1
    assert Message.objects.get().status == MessageStatus.SENT
    assert len(mail.outbox) == 1


def test_sending_twice_is_refused(rep):
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    api(rep).post(f"/api/campaigns/{campaign.pk}/send/")

    response = api(rep).post(f"/api/campaigns/{campaign.pk}/send/")

    # A state conflict, not bad input (org/conflicts.py): 409 with what the state is.
    assert response.status_code == 409
    assert response.json() == {"detail": "This campaign is already sending or done."}


def test_the_dpo_reads_but_cannot_write_or_send(rep, dpo):
    campaign = factories.campaign(by=rep)

    assert api(dpo).get(f"/api/campaigns/{campaign.pk}/preview/").status_code == 200
    assert api(dpo).post("/api/campaigns/", NEW, format="json").status_code == 403
    assert api(dpo).post(f"/api/campaigns/{campaign.pk}/send/").status_code == 403
    assert api(dpo).patch(f"/api/campaigns/{campaign.pk}/", {"name": "x"}, format="json").status_code == 403


def test_another_teams_campaign_is_not_found(rep):
    north = factories.user(role="sales", username="north", team=factories.team("North"))
    campaign = factories.campaign(by=north)

    assert api(rep).get(f"/api/campaigns/{campaign.pk}/").status_code == 404
    assert api(rep).get("/api/campaigns/").json()["results"] == []


def test_editing_a_previewed_campaign_drops_its_preview(rep):
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    api(rep).get(f"/api/campaigns/{campaign.pk}/preview/")

    response = api(rep).patch(f"/api/campaigns/{campaign.pk}/", {"body_fr": "Autre texte."}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert not Message.objects.exists()


def test_a_call_is_logged_through_the_api(rep):
    informed(by=rep, email="", phone="+33612345678", **WORK_LINE)
    campaign = factories.campaign(by=rep, channel="phone")
    api(rep).post(f"/api/campaigns/{campaign.pk}/send/")
    message = Message.objects.get()

    response = api(rep).post(f"/api/campaigns/{campaign.pk}/log/", {"message": message.pk}, format="json")

    assert response.json() == {"status": "logged"}


def test_the_schema_describes_the_campaign_routes(rep):
    response = api(rep).get("/api/schema/")

    schema = yaml.safe_load(response.content)
    assert response.status_code == 200
    assert {"/api/campaigns/{id}/preview/", "/api/campaigns/{id}/send/"} <= set(schema["paths"])


def test_the_dpo_reading_a_draft_preview_does_not_decide_it(rep, dpo):
    campaign = factories.campaign(by=rep, channel="email")
    client = APIClient()
    client.force_authenticate(dpo)

    response = client.get(f"/api/campaigns/{campaign.pk}/preview/")

    campaign.refresh_from_db()
    assert response.status_code == 200
    assert campaign.status == CampaignStatus.DRAFT
    assert not Message.objects.filter(campaign=campaign).exists()


def test_a_campaign_on_a_segment_saved_through_the_api_sends_to_its_members_at_send_time(
    rep, settings, django_capture_on_commit_callbacks
):
    """Created, previewed and sent through the API: the worker reaches who matches at send time."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    ana = informed(by=rep, first_name="Ana", last_name="Martin", email="ana.martin@acme.fr")
    hugo = informed(by=rep, first_name="Hugo", last_name="Martin", email="hugo.martin@acme.fr")
    informed(by=rep, first_name="Zoe", last_name="Petit", email="zoe.petit@acme.fr")
    segment = api(rep).post(
        "/api/saved-views/", {"name": "Martins", "filters": {"q": "Martin"}}, format="json"
    )
    made = api(rep).post("/api/campaigns/", {**NEW, "target_segment": segment.json()["id"]}, format="json")
    pk = made.json()["id"]
    preview = api(rep).get(f"/api/campaigns/{pk}/preview/").json()
    Prospect.objects.filter(pk=ana.pk).update(last_name="Roux")
    luc = informed(by=rep, first_name="Luc", last_name="Martin", email="luc.martin@acme.fr")
    suppression.suppress(hugo, origin="link")

    with django_capture_on_commit_callbacks(execute=True):
        sent = api(rep).post(f"/api/campaigns/{pk}/send/")

    assert {row["prospect"] for row in preview["results"]} == {ana.pk, hugo.pk}
    assert sent.status_code == 202 and sent.json()["queued"] == 1
    outcome = dict(Message.objects.filter(campaign_id=pk).values_list("prospect_id", "reason"))
    assert outcome == {hugo.pk: Reason.REF_OBJECTION, luc.pk: Reason.OK_B2B_LI}
    assert [email.to for email in mail.outbox] == [["luc.martin@acme.fr"]]
