"""E-mail, SMS, automated calls and LinkedIn messages in the outreach gate (docs/rules.md §1.4)."""

import dataclasses
from datetime import date

import pytest

from consent.channels import Channel
from outreach.policy import ConsentState, Notice, PolicySource, Reason, decide
from prospects.audience import Audience
from tests.outreach.situations import (
    ALLOW,
    ALLOW_N,
    ELECTRONIC,
    INDIRECT,
    LEGIT_SOURCES,
    LINKEDIN_SOURCES,
    REFUSE,
    assert_verdict,
    situation,
)


@pytest.mark.parametrize("channel", ELECTRONIC)
@pytest.mark.parametrize("source", LEGIT_SOURCES)
def test_allows_a_company_record_role_address_from_any_legit_source(channel, source):
    verdict = decide(
        situation(
            channel=channel,
            audience=Audience.B2B_GENERIC,
            source=source,
            offer_related_to_profession=False,
            notice=Notice.NONE,
            natural_person=False,
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_LEGAL_PERSON)


@pytest.mark.parametrize(
    ("source", "notice", "decision", "reason"),
    [
        (PolicySource.LINKEDIN_CONNECTION, Notice.NONE, ALLOW_N, Reason.NOTICE_ART14),
        (PolicySource.BROKER_WITH_PROOF, Notice.NONE, ALLOW_N, Reason.NOTICE_ART14),
        (PolicySource.EVENT_BADGE_SCAN, Notice.NONE, ALLOW_N, Reason.NOTICE_ART14),
        (PolicySource.BUSINESS_CARD, Notice.NONE, ALLOW_N, Reason.NOTICE_ART13_LATE),
        (PolicySource.INBOUND, Notice.NONE, ALLOW_N, Reason.NOTICE_ART13_LATE),
        (PolicySource.BUSINESS_CARD, Notice.AT_COLLECTION, ALLOW, Reason.OK_LEGAL_PERSON),
        (PolicySource.LINKEDIN_CONNECTION, Notice.ART14_SENT, ALLOW, Reason.OK_LEGAL_PERSON),
    ],
)
def test_a_named_person_behind_a_role_address_is_still_owed_the_notice(source, notice, decision, reason):
    """docs/rules.md §1.2, §1.4: a generic address exempts the channel rule, not the person (GDPR 4(1))."""
    verdict = decide(
        situation(
            audience=Audience.B2B_GENERIC, source=source, notice=notice, offer_related_to_profession=False
        )
    )

    assert_verdict(verdict, decision, reason)


def test_allows_named_work_address_with_consent_even_for_an_unrelated_offer():
    verdict = decide(situation(consent=ConsentState.VALID, offer_related_to_profession=False))

    assert_verdict(verdict, ALLOW, Reason.OK_CONSENT)


def test_consent_from_an_indirect_source_still_needs_the_art14_notice():
    verdict = decide(situation(consent=ConsentState.VALID, source=PolicySource.LINKEDIN_CONNECTION))

    assert_verdict(verdict, ALLOW_N, Reason.OK_CONSENT)
    assert verdict.legal_reference.endswith("GDPR 14(3)(b)")


def test_refuses_unrelated_offer_to_named_work_address_without_consent():
    verdict = decide(situation(offer_related_to_profession=False))

    assert_verdict(verdict, REFUSE, Reason.REF_B2B_UNRELATED)


@pytest.mark.parametrize("source", [PolicySource.WEB_FORM_NOTICE, PolicySource.WEB_FORM_CONSENT])
def test_allows_related_offer_to_web_form_contact(source):
    verdict = decide(situation(source=source))

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)


def test_allows_related_offer_to_business_card_informed_at_collection():
    verdict = decide(situation(source=PolicySource.BUSINESS_CARD, notice=Notice.AT_COLLECTION))

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)


def test_business_card_without_notice_gets_a_late_art13_notice():
    verdict = decide(situation(source=PolicySource.BUSINESS_CARD, notice=Notice.NONE))

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART13_LATE)


