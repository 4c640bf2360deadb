"""The bulk decision of a campaign: set-based, constant queries per chunk, in step with the gate."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consent.models import Route
from consent.recording import withdraw_consent
from outreach import decisions
from outreach.contactability import campaign_situation
from outreach.decisions import GateInputs, decide_campaign, recipients, verdicts_for
from outreach.models import CampaignStatus, Message, MessageStatus
from outreach.policy import Decision, Reason, decide
from prospects import suppression, timeline
from prospects.models import Prospect
from prospects.ownership import deactivate_rep
from tests import factories
from tests.outreach.conftest import (
    CHANNELS,
    aged,
    categories,
    informed,
    random_prospect,
    unanswered_contacts,
)

pytestmark = pytest.mark.django_db


def verdict_of(campaign, prospect):
    return Message.objects.get(campaign=campaign, prospect=prospect)


@pytest.mark.parametrize("seed", [1, 2])
def test_bulk_and_single_decisions_agree_on_random_prospects(rep, seed):
    rng = random.Random(seed)
    prospects = [random_prospect(rng, index, by=rep) for index in range(45)]
    campaigns = [
        factories.campaign(
            by=rep,
            channel=channel,
            offer_related_to_profession=rng.random() < 0.8,
            offer_category=rng.choice([None, *categories()]),
        )
        for channel in CHANNELS
        for _ in range(2)
    ]
    campaigns.append(factories.campaign(by=rep, kind="consent_request", body_en=""))
    campaigns.append(factories.campaign(by=rep, target_functions=["achats", "CTO"], subject_fr=""))
    now = timezone.now()

    for campaign in campaigns:
        decide_campaign(campaign, chunk_size=7, now=now)

    for campaign in campaigns:
        messages = {m.prospect_id: m for m in Message.objects.filter(campaign=campaign)}
        assert set(messages) == set(recipients(campaign).values_list("pk", flat=True))
        for prospect in Prospect.objects.filter(pk__in=messages):
            expected = decide(campaign_situation(campaign, prospect, now=now))
            message = messages[prospect.pk]
            assert (message.decision, message.reason, message.legal_reference) == (
                expected.decision,
                expected.reason,
                expected.legal_reference,
            ), (campaign.channel, message.gate_inputs)
    assert len({m.reason for m in Message.objects.all()}) >= 10, (
        "the data should reach many rows of the table"
    )
    assert len(prospects) == 45


def test_queries_per_chunk_are_constant(rep):
    for index in range(12):
        informed(by=rep, first_name=f"Q{index}", email=f"q{index}@acme.fr")
    campaign = factories.campaign(by=rep)
    counts = {}

    for size in (6, 4, 3):
        with CaptureQueriesContext(connection) as queries:
            outcome = decide_campaign(campaign, chunk_size=size)
        counts[outcome.chunks] = len(queries)

    per_chunk = counts[3] - counts[2]
    assert counts[4] - counts[3] == per_chunk
    assert counts[2] == counts[4] - 2 * per_chunk
    assert per_chunk <= 4


def test_every_recipient_gets_one_outbox_row_with_reason_and_reference(rep):
    informed(by=rep, first_name="Ana", email="ana@acme.fr")
    informed(by=rep, first_name="Bob", email="contact@bob.fr")
    campaign = factories.campaign(by=rep)

    outcome = decide_campaign(campaign)

    rows = Message.objects.filter(campaign=campaign).order_by("prospect__first_name")
    assert [(m.decision, m.reason) for m in rows] == [
        (Decision.ALLOW, Reason.OK_B2B_LI),
        (Decision.ALLOW, Reason.OK_LEGAL_PERSON),
    ]
    assert all(m.legal_reference and m.status == MessageStatus.QUEUED for m in rows)
    assert outcome.counts == {Reason.OK_B2B_LI: 1, Reason.OK_LEGAL_PERSON: 1}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DECIDED


def test_deciding_again_replaces_the_outbox(rep):
    prospect = informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    decide_campaign(campaign)
    suppression.suppress(prospect, channel="email", origin="link")

    decide_campaign(campaign)

    assert list(Message.objects.filter(campaign=campaign).values_list("reason", "status")) == [
        (Reason.REF_OBJECTION, MessageStatus.REFUSED)
    ]


def test_objection_on_one_channel_refuses_that_channel_only(rep):
    prospect = informed(by=rep, email="ana@acme.fr", phone="+33612345678")
    suppression.suppress(prospect, channel="email", origin="reply")
    by_email, by_phone = factories.campaign(by=rep), factories.campaign(by=rep, channel="phone")

    decide_campaign(by_email)
    decide_campaign(by_phone)

    assert verdict_of(by_email, prospect).reason == Reason.REF_OBJECTION
    assert verdict_of(by_phone, prospect).decision != Decision.REFUSE


def test_private_address_needs_consent_and_a_withdrawal_ends_it(rep):
    prospect = informed(by=rep, email="ana@gmail.com")
    campaign = factories.campaign(by=rep)
    decide_campaign(campaign)
    refused = verdict_of(campaign, prospect).reason
    factories.consent(prospect, by=rep)
    decide_campaign(campaign)
    allowed = verdict_of(campaign, prospect).reason
    withdraw_consent(prospect, purpose_code="b2b_prospecting", channel="email", via=Route.LINK)

    decide_campaign(campaign)

    assert (refused, allowed) == (Reason.REF_B2C_NO_CONSENT, Reason.OK_CONSENT)
    assert verdict_of(campaign, prospect).reason == Reason.REF_CONSENT_WITHDRAWN


def test_refuses_after_three_unanswered_contacts_until_the_person_replies(rep):
    prospect = informed(by=rep, email="ana@acme.fr")
    unanswered_contacts(prospect, count=3, by=rep)
    campaign = factories.campaign(by=rep)
    decide_campaign(campaign)
    capped = verdict_of(campaign, prospect).reason
    timeline.record_interaction(prospect, type="email_reply", occurred_at=timezone.now() - timedelta(days=1))

    decide_campaign(campaign)

    assert capped == Reason.REF_FREQUENCY_CAP
    assert verdict_of(campaign, prospect).reason == Reason.OK_B2B_LI


def test_contacts_older_than_the_window_do_not_count(rep, settings):
    settings.LOYAL_FREQUENCY_CAP = {"max_unanswered": 2, "days": 30}
    prospect = informed(by=rep, email="ana@acme.fr")
    unanswered_contacts(prospect, count=5, by=rep, days_ago=31)
    campaign = factories.campaign(by=rep)

    decide_campaign(campaign)

    assert verdict_of(campaign, prospect).reason == Reason.OK_B2B_LI


def test_overdue_art14_notice_refuses_a_linkedin_contact(rep):
    evidence = {"profile_url": "https://www.linkedin.com/in/ana"}
    prospect = factories.prospect(
        by=rep, email="ana@acme.fr", source_type="linkedin_public_profile", evidence=evidence
    )
    campaign = factories.campaign(by=rep)
    decide_campaign(campaign)
    fresh = verdict_of(campaign, prospect)
    aged(prospect, days=31)

    decide_campaign(campaign)

    assert (fresh.decision, fresh.reason) == (Decision.ALLOW_WITH_NOTICE, Reason.NOTICE_ART14)
    assert verdict_of(campaign, prospect).reason == Reason.REF_ART14_OVERDUE


def test_offer_unrelated_to_the_job_is_refused_without_consent(rep):
    prospect = informed(by=rep, email="ana@acme.fr", job_title="Chief technology officer")
    campaign = factories.campaign(by=rep)

    decide_campaign(campaign)

    assert verdict_of(campaign, prospect).reason == Reason.REF_B2B_UNRELATED


def test_template_missing_in_the_persons_language_is_refused(rep):
    english = informed(by=rep, email="ana@acme.fr", language="en")
    french = informed(by=rep, first_name="Luc", email="luc@acme.fr", language="fr")
    campaign = factories.campaign(by=rep, body_en="")

    decide_campaign(campaign)

    assert verdict_of(campaign, english).reason == Reason.REF_TEMPLATE_NONCOMPLIANT
    assert verdict_of(campaign, french).reason == Reason.OK_B2B_LI


def test_a_second_consent_request_to_the_same_person_is_refused(rep):
    prospect = informed(by=rep, email="ana@acme.fr")
    first = factories.campaign(by=rep, kind="consent_request")
    decide_campaign(first)
    Message.objects.filter(campaign=first).update(status=MessageStatus.SENT)
    second = factories.campaign(by=rep, kind="consent_request")

    decide_campaign(second)

    assert verdict_of(second, prospect).reason == Reason.REF_CONSENT_REQUEST_REPEATED


def test_recipients_are_the_creators_team_with_an_address_on_the_channel(rep, other_rep):
    mine = informed(by=rep, email="ana@acme.fr")
    informed(by=rep, first_name="Luc", linkedin_url="https://www.linkedin.com/in/luc", email="")
    other_team = factories.team("North")
    stranger = factories.user(role="sales", username="north", team=other_team)
    informed(by=stranger, first_name="Zoe", email="zoe@acme.fr")
    campaign = factories.campaign(by=rep)

    decide_campaign(campaign)

    assert list(Message.objects.filter(campaign=campaign).values_list("prospect", flat=True)) == [mine.pk]


def _called(prospect, *, by, days_ago: list[int], refused_days_ago: int | None = None) -> None:
    now = timezone.now()
    for index, days in enumerate(days_ago):
        timeline.record_interaction(
            prospect, type="call_outbound", occurred_at=now - timedelta(days=days, hours=index), by=by
        )
    if refused_days_ago is not None:
        when = now - timedelta(days=refused_days_ago)
        timeline.record_interaction(prospect, type="call_refused", occurred_at=when, by=by)
    # The person answered since: the frequency cap G9 does not hide the call limits.
    timeline.record_interaction(prospect, type="email_reply", occurred_at=now - timedelta(minutes=5), by=by)


def test_the_call_limits_of_d223_9_agree_in_bulk_and_one_by_one(rep):
    histories = {
        "four_recent": {"days_ago": [1, 2, 3, 20]},
        "three_recent": {"days_ago": [1, 2, 40, 50]},
        "refused_59": {"days_ago": [], "refused_days_ago": 59},
        "refused_61": {"days_ago": [], "refused_days_ago": 61},
        "refused_and_three": {"days_ago": [1, 2, 3], "refused_days_ago": 10},  # the refusal is a call
    }
    people = {}
    for name, history in histories.items():
        person = informed(by=rep, last_name=name, email="", phone=f"+3361234{len(people):04d}")
        factories.consent(person, by=rep, channel="phone")
        _called(person, by=rep, **history)
        people[name] = person
    campaign = factories.campaign(by=rep, channel="phone")
    now = timezone.now()

    decide_campaign(campaign, chunk_size=2, now=now)

    got = {}
    for name, person in people.items():
        message = verdict_of(campaign, person)
        single = decide(campaign_situation(campaign, person, now=now))
        assert (message.decision, message.reason, message.legal_reference) == (
            single.decision,
            single.reason,
            single.legal_reference,
        ), name
        got[name] = (message.reason, message.legal_reference.rsplit(": ", 1)[-1])
    assert got["four_recent"] == (Reason.REF_HOURS, "4 calls per 30 days")
    assert got["refused_59"] == (Reason.REF_HOURS, "60 days after a refusal")
    assert got["refused_and_three"] == (Reason.REF_HOURS, "4 calls per 30 days")
    assert got["three_recent"][0] == got["refused_61"][0] == Reason.OK_CONSENT


def test_gate_inputs_survive_their_round_trip():
    inputs = GateInputs(
        audience="b2c",
        source="broker_with_proof",
        notice="none",
        acquired="late",
        related=True,
        objection=False,
        consent="valid",
        customer="unrelated",
        soft_opt_in_current=True,
        ongoing_contract=False,
        retention_expired=False,
        template_ok=True,
        restricted=False,
        frequency_capped=False,
        consent_request_repeated=True,
        calls_capped=False,
        call_refused=True,
        natural_person=False,
        undeliverable=True,
    )

    assert GateInputs.from_key(inputs.key) == inputs
    assert inputs.key == "b2c|broker_with_proof|none|late|1|0|valid|unrelated|1|0|0|1|0|0|1|0|1|0|1"


def test_a_campaign_being_sent_cannot_be_decided_again(rep):
    campaign = factories.campaign(by=rep, status=CampaignStatus.SENDING)

    with pytest.raises(ValueError, match="sending"):
        decide_campaign(campaign)


def test_a_campaign_of_a_rep_who_left_still_reaches_the_team(rep, other_rep, admin_user):
    informed(by=rep, email="lina.costa@acme.fr")
    campaign = factories.campaign(by=rep, channel="email")
    deactivate_rep(rep, successor=other_rep, by=admin_user)

    decide_campaign(campaign)

    assert Message.objects.filter(campaign=campaign).count() == 1


@pytest.mark.parametrize("seed", [3])
def test_the_send_time_recheck_of_a_chunk_agrees_with_the_single_decision(rep, seed):
    rng = random.Random(seed)
    prospects = [random_prospect(rng, index, by=rep) for index in range(30)]
    now = timezone.now()
    for campaign in (
        factories.campaign(by=rep),
        factories.campaign(by=rep, channel="email", offer_category=categories()[1]),
        factories.campaign(by=rep, kind="consent_request", target_functions=["achats"]),
    ):
        ids = [p.pk for p in prospects]

        checked = verdicts_for(campaign, ids, now=now)

        assert set(checked) == set(ids)
        for prospect in Prospect.objects.filter(pk__in=ids):
            key, verdict = checked[prospect.pk]
            assert verdict == decide(campaign_situation(campaign, prospect, now=now)), key


def _subplan_tables(node: dict, inside: bool = False) -> set[str]:
    """Tables read under a SubPlan of an EXPLAIN (FORMAT JSON) plan: what runs once per outer row."""
    inside = inside or node.get("Parent Relationship") == "SubPlan"
    tables = {node["Relation Name"]} if inside and "Relation Name" in node else set()
    for child in node.get("Plans", []):
        tables |= _subplan_tables(child, inside)
    return tables


def test_the_chunk_statement_joins_the_other_tables_instead_of_a_subquery_per_recipient(rep):
    if connection.vendor != "postgresql":
        pytest.skip("the joined form is PostgreSQL's; SQLite keeps the correlated one")
    prospect = informed(by=rep, email="ana@acme.fr")
    unanswered_contacts(prospect, count=1, by=rep)
    campaign = factories.campaign(by=rep, kind="consent_request")
    chunk = recipients(campaign).filter(pk__gt=decisions.SENTINEL).order_by("pk")
    within = Q(prospect_id__gt=decisions.SENTINEL, prospect_id__lte=decisions.UPPER_BOUND)
    sql, params = decisions._keys(campaign, chunk, within, now=timezone.now(), size=5000)
    params = [0 if value == decisions.SENTINEL else value for value in params]

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        [[plan]] = cursor.fetchone()

    assert _subplan_tables(plan["Plan"]) <= {"prospects_suppression"}
