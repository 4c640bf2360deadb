"""The consents and objections API: append-only, role-checked, scoped to visible prospects."""

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from consent.models import Consent, ConsentState, Objection
from consent.state import consent_state
from org.models import Profile, Team
from prospects import suppression
from tests import factories

pytestmark = pytest.mark.django_db

PROOF = factories.CONSENT_PROOF


@pytest.fixture
def person(rep):
    return factories.prospect(by=rep, email="anne.leroy@acme.fr")


def _client(user) -> Client:
    client = Client()
    factories.log_in(client, user)
    return client


def _consents(person) -> str:
    return f"/api/prospects/{person.pk}/consents/"


def _objections(person) -> str:
    return f"/api/prospects/{person.pk}/objections/"


def test_rep_records_a_consent_with_proof_and_reads_it_back(rep, rep_client, person):
    created = rep_client.post(_consents(person), PROOF, content_type="application/json")

    listed = rep_client.get(_consents(person)).json()

    assert created.status_code == 201
    assert created.json()["wording_sha256"] == Consent.objects.get().wording_sha256
    assert listed["results"][0]["purpose"] == "b2b_prospecting" and listed["results"][0]["counts"] is True
    assert "next" in listed and "count" not in listed  # Cursor pagination: no COUNT(*).
    assert consent_state(person, channel="email") == ConsentState.VALID


def test_consent_without_proof_gets_a_json_error_naming_the_field(rep_client, person):
    response = rep_client.post(_consents(person), {**PROOF, "wording": ""}, content_type="application/json")

    assert response.status_code == 400
    assert "wording" in response.json()
    assert not Consent.objects.exists()


def test_withdrawal_is_the_creation_of_a_new_row(rep, rep_client, person):
    factories.consent(person, by=rep)

    response = rep_client.post(
        _consents(person),
        {
            "purpose_code": "b2b_prospecting",
            "channel": "email",
            "action": "withdraw",
            "received_via": "phone",
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Consent.objects.count() == 2
    assert consent_state(person, channel="email") == ConsentState.WITHDRAWN


def test_withdrawing_a_consent_already_withdrawn_is_a_conflict(rep, rep_client, person):
    factories.consent(person, by=rep)
    withdrawal = {"purpose_code": "b2b_prospecting", "channel": "email", "action": "withdraw"}
    first = rep_client.post(
        _consents(person), {**withdrawal, "received_via": "phone"}, content_type="application/json"
    )

    second = rep_client.post(
        _consents(person), {**withdrawal, "received_via": "letter"}, content_type="application/json"
    )

    assert (first.status_code, second.status_code) == (201, 409)
    assert "already withdrawn" in second.json()["detail"]
    assert Consent.objects.count() == 2  # The grant and the first withdrawal; nothing more.


def test_the_schema_documents_the_409_of_a_second_withdrawal():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    responses = schema["paths"]["/api/prospects/{prospect_pk}/consents/"]["post"]["responses"]

    assert "409" in responses


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_consents_and_objections_cannot_be_edited_or_deleted(rep, rep_client, person, method):
    consent = factories.consent(person, by=rep)

    responses = [
        getattr(rep_client, method)(f"{_consents(person)}{consent.pk}/", {}, content_type="application/json"),
        getattr(rep_client, method)(_consents(person), {}, content_type="application/json"),
        getattr(rep_client, method)(_objections(person), {}, content_type="application/json"),
    ]

    assert [r.status_code for r in responses] == [404, 405, 405]
    assert Consent.objects.get().wording == consent.wording


def test_rep_records_an_objection_that_is_applied_at_once(rep, rep_client, person):
    response = rep_client.post(
        _objections(person), {"channel": "", "received_via": "letter"}, content_type="application/json"
    )

    assert response.status_code == 201
    assert response.json()["recorded_by"] == "rep"
    assert suppression.is_suppressed(person, channel="email")


def test_a_global_objection_answers_that_the_record_was_reduced_to_its_hash(rep_client, person):
    response = rep_client.post(
        _objections(person), {"channel": "", "received_via": "letter"}, content_type="application/json"
    )

    body = response.json()
    assert response.status_code == 201 and body["record_reduced_to_hash"] is True
    assert "reduced to its keyed hashes" in body["detail"]
    assert rep_client.get(_objections(person)).status_code == 404


def test_a_channel_objection_keeps_the_record_and_says_nothing_more(rep_client, person):
    response = rep_client.post(
        _objections(person), {"channel": "email", "received_via": "letter"}, content_type="application/json"
    )

    assert response.status_code == 201
    assert (response.json()["record_reduced_to_hash"], response.json()["detail"]) == (False, "")


def test_objection_from_an_unknown_route_names_the_field(rep_client, person):
    response = rep_client.post(
        _objections(person), {"channel": "email", "received_via": "link"}, content_type="application/json"
    )

    assert response.status_code == 400 and "received_via" in response.json()
    assert not Objection.objects.exists()


def test_dpo_reads_but_cannot_create(rep, dpo, person):
    factories.consent(person, by=rep)
    client = _client(dpo)

    read = client.get(_consents(person))
    create = client.post(_objections(person), {"received_via": "phone"}, content_type="application/json")

    assert read.status_code == 200 and len(read.json()["results"]) == 1
    assert create.status_code == 403
    assert not Objection.objects.exists()


def test_prospect_of_another_team_is_not_found(person):
    stranger = factories.user(role="sales", username="stranger")
    Profile.objects.filter(user=stranger).update(team=Team.objects.create(name="Other team"))
    client = _client(stranger)

    listed = client.get(_consents(person))
    created = client.post(_objections(person), {"received_via": "phone"}, content_type="application/json")

    assert (listed.status_code, created.status_code) == (404, 404)
    assert not Objection.objects.exists()


def test_anonymous_caller_is_refused(person):
    response = Client().get(_consents(person))

    assert response.status_code in (401, 403)


def test_schema_stays_valid_with_the_consent_endpoints():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)

    assert "/api/prospects/{prospect_pk}/consents/" in schema["paths"]
    assert "/api/prospects/{prospect_pk}/objections/" in schema["paths"]
