"""The situations the outreach gate tests feed to `decide()`, and how they check a verdict.

A `Situation` holds the inputs of docs/rules.md §1.1. `situation()` is lawful by default,
so each test states only the facts that make it differ.
"""

from datetime import date, datetime, timedelta

from consent.channels import Channel
from outreach.policy import ConsentState, Decision, Notice, PolicySource, Reason, Situation, Verdict
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
