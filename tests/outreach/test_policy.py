"""The outreach gate of docs/rules.md §1: guards in order, then the channel × audience × source matrix."""

import dataclasses
from datetime import date, datetime, timedelta

import pytest

from consent.channels import Channel
from outreach.policy import (
    B2C_PHONE_OPT_IN_FROM,
    ConsentState,
    Decision,
    Notice,
    PolicySource,
    Reason,
    Situation,
    Verdict,
    decide,
)
from prospects.audience import Audience

TODAY = date(2026, 3, 2)  # A Monday, before the B2C phone opt-in switch.
ALLOW = Decision.ALLOW
ALLOW_N = Decision.ALLOW_WITH_NOTICE
REFUSE = Decision.REFUSE
ELECTRONIC = [Channel.EMAIL, Channel.SMS, Channel.AUTO_CALL, Channel.LINKEDIN_MSG]
LINKEDIN_SOURCES = [PolicySource.LINKEDIN_CONNECTION, PolicySource.LINKEDIN_PUBLIC_PROFILE]
INDIRECT = [*LINKEDIN_SOURCES, PolicySource.BROKER_WITH_PROOF]
LEGIT_SOURCES = [
    PolicySource.BUSINESS_CARD,
    *INDIRECT,
    PolicySource.WEB_FORM_NOTICE,
    PolicySource.WEB_FORM_CONSENT,
    PolicySource.CUSTOMER_SALE,
]


def situation(**overrides) -> Situation:
    """A lawful default: a related B2B offer emailed to a named work address from a web form."""
    fields = {
        "channel": Channel.EMAIL,
        "audience": Audience.B2B_NOMINATIVE,
        "source": PolicySource.WEB_FORM_NOTICE,
        "offer_related_to_profession": True,
        "notice": Notice.AT_COLLECTION,
        "acquired_at": TODAY - timedelta(days=10),
        "objection": False,
        "consent": ConsentState.NONE,
        "customer_similar": False,
        "retention_expired": False,
        "template_ok": True,
        "now": TODAY,
    }
    return Situation(**(fields | overrides))


def b2c_call(**overrides) -> Situation:
    """A lawful pre-reform B2C call: Bloctel checked last week, Monday 11:00, no prior call."""
    fields = {
        "channel": Channel.PHONE,
        "audience": Audience.B2C,
        "bloctel_checked_at": TODAY - timedelta(days=7),
        "call_time": datetime(2026, 3, 2, 11, 0),
        "calls_last_30_days": 0,
    }
    return situation(**(fields | overrides))


def assert_verdict(verdict: Verdict, decision: Decision, reason: Reason) -> None:
    assert (verdict.decision, verdict.reason) == (decision, reason)


def test_default_situation_is_allowed():
    verdict = decide(situation())

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)


# --- Global guards (docs/rules.md §1.3), first hit wins ---


def test_refuses_record_past_its_retention_period():
    verdict = decide(situation(retention_expired=True))

    assert_verdict(verdict, REFUSE, Reason.REF_RETENTION_EXPIRED)
    assert "5(1)(e)" in verdict.legal_reference


def test_expired_retention_wins_over_objection():
    verdict = decide(situation(retention_expired=True, objection=True))

    assert_verdict(verdict, REFUSE, Reason.REF_RETENTION_EXPIRED)


def test_refuses_prospect_whose_processing_is_restricted():
    verdict = decide(situation(restricted=True))

    assert_verdict(verdict, REFUSE, Reason.REF_RESTRICTED)
    assert verdict.legal_reference == "GDPR 18(2)"


def test_restriction_comes_after_expiry_and_before_objection():
    expired = decide(situation(retention_expired=True, restricted=True))
    objected = decide(situation(restricted=True, objection=True))

    assert expired.reason == Reason.REF_RETENTION_EXPIRED
    assert objected.reason == Reason.REF_RESTRICTED


def test_refuses_prospect_who_objected():
    verdict = decide(situation(objection=True))

    assert_verdict(verdict, REFUSE, Reason.REF_OBJECTION)
    assert "21(2)-(3)" in verdict.legal_reference


def test_objection_refuses_even_a_legal_person_on_post():
    verdict = decide(situation(channel=Channel.POSTAL, audience=Audience.B2B_GENERIC, objection=True))

    assert_verdict(verdict, REFUSE, Reason.REF_OBJECTION)


