"""Every case of the decision table (docs/rules.md §1.3-1.4) through both paths: the bulk decision
of a campaign (decisions.py) and the one-prospect decision (contactability.py), from stored facts.

Each case logs one prospect through the real intake and sets the facts that make the case; the
campaign is decided in bulk, and the same recipient is decided alone. Both must give the
decision and reason the table gives. The customer rows (soft opt-in, ongoing contract) come with
the customer inputs and are not here. G3 (scraping) and G8 (unknown audience) cannot be stored
at all: intake and import refuse scraped sources (tests/prospects/test_provenance.py,
test_import_provenance.py) and a constraint refuses an unknown audience; their rows are in
test_policy_guards.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from consent.models import Route
from consent.recording import withdraw_consent
from outreach.contactability import campaign_situation
from outreach.decisions import decide_campaign
from outreach.models import Message, MessageStatus
from outreach.policy import Decision, Reason, decide
from prospects import suppression, timeline
from prospects.models import Prospect, Source
from tests import factories
from tests.outreach.conftest import WORK_LINE, aged, informed, unanswered_contacts

pytestmark = pytest.mark.django_db
ALLOW, ALLOW_N, REFUSE = Decision.ALLOW, Decision.ALLOW_WITH_NOTICE, Decision.REFUSE
PHONE = {"email": "", "phone": "+33612345678"}


def _card(rep, **fields):
    return informed(by=rep, **fields)


def _source(rep, source_type, **fields):
    return factories.prospect(by=rep, source_type=source_type, **fields)


def _update(prospect, **fields):
    Prospect.objects.filter(pk=prospect.pk).update(**fields)
    return prospect


def _consented(prospect, rep, channel="email"):
    factories.consent(prospect, by=rep, channel=channel)
    return prospect


def _calls(prospect, rep, *, count=0, refused=False):
    now = timezone.now()
    for index in range(count):
        when = now - timedelta(days=2, hours=index)
        timeline.record_interaction(prospect, type="call_outbound", occurred_at=when, by=rep)
    if refused:
        timeline.record_interaction(
            prospect, type="call_refused", occurred_at=now - timedelta(days=3), by=rep
        )
    timeline.record_interaction(prospect, type="email_reply", occurred_at=now - timedelta(minutes=1), by=rep)
    return prospect


def _company_record(rep):
    from prospects.intake import ProspectData, SourceData, create_prospect

    data = ProspectData(
        first_name="", last_name="", company_name="Acme", email="contact@acme.fr", company_only=True
    )
    return create_prospect(data, source=SourceData("broker", factories.EVIDENCE["broker"]), by=rep)


def _asked_before(prospect, rep):
    earlier = factories.campaign(by=rep, kind="consent_request", body_en="")
    decide_campaign(earlier)
    Message.objects.filter(campaign=earlier).update(status=MessageStatus.SENT, sent_at=timezone.now())
    return prospect


CASES = [
    # (id, channel, build(rep) -> prospect, campaign overrides, decision, reason)
    # --- §1.4 electronic ---
    ("generic company record", "email", _company_record, {}, ALLOW, Reason.OK_LEGAL_PERSON),
    (
        "generic named, direct, never informed",
        "email",
        lambda rep: _source(rep, "business_card", email="contact@acme.fr"),
        {},
        ALLOW_N,
        Reason.NOTICE_ART13_LATE,
    ),
    (
        "generic named, indirect",
        "email",
        lambda rep: _source(rep, "broker", email="contact@acme.fr"),
        {},
        ALLOW_N,
        Reason.NOTICE_ART14,
    ),
    (
        "nominative consent",
        "email",
        lambda rep: _consented(_card(rep, email="jean.dupont@acme.fr"), rep),
        {"offer_related_to_profession": False},
        ALLOW,
        Reason.OK_CONSENT,
    ),
    (
        "nominative unrelated",
        "email",
        lambda rep: _card(rep, email="jean.dupont@acme.fr", job_title="Chef"),
        {"target_functions": ["achats"]},
        REFUSE,
        Reason.REF_B2B_UNRELATED,
    ),
    (
        "nominative web form",
        "email",
        lambda rep: _source(rep, "web_form_notice", email="jean.dupont@acme.fr"),
        {},
        ALLOW,
        Reason.OK_B2B_LI,
    ),
    ("nominative card informed", "email", lambda rep: _card(rep), {}, ALLOW, Reason.OK_B2B_LI),
    (
        "nominative card never informed",
        "email",
        lambda rep: _source(rep, "business_card"),
        {},
        ALLOW_N,
        Reason.NOTICE_ART13_LATE,
    ),
    (
        "nominative inbound",
        "email",
        lambda rep: _source(rep, "inbound"),
        {},
        ALLOW_N,
        Reason.NOTICE_ART13_LATE,
    ),
    (
        "nominative linkedin",
        "linkedin_msg",
        lambda rep: _source(
            rep, "linkedin_connection", email="", linkedin_url="https://www.linkedin.com/in/jean-dupont-acme"
        ),
        {},
        ALLOW_N,
        Reason.NOTICE_ART14,
    ),
    (
        "nominative broker with proof",
        "email",
        lambda rep: _source(rep, "broker"),
        {},
        ALLOW_N,
        Reason.NOTICE_ART14,
    ),
    ("nominative badge scan", "email", lambda rep: _source(rep, "event"), {}, ALLOW_N, Reason.NOTICE_ART14),
    (
        "nominative badge scan with our notice",
        "email",
        lambda rep: _source(rep, "event", evidence={**factories.EVIDENCE["event"], "our_notice_shown": True}),
        {},
        ALLOW,
        Reason.OK_B2B_LI,
    ),
    (
        "private consent",
        "email",
        lambda rep: _consented(_card(rep, email="jean.dupont@gmail.com", audience_justification=""), rep),
        {},
        ALLOW,
        Reason.OK_CONSENT,
    ),
    (
        "private no consent",
        "email",
        lambda rep: _card(rep, email="jean.dupont@gmail.com"),
        {},
        REFUSE,
        Reason.REF_B2C_NO_CONSENT,
    ),
    # --- §1.4 phone (after the 2026-08-11 switch) ---
    (
        "phone work line",
        "phone",
        lambda rep: _card(rep, **PHONE, **WORK_LINE),
        {},
        ALLOW,
        Reason.OK_OPTOUT_CHANNEL,
    ),
    (
        "phone work line, indirect",
        "phone",
        lambda rep: _source(rep, "broker", **PHONE, **WORK_LINE),
        {},
        ALLOW_N,
        Reason.NOTICE_ART14,
    ),
    (
        "phone private, no consent",
        "phone",
        lambda rep: _card(rep, **PHONE),
        {},
        REFUSE,
        Reason.REF_B2C_PHONE_NO_CONSENT,
    ),
    (
        "phone private, consent",
        "phone",
        lambda rep: _consented(_card(rep, **PHONE), rep, "phone"),
        {},
        ALLOW,
        Reason.OK_CONSENT,
    ),
    (
        "phone private, consent, 4 calls in 30 days",
        "phone",
        lambda rep: _calls(_consented(_card(rep, **PHONE), rep, "phone"), rep, count=4),
        {},
        REFUSE,
        Reason.REF_HOURS,
    ),
    (
        "phone private, consent, refused 3 days ago",
        "phone",
        lambda rep: _calls(_consented(_card(rep, **PHONE), rep, "phone"), rep, refused=True),
        {},
        REFUSE,
        Reason.REF_HOURS,
    ),
    # --- §1.4 post ---
    (
        "postal informed",
        "postal",
        lambda rep: _card(rep, email="jean.dupont@gmail.com"),
        {},
        ALLOW,
        Reason.OK_OPTOUT_CHANNEL,
    ),
    ("postal indirect", "postal", lambda rep: _source(rep, "broker"), {}, ALLOW_N, Reason.NOTICE_ART14),
    # --- §1.3 guards ---
    (
        "G1 retention expired",
        "email",
        lambda rep: _update(_card(rep), retention_until=timezone.localdate() - timedelta(days=1)),
        {},
        REFUSE,
        Reason.REF_RETENTION_EXPIRED,
    ),
    (
        "G1b restricted",
        "email",
        lambda rep: _update(_card(rep), restricted_at=timezone.now(), restriction_ground="accuracy"),
        {},
        REFUSE,
        Reason.REF_RESTRICTED,
    ),
    (
        "G2 objection",
        "email",
        lambda rep: _objected(_card(rep)),
        {},
        REFUSE,
        Reason.REF_OBJECTION,
    ),
    (
        "G4 broker without proof",
        "email",
        lambda rep: _source(
            rep, "broker", evidence={**factories.EVIDENCE["broker"], "information_proof": ""}
        ),
        {},
        REFUSE,
        Reason.REF_BROKER_NO_PROOF,
    ),
    (
        "G4 unknown source",
        "email",
        lambda rep: _source(rep, "manual"),
        {},
        REFUSE,
        Reason.REF_BROKER_NO_PROOF,
    ),
    (
        "G5 consent withdrawn",
        "email",
        lambda rep: _withdrawn(_consented(_card(rep), rep), rep),
        {},
        REFUSE,
        Reason.REF_CONSENT_WITHDRAWN,
    ),
    (
        "G6 art14 overdue",
        "email",
        lambda rep: _aged_source(_source(rep, "broker"), days=45),
        {},
        REFUSE,
        Reason.REF_ART14_OVERDUE,
    ),
    (
        "G6 art14 overdue behind a role address",
        "email",
        lambda rep: _aged_source(_source(rep, "event", email="contact@acme.fr"), days=45),
        {},
        REFUSE,
        Reason.REF_ART14_OVERDUE,
    ),
    (
        "G7 template",
        "email",
        lambda rep: _card(rep),
        {"subject_fr": ""},
        REFUSE,
        Reason.REF_TEMPLATE_NONCOMPLIANT,
    ),
    (
        "G9 frequency cap",
        "email",
        lambda rep: _unanswered(_card(rep), rep),
        {},
        REFUSE,
        Reason.REF_FREQUENCY_CAP,
    ),
    (
        "G10 consent request repeated",
        "email",
        lambda rep: _asked_before(_card(rep), rep),
        {"kind": "consent_request", "body_en": ""},
        REFUSE,
        Reason.REF_CONSENT_REQUEST_REPEATED,
    ),
]


def _objected(prospect):
    suppression.suppress(prospect, channel="email", origin="reply")
    return prospect


def _withdrawn(prospect, rep):
    withdraw_consent(prospect, purpose_code="b2b_prospecting", channel="email", via=Route.REPLY, by=rep)
    return prospect


def _aged_source(prospect, *, days):
    aged(prospect, days=days)
    return prospect


def _unanswered(prospect, rep):
    unanswered_contacts(prospect, count=3, by=rep)
    return prospect


@pytest.mark.parametrize(
    ("channel", "build", "overrides", "decision", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_case_of_the_table_is_decided_alike_in_bulk_and_alone(
    rep, channel, build, overrides, decision, reason
):
    person = build(rep)
    campaign = factories.campaign(by=rep, channel=channel, **overrides)
    now = timezone.now()

    decide_campaign(campaign, now=now)

    bulk = Message.objects.get(campaign=campaign, prospect=person)
    single = decide(campaign_situation(campaign, Prospect.objects.get(pk=person.pk), now=now))
    assert (bulk.decision, bulk.reason, bulk.legal_reference) == (
        single.decision,
        single.reason,
        single.legal_reference,
    )
    assert (bulk.decision, bulk.reason) == (decision, reason), Source.objects.filter(prospect=person).first()
