"""Human phone calls and post in the outreach gate (docs/rules.md §1.4): opt-out channels,
Bloctel and legal hours for private people, and the B2C phone opt-in switch."""

from datetime import date, datetime, timedelta

import pytest

from consent.channels import Channel
from outreach.policy import B2C_PHONE_OPT_IN_FROM, ConsentState, Notice, PolicySource, Reason, decide
from prospects.audience import Audience
from tests.outreach.situations import (
    ALLOW,
    ALLOW_N,
    INDIRECT,
    REFUSE,
    TODAY,
    assert_verdict,
    b2c_call,
    situation,
)

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


def test_call_to_a_company_record_switchboard_needs_no_personal_notice():
    verdict = decide(
        situation(
            channel=Channel.PHONE,
            audience=Audience.B2B_GENERIC,
            source=PolicySource.LINKEDIN_CONNECTION,
            notice=Notice.NONE,
            natural_person=False,
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
        datetime(2026, 4, 6, 11, 0),  # Easter Monday
        datetime(2026, 5, 14, 11, 0),  # Ascension Thursday
        datetime(2026, 5, 25, 11, 0),  # Whit Monday
        datetime(2026, 5, 8, 11, 0),  # a Friday, public holiday
        datetime(2026, 7, 14, 11, 0),  # a Tuesday, public holiday
        datetime(2026, 12, 25, 11, 0),  # a Friday, public holiday
    ],
)
def test_refuses_calling_a_private_person_outside_legal_days_and_hours(call_time):
    verdict = decide(b2c_call(call_time=call_time))

    assert_verdict(verdict, REFUSE, Reason.REF_HOURS)
    assert "D223-9" in verdict.legal_reference


def test_the_hours_are_read_when_the_call_is_made_not_while_a_campaign_is_previewed():
    verdict = decide(b2c_call(call_time=None))

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)


def test_refuses_calling_a_private_person_again_within_60_days_of_a_refusal():
    refused = decide(b2c_call(call_refused_within_60_days=True))

    assert_verdict(refused, REFUSE, Reason.REF_HOURS)
    assert "60 days" in refused.legal_reference


AFTER_SWITCH = date(2026, 12, 7)  # a Monday
D223_9_BREACHES = [
    {"call_time": datetime(2026, 12, 7, 20, 30)},
    {"call_time": datetime(2026, 12, 25, 11, 0)},
    {"calls_last_30_days": 4},
    {"call_refused_within_60_days": True},
]


@pytest.mark.parametrize("breach", D223_9_BREACHES)
@pytest.mark.parametrize(
    "basis",
    [{"consent": ConsentState.VALID}, {"has_ongoing_contract_related_offer": True}],
    ids=["consent", "ongoing_contract"],
)
def test_from_the_switch_the_d223_9_limits_bind_consent_and_contract_calls_alike(basis, breach):
    lawful = decide(b2c_call(now=AFTER_SWITCH, call_time=datetime(2026, 12, 7, 11, 0), **basis))
    breaching = decide(
        b2c_call(now=AFTER_SWITCH, **{"call_time": datetime(2026, 12, 7, 11, 0), **basis, **breach})
    )

    assert lawful.allowed
    assert_verdict(breaching, REFUSE, Reason.REF_HOURS)
    assert "D223-9" in breaching.legal_reference


def test_from_the_switch_a_call_without_consent_is_refused_for_that_before_the_hours():
    verdict = decide(b2c_call(now=AFTER_SWITCH, call_time=datetime(2026, 12, 7, 22, 0)))

    assert_verdict(verdict, REFUSE, Reason.REF_B2C_PHONE_NO_CONSENT)


@pytest.mark.parametrize("audience", [Audience.B2B_NOMINATIVE, Audience.B2B_GENERIC])
def test_the_d223_9_limits_do_not_bind_calls_to_professional_numbers(audience):
    verdict = decide(
        b2c_call(
            audience=audience,
            call_time=datetime(2026, 3, 7, 22, 0),
            calls_last_30_days=9,
            call_refused_within_60_days=True,
        )
    )

    assert verdict.allowed


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


def test_from_the_switch_an_ongoing_contract_allows_a_related_offer_call_as_an_exception():
    verdict = decide(b2c_call(now=date(2027, 1, 4), has_ongoing_contract_related_offer=True))

    # L223-1 al.4-5: an exception to the consent rule, not a consent (docs/rules.md §1.4).
    assert_verdict(verdict, ALLOW, Reason.OK_SOFT_OPTIN)
    assert "al.4-5" in verdict.legal_reference


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

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART14)


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


def test_letter_to_a_company_record_needs_no_personal_notice():
    verdict = decide(
        situation(
            channel=Channel.POSTAL,
            audience=Audience.B2B_GENERIC,
            source=PolicySource.BUSINESS_CARD,
            notice=Notice.NONE,
            natural_person=False,
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_OPTOUT_CHANNEL)