def test_objection_wins_over_scraped_source():
    verdict = decide(situation(objection=True, source=PolicySource.SCRAPING))

    assert_verdict(verdict, REFUSE, Reason.REF_OBJECTION)


def test_refuses_scraped_source():
    verdict = decide(situation(source=PolicySource.SCRAPING))

    assert_verdict(verdict, REFUSE, Reason.REF_SCRAPED_SOURCE)


def test_scraped_source_is_refused_even_with_consent_for_a_legal_person():
    verdict = decide(
        situation(source=PolicySource.SCRAPING, audience=Audience.B2B_GENERIC, consent=ConsentState.VALID)
    )

    assert_verdict(verdict, REFUSE, Reason.REF_SCRAPED_SOURCE)


def test_refuses_broker_without_proof():
    verdict = decide(situation(source=PolicySource.BROKER_WITHOUT_PROOF))

    assert_verdict(verdict, REFUSE, Reason.REF_BROKER_NO_PROOF)


def test_unknown_source_fails_closed_as_broker_without_proof():
    verdict = decide(situation(source=None, audience=Audience.B2B_GENERIC))

    assert_verdict(verdict, REFUSE, Reason.REF_BROKER_NO_PROOF)


def test_refuses_when_consent_for_the_channel_was_withdrawn():
    verdict = decide(situation(consent=ConsentState.WITHDRAWN))

    assert_verdict(verdict, REFUSE, Reason.REF_CONSENT_WITHDRAWN)


def test_withdrawn_consent_wins_over_overdue_notice_and_bad_template():
    verdict = decide(
        situation(
            consent=ConsentState.WITHDRAWN,
            source=PolicySource.LINKEDIN_CONNECTION,
            notice=Notice.NONE,
            acquired_at=TODAY - timedelta(days=90),
            template_ok=False,
        )
    )

    assert_verdict(verdict, REFUSE, Reason.REF_CONSENT_WITHDRAWN)


@pytest.mark.parametrize("source", INDIRECT)
def test_refuses_indirect_source_not_informed_within_a_month(source):
    verdict = decide(situation(source=source, notice=Notice.NONE, acquired_at=TODAY - timedelta(days=31)))

    assert_verdict(verdict, REFUSE, Reason.REF_ART14_OVERDUE)


def test_indirect_source_acquired_exactly_30_days_ago_is_not_yet_overdue():
    verdict = decide(
        situation(
            source=PolicySource.LINKEDIN_CONNECTION,
            notice=Notice.NONE,
            acquired_at=TODAY - timedelta(days=30),
        )
    )

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART14)


def test_indirect_source_without_acquisition_date_counts_as_overdue():
    verdict = decide(situation(source=PolicySource.BROKER_WITH_PROOF, notice=Notice.NONE, acquired_at=None))

    assert_verdict(verdict, REFUSE, Reason.REF_ART14_OVERDUE)


def test_notice_at_collection_does_not_stop_the_art14_clock_for_an_indirect_source():
    verdict = decide(
        situation(
            source=PolicySource.BROKER_WITH_PROOF,
            notice=Notice.AT_COLLECTION,
            acquired_at=TODAY - timedelta(days=60),
        )
    )

    assert_verdict(verdict, REFUSE, Reason.REF_ART14_OVERDUE)


