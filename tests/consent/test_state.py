"""The consent state the gate reads, one prospect at a time and set-based, and what it lets through."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.models import ConsentState, Route
from consent.objections import record_objection
from consent.recording import confirm_consents, record_consent, withdraw_consent
from consent.state import consent_state, states_of, with_consent_state
from org.conflicts import StateConflict
from outreach.contactability import CHANNELS, contactability
from outreach.policy import B2C_PHONE_OPT_IN_FROM, Reason
from prospects.models import Prospect
from prospects.retention import place_legal_hold
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

_numbers = itertools.count()

GRANTS = (
    "signed_form",
    "oral",
    "checkbox",
    "broker_named",
    "broker_not_named",
    "doi_confirmed",
    "doi_pending",
)
COUNTING_GRANTS = {"signed_form", "oral", "checkbox", "broker_named", "doi_confirmed"}
channels = st.sampled_from([channel.value for channel in CHANNELS])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), channels, st.sampled_from(GRANTS)),
        st.tuples(st.just("withdraw"), channels, st.none()),
        st.tuples(st.just("object"), st.one_of(channels, st.just("")), st.none()),
    ),
    max_size=8,
)


def _private_person(rep):
    """A private (free-mail) address from a business card: only a valid consent opens e-mail (L34-5).

    Under a legal hold, so that a global objection keeps the record (GDPR 17(3)(e)) instead of
    reducing it to its hash, and the state after it can still be read.
    """
    number = next(_numbers)
    person = factories.prospect(
        by=rep, first_name=f"Anne{number}", email=f"anne.{number}@gmail.com", language="en"
    )
    until = timezone.localdate() + timedelta(days=365)
    return place_legal_hold(person, until=until, reason="Claim pending", by=rep)


def _grant(person, rep, channel: str, kind: str) -> None:
    online = {"ip": "198.51.100.4", "user_agent": "Mozilla/5.0"}
    proofs = {
        "signed_form": {},
        "oral": {"method": "oral"},
        "checkbox": {"method": "checkbox", **online},
        "broker_named": {"broker": "ListCo", "broker_contract_ref": "C-1", "broker_named_us": True},
        "broker_not_named": {"broker": "ListCo", "broker_contract_ref": "C-1", "broker_named_us": False},
        "doi_confirmed": {"method": "double_opt_in", **online},
        "doi_pending": {"method": "double_opt_in", **online},
    }
    proof = factories.consent_proof(**proofs[kind])
    consent = record_consent(person, purpose_code="b2b_prospecting", channel=channel, proof=proof, by=rep)
    if kind == "doi_confirmed":
        confirm_consents(person, consent_ids=[consent.pk], ip="198.51.100.9", user_agent="Firefox")


def _apply(person, rep, ops) -> tuple[set[str], dict[str, ConsentState]]:
    """Run ``ops`` through the real entry points and model, independently, what they should mean."""
    objected: set[str] = set()
    latest: dict[str, ConsentState] = {}
    last_row: dict[str, str] = {}  # the channel's last consent row: a grant or a withdrawal
    for op, channel, kind in ops:
        if op == "grant":
            _grant(person, rep, channel, kind)
            last_row[channel] = "grant"
            if kind in COUNTING_GRANTS:
                latest[channel] = ConsentState.VALID
        elif op == "withdraw" and last_row.get(channel) == "withdraw":
            # A second withdrawal in a row is a state conflict and records nothing (org/conflicts.py).
            with pytest.raises(StateConflict):
                withdraw_consent(
                    person, purpose_code="b2b_prospecting", channel=channel, via=Route.LETTER, by=rep
                )
        elif op == "withdraw":
            withdraw_consent(
                person, purpose_code="b2b_prospecting", channel=channel, via=Route.LETTER, by=rep
            )
            last_row[channel] = "withdraw"
            latest[channel] = ConsentState.WITHDRAWN
        else:
            record_objection(person, channel=channel, via=Route.PHONE, by=rep)
            objected |= {c.value for c in CHANNELS} if channel == "" else {channel}
    return objected, latest


def _expected(channel: str, objected: set[str], state: ConsentState) -> tuple[bool, Reason | None]:
    """docs/rules.md §1.3-1.4 for a private person from a business card, written out for this test."""
    if channel in objected:
        return False, Reason.REF_OBJECTION
    if state == ConsentState.WITHDRAWN:
        return False, Reason.REF_CONSENT_WITHDRAWN
    if channel == "postal":
        return True, None  # Opt-out channel: informed and not opposed.
    if channel == "phone" and timezone.localdate() < B2C_PHONE_OPT_IN_FROM:
        return False, None  # Before the opt-in reform, Bloctel decides (not cleaned here).
    return state == ConsentState.VALID, None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_prospect_is_contactable_only_when_objections_and_consents_allow(rep, mailoutbox, ops):
    person = _private_person(rep)

    objected, latest = _apply(person, rep, ops)
    verdicts = {row.channel.value: row.verdict for row in contactability(person)}

    for channel in verdicts:
        allowed, reason = _expected(channel, objected, latest.get(channel, ConsentState.NONE))
        assert verdicts[channel].allowed == allowed, (channel, ops, verdicts[channel])
        if reason is not None:
            assert verdicts[channel].reason == reason, (channel, ops, verdicts[channel])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_set_based_state_agrees_with_the_per_prospect_state(rep, mailoutbox, ops):
    person = _private_person(rep)

    _, latest = _apply(person, rep, ops)

    everyone = Prospect.objects.filter(pk=person.pk)
    per_pair = states_of(person)
    for channel in CHANNELS:
        annotated = with_consent_state(everyone, channel=channel).get().consent_state
        single = consent_state(person, channel=channel)
        assert annotated == single == latest.get(channel, ConsentState.NONE), (channel, ops)
        assert per_pair.get(("b2b_prospecting", channel), ConsentState.NONE) == single


def test_set_based_state_reads_many_prospects_in_one_query(rep, django_assert_num_queries):
    people = [_private_person(rep) for _ in range(4)]
    factories.consent(people[0], by=rep)
    factories.consent(people[1], by=rep)
    withdraw_consent(people[1], purpose_code="b2b_prospecting", channel="email", via=Route.REPLY, by=rep)
    factories.consent(people[2], by=rep, channel="sms")
    queryset = with_consent_state(Prospect.objects.filter(pk__in=[p.pk for p in people]), channel="email")

    with django_assert_num_queries(1):
        states = dict(queryset.values_list("pk", "consent_state"))

    assert [states[p.pk] for p in people] == ["valid", "withdrawn", "none", "none"]
    assert [consent_state(p, channel="email") for p in people] == [states[p.pk] for p in people]