def test_business_card_informed_later_is_allowed():
    verdict = decide(situation(source=PolicySource.BUSINESS_CARD, notice=Notice.ART14_SENT))

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)


@pytest.mark.parametrize("source", LINKEDIN_SOURCES)
def test_linkedin_contact_gets_art14_notice_in_first_message(source):
    verdict = decide(situation(source=source, notice=Notice.NONE))

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART14)


def test_broker_contact_with_proof_gets_art14_notice_naming_the_broker():
    verdict = decide(situation(source=PolicySource.BROKER_WITH_PROOF, notice=Notice.NONE))

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART14)
    assert "14(2)(f)" in verdict.legal_reference


@pytest.mark.parametrize("source", INDIRECT)
def test_indirect_contact_is_allowed_without_notice_once_art14_was_sent(source):
    verdict = decide(situation(source=source, notice=Notice.ART14_SENT))

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)


def test_a_related_offer_to_an_informed_customer_work_address_is_allowed():
    verdict = decide(situation(source=PolicySource.CUSTOMER_SALE, notice=Notice.AT_COLLECTION))

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)
    # The CNIL B2B rule; L34-5 al.4 is the B2C exception (docs/rules.md §1.4).
    assert "L34-5" not in verdict.legal_reference
    assert "CNIL B2B doctrine" in verdict.legal_reference


def test_a_customer_never_informed_at_the_sale_gets_the_notice_in_the_first_message():
    verdict = decide(situation(source=PolicySource.CUSTOMER_SALE, notice=Notice.NONE))

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART13_LATE)


@pytest.mark.parametrize(
    ("overrides", "decision", "reason"),
    [
        ({}, ALLOW, Reason.OK_B2B_LI),
        ({"consent": ConsentState.VALID, "offer_related_to_profession": False}, ALLOW, Reason.OK_CONSENT),
        ({"offer_related_to_profession": False}, REFUSE, Reason.REF_B2B_UNRELATED),
        ({"source": PolicySource.BUSINESS_CARD, "notice": Notice.NONE}, ALLOW_N, Reason.NOTICE_ART13_LATE),
        ({"source": PolicySource.LINKEDIN_CONNECTION, "notice": Notice.NONE}, ALLOW_N, Reason.NOTICE_ART14),
    ],
)
def test_automated_calls_to_named_work_numbers_follow_the_electronic_b2b_rules(overrides, decision, reason):
    verdict = decide(situation(channel=Channel.AUTO_CALL, **overrides))

    assert_verdict(verdict, decision, reason)


def test_allows_private_person_who_consented_to_us():
    verdict = decide(
        situation(audience=Audience.B2C, source=PolicySource.WEB_FORM_CONSENT, consent=ConsentState.VALID)
    )

    assert_verdict(verdict, ALLOW, Reason.OK_CONSENT)


def test_consent_collected_by_a_broker_naming_us_allows_with_notice():
    verdict = decide(
        situation(
            audience=Audience.B2C,
            source=PolicySource.BROKER_WITH_PROOF,
            notice=Notice.NONE,
            consent=ConsentState.VALID,
            consent_by_named_broker=True,
        )
    )

    assert_verdict(verdict, ALLOW_N, Reason.OK_CONSENT)


def test_broker_consent_that_did_not_name_us_does_not_count():
    verdict = decide(
        situation(
            audience=Audience.B2C,
            source=PolicySource.BROKER_WITH_PROOF,
            notice=Notice.NONE,
            consent=ConsentState.VALID,
            consent_by_named_broker=False,
        )
    )

    assert_verdict(verdict, REFUSE, Reason.REF_B2C_NO_CONSENT)


def test_allows_soft_opt_in_for_a_similar_offer_to_a_current_customer():
    verdict = decide(
        situation(audience=Audience.B2C, source=PolicySource.CUSTOMER_SALE, customer_similar=True)
    )

    assert_verdict(verdict, ALLOW, Reason.OK_SOFT_OPTIN)