def test_old_indirect_source_is_fine_once_art14_notice_was_sent():
    verdict = decide(
        situation(
            source=PolicySource.LINKEDIN_PUBLIC_PROFILE,
            notice=Notice.ART14_SENT,
            acquired_at=TODAY - timedelta(days=400),
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)


def test_art14_deadline_does_not_apply_to_a_company_role_address():
    verdict = decide(
        situation(
            audience=Audience.B2B_GENERIC,
            source=PolicySource.LINKEDIN_CONNECTION,
            notice=Notice.NONE,
            acquired_at=TODAY - timedelta(days=400),
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_LEGAL_PERSON)


def test_art14_deadline_does_not_apply_to_a_direct_source():
    verdict = decide(situation(channel=Channel.PHONE, notice=Notice.NONE, acquired_at=None))

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART13_LATE)


def test_refuses_noncompliant_template():
    verdict = decide(situation(template_ok=False))

    assert_verdict(verdict, REFUSE, Reason.REF_TEMPLATE_NONCOMPLIANT)


def test_noncompliant_template_is_refused_for_a_legal_person_too():
    verdict = decide(situation(audience=Audience.B2B_GENERIC, template_ok=False))

    assert_verdict(verdict, REFUSE, Reason.REF_TEMPLATE_NONCOMPLIANT)


def test_noncompliant_template_wins_over_unknown_audience():
    verdict = decide(situation(audience=None, template_ok=False))

    assert_verdict(verdict, REFUSE, Reason.REF_TEMPLATE_NONCOMPLIANT)


@pytest.mark.parametrize("channel", list(Channel))
def test_unknown_audience_fails_closed(channel):
    verdict = decide(situation(channel=channel, audience=None))

    assert_verdict(verdict, REFUSE, Reason.REF_UNCLASSIFIED)


def test_refuses_prospect_over_the_unanswered_contact_cap():
    verdict = decide(situation(frequency_capped=True))

    assert_verdict(verdict, REFUSE, Reason.REF_FREQUENCY_CAP)
    assert verdict.legal_reference == "CNIL social-selling guidance; GDPR 21(2)"


def test_unknown_audience_wins_over_frequency_cap():
    verdict = decide(situation(audience=None, frequency_capped=True))

    assert_verdict(verdict, REFUSE, Reason.REF_UNCLASSIFIED)


def test_frequency_cap_wins_over_the_matrix():
    verdict = decide(situation(audience=Audience.B2C, frequency_capped=True))

    assert_verdict(verdict, REFUSE, Reason.REF_FREQUENCY_CAP)


def test_refuses_a_second_consent_request_to_the_same_person():
    verdict = decide(situation(consent_request_repeated=True))

    assert_verdict(verdict, REFUSE, Reason.REF_CONSENT_REQUEST_REPEATED)
    assert "7(4)" in verdict.legal_reference


def test_frequency_cap_wins_over_a_repeated_consent_request():
    verdict = decide(situation(frequency_capped=True, consent_request_repeated=True))

    assert_verdict(verdict, REFUSE, Reason.REF_FREQUENCY_CAP)


# --- Electronic channels (docs/rules.md §1.4) ---


@pytest.mark.parametrize("channel", ELECTRONIC)
@pytest.mark.parametrize("source", LEGIT_SOURCES)
def test_allows_company_role_address_from_any_legit_source(channel, source):
    verdict = decide(
        situation(
            channel=channel,
            audience=Audience.B2B_GENERIC,
            source=source,
            offer_related_to_profession=False,
            notice=Notice.NONE,
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_LEGAL_PERSON)


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


def test_allows_related_offer_to_customer_work_address():
    verdict = decide(situation(source=PolicySource.CUSTOMER_SALE, notice=Notice.NONE))

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)
    assert "L34-5 al.4" in verdict.legal_reference


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

    assert_verdict(verdict, REFUSE, Reason.REF_B2C_NO_CONSENT)


def test_soft_opt_in_from_a_29_february_ends_on_28_february():
    on_term = situation(
        audience=Audience.B2C,
        source=PolicySource.CUSTOMER_SALE,
        customer_similar=True,
        customer_relationship_ended_at=date(2024, 2, 29),
        now=date(2027, 2, 28),
    )

    verdicts = decide(on_term), decide(dataclasses.replace(on_term, now=date(2027, 3, 1)))

    assert [verdict.reason for verdict in verdicts] == [Reason.OK_SOFT_OPTIN, Reason.REF_B2C_NO_CONSENT]


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


# --- Human phone calls ---


@pytest.mark.parametrize("audience", [Audience.B2B_NOMINATIVE, Audience.B2B_GENERIC])
def test_allows_calling_an_informed_professional_number_without_bloctel_or_hours(audience):
    verdict = decide(
        situation(channel=Channel.PHONE, audience=audience, offer_related_to_profession=False, call_time=None)
    )

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


def test_call_to_a_professional_never_informed_carries_a_late_art13_notice():
    verdict = decide(situation(channel=Channel.PHONE, source=PolicySource.BUSINESS_CARD, notice=Notice.NONE))

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART13_LATE)


@pytest.mark.parametrize("source", INDIRECT)
def test_call_to_a_professional_from_an_indirect_source_carries_the_art14_notice(source):
    verdict = decide(situation(channel=Channel.PHONE, source=source, notice=Notice.NONE))

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART14)


