"""The outreach gate's value objects (docs/rules.md §1): `Verdict`, the `Reason` codes, `Situation`."""

import dataclasses

import pytest

from consent.channels import Channel
from outreach.policy import Decision, PolicySource, Reason, Situation, Verdict, decide
from tests.outreach.situations import ALLOW, assert_verdict, situation


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
        "REF_CONSENT_REQUEST_REPEATED", "REF_SOFT_OPTIN_ENDED", "REF_SOFT_OPTIN_NOT_ANALOGOUS",
        "REF_SOFT_OPTIN_NO_OFFER_CATEGORY", "REF_SOFT_OPTIN_NO_SALE_CATEGORY", "REF_SOFT_OPTIN_NO_OPT_OUT",
        "REF_UNDELIVERABLE",
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