def test_soft_opt_in_lasts_three_years_after_the_relationship_ended():
    verdict = decide(
        situation(
            audience=Audience.B2C,
            source=PolicySource.CUSTOMER_SALE,
            customer_similar=True,
            customer_relationship_ended_at=date(2023, 3, 2),
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_SOFT_OPTIN)


def test_soft_opt_in_ends_the_day_after_three_years():
    verdict = decide(
        situation(
            audience=Audience.B2C,
            source=PolicySource.CUSTOMER_SALE,
            customer_similar=True,
            customer_relationship_ended_at=date(2023, 3, 1),
        )
    )

    assert_verdict(verdict, REFUSE, Reason.REF_SOFT_OPTIN_ENDED)


def test_soft_opt_in_from_a_29_february_ends_on_28_february():
    on_term = situation(
        audience=Audience.B2C,
        source=PolicySource.CUSTOMER_SALE,
        customer_similar=True,
        customer_relationship_ended_at=date(2024, 2, 29),
        now=date(2027, 2, 28),
    )

    verdicts = decide(on_term), decide(dataclasses.replace(on_term, now=date(2027, 3, 1)))

    assert [verdict.reason for verdict in verdicts] == [Reason.OK_SOFT_OPTIN, Reason.REF_SOFT_OPTIN_ENDED]


@pytest.mark.parametrize(
    "gap",
    [
        Reason.REF_SOFT_OPTIN_NOT_ANALOGOUS,
        Reason.REF_SOFT_OPTIN_NO_OFFER_CATEGORY,
        Reason.REF_SOFT_OPTIN_NO_SALE_CATEGORY,
        Reason.REF_SOFT_OPTIN_NO_OPT_OUT,
    ],
)
def test_a_customer_missing_a_soft_opt_in_condition_is_refused_with_that_condition(gap):
    verdict = decide(situation(audience=Audience.B2C, source=PolicySource.CUSTOMER_SALE, customer_gap=gap))

    assert_verdict(verdict, REFUSE, gap)
    assert verdict.legal_reference.startswith("CPCE L34-5 al.4")


def test_a_gap_is_only_a_soft_opt_in_condition():
    with pytest.raises(ValueError, match="soft opt-in"):
        situation(audience=Audience.B2C, customer_gap=Reason.REF_OBJECTION)


def test_refuses_private_person_when_the_offer_is_not_similar_to_a_purchase():
    verdict = decide(
        situation(audience=Audience.B2C, source=PolicySource.CUSTOMER_SALE, customer_similar=False)
    )

    assert_verdict(verdict, REFUSE, Reason.REF_B2C_NO_CONSENT)


@pytest.mark.parametrize("channel", ELECTRONIC)
@pytest.mark.parametrize(
    "source",
    [PolicySource.WEB_FORM_NOTICE, PolicySource.BUSINESS_CARD, *INDIRECT],
)
def test_refuses_private_person_without_consent(channel, source):
    verdict = decide(situation(channel=channel, audience=Audience.B2C, source=source))

    assert_verdict(verdict, REFUSE, Reason.REF_B2C_NO_CONSENT)


def test_refuses_private_person_without_consent_even_for_a_related_offer():
    verdict = decide(situation(audience=Audience.B2C, offer_related_to_profession=True))

    assert_verdict(verdict, REFUSE, Reason.REF_B2C_NO_CONSENT)


def test_automated_call_to_a_private_person_needs_consent():
    without = decide(situation(channel=Channel.AUTO_CALL, audience=Audience.B2C))
    with_consent = decide(
        situation(channel=Channel.AUTO_CALL, audience=Audience.B2C, consent=ConsentState.VALID)
    )

    assert_verdict(without, REFUSE, Reason.REF_B2C_NO_CONSENT)
    assert_verdict(with_consent, ALLOW, Reason.OK_CONSENT)
