"""Consent: never without its proof, withdrawn for good, counted only once confirmed (GDPR 7)."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from consent.models import Action, Consent, ConsentState, Purpose, Route
from consent.recording import confirm_consents, record_consent, withdraw_consent
from consent.state import consent_state
from org.conflicts import StateConflict
from prospects.models import InteractionType, Prospect
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(rep):
    return factories.prospect(by=rep, email="anne.leroy@gmail.com", language="en")


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"method": ""}, "method"),
        ({"wording": "  "}, "wording"),
        ({"wording_version": ""}, "wording_version"),
        ({"method": "signed_form", "evidence_ref": ""}, "evidence_ref"),
        ({"method": "checkbox", "ip": None, "user_agent": "Mozilla/5.0"}, "ip"),
        ({"method": "checkbox", "ip": "198.51.100.4", "user_agent": ""}, "user_agent"),
        ({"broker": "ListCo", "broker_contract_ref": ""}, "broker_contract_ref"),
    ],
)
def test_consent_without_its_proof_is_refused_naming_the_field(rep, person, missing, field):
    proof = factories.consent_proof(**missing)

    with pytest.raises(ValidationError) as refused:
        record_consent(person, purpose_code="b2b_prospecting", channel="email", proof=proof, by=rep)

    assert field in refused.value.message_dict
    assert not Consent.objects.exists()
    assert consent_state(person, channel="email") == ConsentState.NONE


def test_consent_without_anyone_who_collected_it_is_refused(person):
    with pytest.raises(ValidationError) as refused:
        record_consent(
            person, purpose_code="b2b_prospecting", channel="email", proof=factories.consent_proof()
        )

    assert "collected_by" in refused.value.message_dict


def test_database_refuses_a_grant_row_without_proof(rep, person):
    purpose = Purpose.objects.get(code="b2b_prospecting")

    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            prospect=person, purpose=purpose, channel="email", action=Action.GRANT, collected_by=rep
        )

    assert not Consent.objects.exists()


def test_consent_with_proof_counts_and_keeps_the_hash_of_the_wording(rep, person):
    proof = factories.consent_proof(wording="  J'accepte de recevoir les offres d'Acme par email.  ")

    consent = record_consent(person, purpose_code="b2b_prospecting", channel="email", proof=proof, by=rep)

    expected = hashlib.sha256(b"J'accepte de recevoir les offres d'Acme par email.").hexdigest()
    assert consent.wording_sha256 == expected
    assert (consent.collected_by, consent.recorded_by, consent.wording_version) == (rep, rep, "form-3")
    assert consent_state(person, channel="email") == ConsentState.VALID


def test_consent_is_specific_to_its_channel_and_purpose(rep, person):
    factories.consent(person, by=rep, channel="email", purpose_code="newsletter")

    states = (
        consent_state(person, channel="email", purpose_code="newsletter"),
        consent_state(person, channel="email"),
        consent_state(person, channel="sms", purpose_code="newsletter"),
    )

    assert states == (ConsentState.VALID, ConsentState.NONE, ConsentState.NONE)


def test_withdrawn_consent_never_counts_again(rep, person):
    factories.consent(person, by=rep, channel="email")

    withdrawal = withdraw_consent(
        person, purpose_code="b2b_prospecting", channel="email", via=Route.PHONE, by=rep
    )
    backdated = factories.consent(person, by=rep, given_at=timezone.now() - timezone.timedelta(days=3))

    assert withdrawal.action == Action.WITHDRAW
    assert backdated.pk > withdrawal.pk
    assert consent_state(person, channel="email") == ConsentState.WITHDRAWN
    assert Consent.objects.filter(action=Action.GRANT).count() == 2  # Nothing was edited.


def test_a_consent_withdrawn_twice_is_a_state_conflict_and_adds_no_row(rep, person):
    factories.consent(person, by=rep)
    withdraw_consent(person, purpose_code="b2b_prospecting", channel="email", via=Route.LETTER, by=rep)

    with pytest.raises(StateConflict) as refused:
        withdraw_consent(person, purpose_code="b2b_prospecting", channel="email", via=Route.PHONE, by=rep)

    assert "already withdrawn" in refused.value.messages[0]
    assert Consent.objects.filter(action=Action.WITHDRAW).count() == 1


def test_new_consent_given_after_a_withdrawal_counts(rep, person):
    factories.consent(person, by=rep)
    withdraw_consent(person, purpose_code="b2b_prospecting", channel="email", via=Route.LETTER, by=rep)

    factories.consent(person, by=rep)

    assert consent_state(person, channel="email") == ConsentState.VALID


def test_unconfirmed_double_opt_in_never_counts(rep, person, mailoutbox):
    proof = factories.consent_proof(method="double_opt_in", ip="198.51.100.4", user_agent="Mozilla/5.0")

    consent = record_consent(person, purpose_code="b2b_prospecting", channel="email", proof=proof, by=rep)

    assert consent.is_pending
    assert consent_state(person, channel="email") == ConsentState.NONE
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["anne.leroy@gmail.com"]


def test_confirmed_double_opt_in_counts_from_its_confirmation(rep, person, mailoutbox):
    proof = factories.consent_proof(method="double_opt_in", ip="198.51.100.4", user_agent="Mozilla/5.0")
    consent = record_consent(person, purpose_code="b2b_prospecting", channel="email", proof=proof, by=rep)

    confirmed = confirm_consents(person, consent_ids=[consent.pk], ip="198.51.100.9", user_agent="Firefox")
    again = confirm_consents(person, consent_ids=[consent.pk], ip="198.51.100.9", user_agent="Firefox")

    assert [c.pk for c in confirmed] == [c.pk for c in again]
    assert confirmed[0].ip == "198.51.100.9"
    assert consent_state(person, channel="email") == ConsentState.VALID


def test_first_confirmation_restarts_the_retention_clock_and_a_pending_grant_does_not(
    rep, person, mailoutbox
):
    proof = factories.consent_proof(method="double_opt_in", ip="198.51.100.4", user_agent="Mozilla/5.0")
    consent = record_consent(person, purpose_code="b2b_prospecting", channel="email", proof=proof, by=rep)
    pending_contact = Prospect.objects.get(pk=person.pk).last_prospect_contact_at

    confirm_consents(person, consent_ids=[consent.pk], ip="198.51.100.9", user_agent="Firefox")
    confirm_consents(person, consent_ids=[consent.pk], ip="198.51.100.9", user_agent="Firefox")

    assert pending_contact is None
    assert Prospect.objects.get(pk=person.pk).last_prospect_contact_at == consent.confirmation.confirmed_at
    assert list(person.interactions.values_list("type", flat=True)) == [InteractionType.REPERMISSION_YES]


def test_double_opt_in_withdrawn_before_confirmation_is_not_revived_by_the_old_link(rep, person, mailoutbox):
    proof = factories.consent_proof(method="double_opt_in", ip="198.51.100.4", user_agent="Mozilla/5.0")
    consent = record_consent(person, purpose_code="b2b_prospecting", channel="email", proof=proof, by=rep)
    withdraw_consent(person, purpose_code="b2b_prospecting", channel="email", via=Route.PREFERENCES)

    confirmed = confirm_consents(person, consent_ids=[consent.pk], ip="198.51.100.9", user_agent="Firefox")

    assert confirmed == []
    assert consent_state(person, channel="email") == ConsentState.WITHDRAWN


def test_double_opt_in_needs_an_email_address(rep):
    person = factories.prospect(by=rep, phone="06 12 34 56 78")
    proof = factories.consent_proof(method="double_opt_in", ip="198.51.100.4", user_agent="Mozilla/5.0")

    with pytest.raises(ValidationError) as refused:
        record_consent(person, purpose_code="b2b_prospecting", channel="phone", proof=proof, by=rep)

    assert "method" in refused.value.message_dict


def test_broker_consent_counts_only_if_the_broker_form_named_us(rep, person):
    factories.consent(
        person, by=rep, channel="email", broker="ListCo", broker_contract_ref="C-1", broker_named_us=False
    )
    factories.consent(
        person, by=rep, channel="sms", broker="ListCo", broker_contract_ref="C-1", broker_named_us=True
    )

    states = consent_state(person, channel="email"), consent_state(person, channel="sms")

    assert states == (ConsentState.NONE, ConsentState.VALID)
    assert Consent.objects.get(channel="sms").collected_by is None


def test_consent_for_an_undeclared_purpose_or_channel_is_refused(rep, person):
    with pytest.raises(ValidationError) as refused:
        record_consent(
            person, purpose_code="profiling", channel="fax", proof=factories.consent_proof(), by=rep
        )

    assert {"purpose", "channel"} <= set(refused.value.message_dict)


def test_declared_purposes_carry_the_register_codes():
    codes = set(Purpose.objects.values_list("code", flat=True))

    assert {"b2b_prospecting", "newsletter", "events"} <= codes
