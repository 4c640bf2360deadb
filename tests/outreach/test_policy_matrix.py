"""The whole channel × audience × source matrix of the outreach gate at a glance (docs/rules.md §1.4)."""

from datetime import date

import pytest

from consent.channels import Channel
from outreach.policy import ConsentState, Notice, PolicySource, Reason, decide
from prospects.audience import Audience
from tests.outreach.situations import ALLOW, ALLOW_N, REFUSE, assert_verdict, situation

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