def test_call_to_an_indirect_professional_is_plain_once_art14_was_sent():
    verdict = decide(
        situation(channel=Channel.PHONE, source=PolicySource.LINKEDIN_CONNECTION, notice=Notice.ART14_SENT)
    )

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


def test_call_to_a_company_switchboard_needs_no_personal_notice():
    verdict = decide(
        situation(
            channel=Channel.PHONE,
            audience=Audience.B2B_GENERIC,
            source=PolicySource.LINKEDIN_CONNECTION,
            notice=Notice.NONE,
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


def test_allows_calling_a_private_person_before_the_switch_within_bloctel_and_hours():
    verdict = decide(b2c_call())

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


def test_private_person_from_an_indirect_source_is_called_with_the_art14_notice():
    verdict = decide(b2c_call(source=PolicySource.BROKER_WITH_PROOF, notice=Notice.NONE))

    assert_verdict(verdict, ALLOW_N, Reason.OK_OPTOUT_CHANNEL)


def test_private_person_never_informed_is_called_with_a_late_art13_notice():
    verdict = decide(b2c_call(source=PolicySource.BUSINESS_CARD, notice=Notice.NONE))

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART13_LATE)


@pytest.mark.parametrize("checked_days_ago", [None, 31, -1])
def test_refuses_private_number_not_cleaned_against_bloctel_in_the_last_30_days(checked_days_ago):
    checked = None if checked_days_ago is None else TODAY - timedelta(days=checked_days_ago)

    verdict = decide(b2c_call(bloctel_checked_at=checked))

    assert_verdict(verdict, REFUSE, Reason.REF_BLOCTEL)


@pytest.mark.parametrize("checked_days_ago", [0, 30])
def test_bloctel_check_up_to_30_days_old_is_accepted(checked_days_ago):
    verdict = decide(b2c_call(bloctel_checked_at=TODAY - timedelta(days=checked_days_ago)))

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


@pytest.mark.parametrize(
    "call_time",
    [
        datetime(2026, 3, 2, 9, 59),
        datetime(2026, 3, 2, 13, 0),
        datetime(2026, 3, 2, 13, 59),
        datetime(2026, 3, 2, 20, 0),
        datetime(2026, 3, 7, 11, 0),  # Saturday
        datetime(2026, 3, 8, 15, 0),  # Sunday
        None,
    ],
)
def test_refuses_calling_a_private_person_outside_legal_hours(call_time):
    verdict = decide(b2c_call(call_time=call_time))

    assert_verdict(verdict, REFUSE, Reason.REF_HOURS)


@pytest.mark.parametrize(
    "call_time",
    [
        datetime(2026, 3, 2, 10, 0),
        datetime(2026, 3, 2, 12, 59),
        datetime(2026, 3, 4, 14, 0),
        datetime(2026, 3, 6, 19, 59),  # Friday
    ],
)
def test_allows_calling_a_private_person_within_legal_hours(call_time):
    verdict = decide(b2c_call(call_time=call_time))

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


def test_refuses_a_fifth_call_to_a_private_person_within_30_days():
    fourth = decide(b2c_call(calls_last_30_days=3))
    fifth = decide(b2c_call(calls_last_30_days=4))

    assert_verdict(fourth, ALLOW, Reason.OK_OPTOUT_CHANNEL)
    assert_verdict(fifth, REFUSE, Reason.REF_HOURS)
    assert "4 calls per 30 days" in fifth.legal_reference


def test_bloctel_is_checked_before_hours():
    verdict = decide(b2c_call(bloctel_checked_at=None, call_time=datetime(2026, 3, 7, 22, 0)))

    assert_verdict(verdict, REFUSE, Reason.REF_BLOCTEL)


def test_the_day_before_the_switch_a_private_person_may_still_be_called_without_consent():
    verdict = decide(
        b2c_call(
            now=B2C_PHONE_OPT_IN_FROM - timedelta(days=1),
            bloctel_checked_at=date(2026, 8, 1),
            call_time=datetime(2026, 8, 10, 11, 0),
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


def test_from_the_switch_a_private_person_cannot_be_called_without_consent():
    verdict = decide(
        b2c_call(
            now=B2C_PHONE_OPT_IN_FROM,
            bloctel_checked_at=date(2026, 8, 1),
            call_time=datetime(2026, 8, 11, 11, 0),
        )
    )

    assert date(2026, 8, 11) == B2C_PHONE_OPT_IN_FROM
    assert_verdict(verdict, REFUSE, Reason.REF_B2C_PHONE_NO_CONSENT)


def test_from_the_switch_consent_allows_the_call_without_bloctel():
    verdict = decide(
        b2c_call(
            now=B2C_PHONE_OPT_IN_FROM, consent=ConsentState.VALID, bloctel_checked_at=None, call_time=None
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_CONSENT)


def test_from_the_switch_an_ongoing_contract_allows_a_related_offer_call():
    verdict = decide(b2c_call(now=date(2027, 1, 4), has_ongoing_contract_related_offer=True))

    assert_verdict(verdict, ALLOW, Reason.OK_CONSENT)


def test_before_the_switch_consent_does_not_replace_the_bloctel_check():
    verdict = decide(b2c_call(consent=ConsentState.VALID, bloctel_checked_at=None))

    assert_verdict(verdict, REFUSE, Reason.REF_BLOCTEL)


# --- Post ---


@pytest.mark.parametrize("audience", list(Audience))
def test_allows_post_to_an_informed_person_who_did_not_object(audience):
    verdict = decide(situation(channel=Channel.POSTAL, audience=audience, source=PolicySource.BUSINESS_CARD))

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


@pytest.mark.parametrize("source", INDIRECT)
def test_letter_to_an_indirect_contact_carries_the_art14_notice(source):
    verdict = decide(
        situation(channel=Channel.POSTAL, audience=Audience.B2C, source=source, notice=Notice.NONE)
    )

    assert_verdict(verdict, ALLOW_N, Reason.OK_OPTOUT_CHANNEL)


def test_letter_to_an_indirect_contact_is_plain_once_art14_was_sent():
    verdict = decide(
        situation(channel=Channel.POSTAL, source=PolicySource.BROKER_WITH_PROOF, notice=Notice.ART14_SENT)
    )

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


def test_letter_to_a_person_never_informed_carries_a_late_art13_notice():
    verdict = decide(
        situation(
            channel=Channel.POSTAL,
            audience=Audience.B2C,
            source=PolicySource.BUSINESS_CARD,
            notice=Notice.NONE,
        )
    )

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART13_LATE)


def test_letter_to_a_company_needs_no_personal_notice():
    verdict = decide(
        situation(
            channel=Channel.POSTAL,
            audience=Audience.B2B_GENERIC,
            source=PolicySource.BUSINESS_CARD,
            notice=Notice.NONE,
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


# --- The whole matrix at a glance ---

MATRIX = [
    # (id, overrides, decision, reason)
    ("email generic", {"audience": Audience.B2B_GENERIC}, ALLOW, Reason.OK_LEGAL_PERSON),
    (
        "sms nominative consent",
        {"channel": Channel.SMS, "consent": ConsentState.VALID},
        ALLOW,
        Reason.OK_CONSENT,
    ),
    ("email unrelated", {"offer_related_to_profession": False}, REFUSE, Reason.REF_B2B_UNRELATED),
    ("email web form", {"source": PolicySource.WEB_FORM_CONSENT}, ALLOW, Reason.OK_B2B_LI),
    ("email card informed", {"source": PolicySource.BUSINESS_CARD}, ALLOW, Reason.OK_B2B_LI),
    (
        "email card uninformed",
        {"source": PolicySource.BUSINESS_CARD, "notice": Notice.NONE},
        ALLOW_N,
        Reason.NOTICE_ART13_LATE,
    ),
    (
        "linkedin_msg linkedin",
        {"channel": Channel.LINKEDIN_MSG, "source": PolicySource.LINKEDIN_CONNECTION, "notice": Notice.NONE},
        ALLOW_N,
        Reason.NOTICE_ART14,
    ),
    ("email broker", {"source": PolicySource.BROKER_WITH_PROOF}, ALLOW_N, Reason.NOTICE_ART14),
    ("email customer", {"source": PolicySource.CUSTOMER_SALE}, ALLOW, Reason.OK_B2B_LI),
    (
        "email b2c consent",
        {"audience": Audience.B2C, "consent": ConsentState.VALID},
        ALLOW,
        Reason.OK_CONSENT,
    ),
    (
        "email b2c soft opt-in",
        {"audience": Audience.B2C, "source": PolicySource.CUSTOMER_SALE, "customer_similar": True},
        ALLOW,
        Reason.OK_SOFT_OPTIN,
    ),
    ("sms b2c", {"channel": Channel.SMS, "audience": Audience.B2C}, REFUSE, Reason.REF_B2C_NO_CONSENT),
    (
        "auto_call nominative unrelated",
        {"channel": Channel.AUTO_CALL, "offer_related_to_profession": False},
        REFUSE,
        Reason.REF_B2B_UNRELATED,
    ),
    ("phone b2b direct", {"channel": Channel.PHONE}, ALLOW, Reason.OK_OPTOUT_CHANNEL),
    (
        "phone b2b indirect",
        {"channel": Channel.PHONE, "source": PolicySource.LINKEDIN_PUBLIC_PROFILE},
        ALLOW_N,
        Reason.NOTICE_ART14,
    ),
    (
        "phone b2c before switch, no bloctel",
        {"channel": Channel.PHONE, "audience": Audience.B2C},
        REFUSE,
        Reason.REF_BLOCTEL,
    ),
    (
        "phone b2c after switch",
        {"channel": Channel.PHONE, "audience": Audience.B2C, "now": date(2026, 9, 1)},
        REFUSE,
        Reason.REF_B2C_PHONE_NO_CONSENT,
    ),
    (
        "phone b2c after switch, consent",
        {"channel": Channel.PHONE, "audience": Audience.B2C, "now": date(2026, 9, 1), "consent": "valid"},
        ALLOW,
        Reason.OK_CONSENT,
    ),
    ("postal b2c", {"channel": Channel.POSTAL, "audience": Audience.B2C}, ALLOW, Reason.OK_OPTOUT_CHANNEL),
]


@pytest.mark.parametrize(
    ("overrides", "decision", "reason"),
    [row[1:] for row in MATRIX],
    ids=[row[0] for row in MATRIX],
)
def test_matrix(overrides, decision, reason):
    verdict = decide(situation(**overrides))

    assert_verdict(verdict, decision, reason)
    assert verdict.legal_reference


# --- The value objects ---


@pytest.mark.parametrize(
    ("decision", "allowed"),
    [(Decision.ALLOW, True), (Decision.ALLOW_WITH_NOTICE, True), (Decision.REFUSE, False)],
)
def test_verdict_is_allowed_unless_refused(decision, allowed):
    verdict = Verdict(decision, Reason.OK_CONSENT, "GDPR 6(1)(a)")

    assert verdict.allowed is allowed


def test_reason_codes_are_exactly_the_rule_strings():
    expected = {
        "OK_LEGAL_PERSON", "OK_CONSENT", "OK_B2B_LI", "OK_SOFT_OPTIN", "OK_OPTOUT_CHANNEL",
        "NOTICE_ART13_LATE", "NOTICE_ART14", "REF_RETENTION_EXPIRED", "REF_OBJECTION",
        "REF_SCRAPED_SOURCE", "REF_BROKER_NO_PROOF", "REF_CONSENT_WITHDRAWN", "REF_ART14_OVERDUE",
        "REF_TEMPLATE_NONCOMPLIANT", "REF_UNCLASSIFIED", "REF_B2B_UNRELATED", "REF_B2C_NO_CONSENT",
        "REF_BLOCTEL", "REF_HOURS", "REF_B2C_PHONE_NO_CONSENT", "REF_FREQUENCY_CAP", "REF_RESTRICTED",
        "REF_CONSENT_REQUEST_REPEATED",
    }  # fmt: skip

    assert set(Reason.values) == expected


def test_situation_accepts_the_plain_strings_stored_by_models():
    stored = situation(
        channel="sms", audience="b2c", source="web_form_consent", notice="none", consent="valid"
    )

    verdict = decide(stored)

    assert stored.channel is Channel.SMS
    assert stored.source is PolicySource.WEB_FORM_CONSENT
    assert_verdict(verdict, ALLOW, Reason.OK_CONSENT)


def test_situation_rejects_an_unknown_value():
    with pytest.raises(ValueError, match="event"):
        situation(source="event")


def test_situation_is_frozen_and_keyword_only():
    stored = situation()

    with pytest.raises(dataclasses.FrozenInstanceError):
        stored.objection = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        Situation(Channel.EMAIL)  # type: ignore[misc]
