"""The consent panel of the prospect page, its actions, and the DPO's view of the suppression list."""

import pytest
from django.test import Client
from django.urls import reverse

from consent.models import Consent, ConsentState, Objection, Route
from consent.objections import record_objection
from consent.state import consent_state
from org.models import Profile, Team
from prospects import suppression
from prospects.models import Prospect, Suppression
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(rep):
    return factories.prospect(by=rep, email="anne.leroy@acme.fr", phone="06 12 34 56 78")


def _client(user) -> Client:
    client = Client()
    factories.log_in(client, user)
    return client


def test_prospect_page_loads_the_consent_panel(rep_client, person):
    response = rep_client.get(person.get_absolute_url())

    assert reverse("consent:panel", args=[person.pk]).encode() in response.content
    assert b'id="consent-panel"' in response.content


def test_panel_shows_history_with_proof_and_the_objections(rep, rep_client, person):
    factories.consent(person, by=rep, wording="I agree to hear from Acme by email.", wording_version="v7")
    record_objection(person, channel="sms", via=Route.LETTER, by=rep)

    response = rep_client.get(reverse("consent:panel", args=[person.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "I agree to hear from Acme by email." in html and "v7" in html
    assert 'data-channel="sms"' in html and "Letter" in html
    assert 'data-copy="invitation-link"' in html and "/u/join/" in html


def test_panel_is_not_shown_for_a_prospect_of_another_team(person):
    stranger = factories.user(role="sales", username="stranger")
    Profile.objects.filter(user=stranger).update(team=Team.objects.create(name="Other team"))

    response = _client(stranger).get(reverse("consent:panel", args=[person.pk]))

    assert response.status_code == 404


def test_dpo_reads_the_panel_without_the_actions(dpo, person):
    response = _client(dpo).get(reverse("consent:panel", args=[person.pk]))

    assert response.status_code == 200
    assert b'id="objection-form"' not in response.content and b"/u/join/" not in response.content


def test_rep_records_an_objection_received_by_phone(rep, rep_client, person):
    url = reverse("consent:objection_add", args=[person.pk])

    asked = rep_client.post(url, {"objection-channel": "", "objection-received_via": Route.PHONE})
    assert asked.status_code == 200 and not Objection.objects.exists()
    assert "objects to prospecting on every channel?" in asked.content.decode()

    response = rep_client.post(
        url, {"objection-channel": "", "objection-received_via": Route.PHONE, "confirm": "yes"}
    )

    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.channel, objection.received_via, objection.recorded_by) == ("", Route.PHONE, rep)
    assert suppression.is_suppressed(person)


def test_a_global_objection_reduces_the_record_and_says_so_on_the_list_page(rep_client, person):
    url = reverse("consent:objection_add", args=[person.pk])

    response = rep_client.post(
        url, {"objection-channel": "", "objection-received_via": Route.PHONE, "confirm": "yes"}, follow=True
    )

    assert response.redirect_chain == [(reverse("prospects:list"), 302)]
    assert response.status_code == 200
    assert "reduced to its keyed hashes" in response.content.decode()
    assert not Prospect.objects.filter(pk=person.pk).exists()


def test_a_channel_objection_returns_to_the_prospect_page(rep_client, person):
    url = reverse("consent:objection_add", args=[person.pk])

    response = rep_client.post(
        url, {"objection-channel": "email", "objection-received_via": Route.PHONE, "confirm": "yes"}
    )

    assert response.status_code == 302 and response.url == person.get_absolute_url()


def test_dpo_cannot_record_an_objection(dpo, person):
    response = _client(dpo).post(
        reverse("consent:objection_add", args=[person.pk]), {"received_via": "phone"}
    )

    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_rep_records_a_consent_with_its_proof(rep, rep_client, person):
    data = {
        "purpose": "b2b_prospecting",
        "channel": "email",
        "method": "oral",
        "wording": "Do you agree that Acme emails you offers? Yes.",
        "wording_version": "call-script-2",
    }

    rep_client.post(
        reverse("consent:consent_add", args=[person.pk]), {f"consent-{k}": v for k, v in data.items()}
    )

    assert consent_state(person, channel="email") == ConsentState.VALID
    assert Consent.objects.get().collected_by == rep


def test_consent_without_proof_is_refused_with_a_message(rep_client, person):
    data = {
        "purpose": "b2b_prospecting",
        "channel": "email",
        "method": "signed_form",
        "wording": "",
        "wording_version": "",
    }

    posted = {f"consent-{k}": v for k, v in data.items()}
    response = rep_client.post(reverse("consent:consent_add", args=[person.pk]), posted)

    assert not Consent.objects.exists()
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_consent-wording_errors"' in html and 'value="signed_form" selected' in html


def test_rep_records_a_withdrawal_received_by_letter(rep, rep_client, person):
    factories.consent(person, by=rep)

    rep_client.post(
        reverse("consent:withdrawal_add", args=[person.pk]),
        {
            "withdrawal-purpose": "b2b_prospecting",
            "withdrawal-channel": "email",
            "withdrawal-received_via": Route.LETTER,
        },
    )

    assert consent_state(person, channel="email") == ConsentState.WITHDRAWN


def test_dpo_sees_suppression_counts_and_never_an_identifier(rep, dpo, person):
    record_objection(person, channel="sms", via=Route.PHONE, by=rep)
    record_objection(person, channel="", via=Route.LINK)

    response = _client(dpo).get(reverse("consent:suppression"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "4 keyed fingerprints" in html
    assert "Unsubscribe link" in html and "All channels" in html
    digests = Suppression.objects.values_list("digest", flat=True)
    assert not [digest for digest in digests if digest[:8] in html]
    assert "anne" not in html.lower().replace("channel", "") and "leroy" not in html.lower()


def test_rep_cannot_see_the_suppression_summary(rep_client):
    response = rep_client.get(reverse("consent:suppression"))

    assert response.status_code == 403
