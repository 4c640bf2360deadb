"""XSS (issue 9), consent: the proof of a consent, purposes and the public sign-up, broker objections.

Hostile text is written through the consent panel's forms, the person's own public pages
(and what their browser sends) and the broker queue, then read on every page that shows
it (tests/crm/hostile.py says how).
"""

from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.test import Client
from hypothesis import strategies as st

from consent import links
from consent.models import Consent, Objection, Purpose
from prospects.models import Propagation, Prospect
from tests import factories
from tests.crm.hostile import (
    check,
    evidence_for,
    filled,
    logged_in,
    marked,
    marker,
    payloads,
    pk_of,
    post,
    read,
    refused,
    run,
    subject_access_page,
    texts,
)

pytestmark = pytest.mark.slow

CONSENT = {
    "wording": 600,
    "wording_version": 50,
    "evidence_ref": 300,
    "user_agent": 500,
    "broker": 200,
    "broker_contract_ref": 200,
}
PURPOSE = {"label_en": 200, "label_fr": 200}
AGENTS = {"invitation": 500, "confirmation": 500}
BROKER_REFERENCE = ("broker", "broker_contract_ref", "broker_list_id")
FIELDS = {
    *(f"consent.Consent.{name}" for name in CONSENT),
    *(f"consent.Purpose.{name}" for name in PURPOSE),
    "consent.Confirmation.user_agent",
    *(f"consent.Objection.{name}" for name in BROKER_REFERENCE),
    *(f"prospects.Propagation.{name}" for name in BROKER_REFERENCE),
    "consent.BrokerExport.broker",
}
LABEL_EN, LABEL_FR = "consent.Purpose.label_en", "consent.Purpose.label_fr"


@pytest.fixture
def clients(rep, dpo, admin_user):
    return logged_in(rep=rep, dpo=dpo, admin=admin_user)


def test_consent_proof_is_escaped_in_the_panel_and_the_export(clients, rep):
    rep_client, outcomes = clients["rep"], Counter()
    kind = {"purpose": "b2b_prospecting", "channel": "email", "method": "signed_form", "ip": "203.0.113.9"}

    def example(drawn):
        typed = filled(drawn, CONSENT)
        prospect = factories.prospect(by=rep, email=f"{marker()}@acme.example")
        data = {f"consent-{name}": value for name, value in (kind | typed).items()}
        response = post(rep_client, f"/consent/prospects/{prospect.pk}/consents/", data)
        consent = Consent.objects.filter(prospect=prospect).first()
        outcomes[consent is not None] += 1
        if consent is None:  # a refused panel form comes back as typed, with its errors
            labels = {f"consent.Consent.{name}": value for name, value in typed.items()}
            return refused(response, labels, "refused consent")
        values = {f"consent.Consent.{name}": getattr(consent, name) for name in CONSENT}
        read(rep_client, f"/consent/prospects/{prospect.pk}/panel/", values, values)
        check(subject_access_page(clients["admin"], prospect), values, values, "Art. 15 export")

    run(texts(CONSENT), example)

    assert outcomes[True] >= 10, outcomes


def test_purposes_and_the_public_double_opt_in_are_escaped(clients, rep):
    """The sign-up link's pages, and what the person's browser sent, as staff then read it.

    No form writes a purpose: one is written as the migrations write them, then shown.
    """
    rep_client = clients["rep"]
    strategy = st.fixed_dictionaries(
        {"labels": texts(PURPOSE, lines=False), "agents": texts(AGENTS, lines=False)}
    )

    def example(drawn):
        purpose = Purpose.objects.create(code=f"p{marker()}", **filled(drawn["labels"], PURPOSE))
        prospect = factories.prospect(by=rep, email=f"{marker()}@acme.example", language="en")
        values = {LABEL_EN: purpose.label_en, LABEL_FR: purpose.label_fr}
        consent = double_opt_in(prospect, purpose, filled(drawn["agents"], AGENTS), values)
        values |= {
            "consent.Consent.user_agent": consent.user_agent,
            "consent.Confirmation.user_agent": consent.confirmation.user_agent,
        }
        preferences = urlsplit(links.preferences_url(prospect)).path
        read(Client(), preferences, values, {LABEL_EN})
        read(Client(), preferences, values, {LABEL_FR}, data={"lang": "fr"})
        panel = {LABEL_EN, "consent.Consent.user_agent"}
        read(rep_client, f"/consent/prospects/{prospect.pk}/panel/", values, panel)
        read(rep_client, "/outreach/campaigns/new/", values, {LABEL_EN})
        exported = set(values) - {LABEL_EN, LABEL_FR}
        check(subject_access_page(clients["admin"], prospect), values, exported, "Art. 15 export")

    run(strategy, example)


def double_opt_in(prospect: Prospect, purpose: Purpose, agents: dict[str, str], values) -> Consent:
    """The person ticks the purpose on their sign-up page, then confirms from the email's link."""
    person = Client()
    invitation = urlsplit(links.invitation_url(prospect, issued_by=prospect.owner)).path
    read(person, invitation, values, {LABEL_EN})
    chosen = {"choices": [f"{purpose.code}:email"], "lang": "en"}
    assert person.post(invitation, chosen, HTTP_USER_AGENT=agents["invitation"]).status_code == 200
    consent = Consent.objects.get(prospect=prospect, purpose=purpose)
    confirm = urlsplit(links.confirmation_url(prospect, [consent.pk])).path
    read(person, confirm, values, {LABEL_EN})
    assert person.post(confirm, {"lang": "en"}, HTTP_USER_AGENT=agents["confirmation"]).status_code == 200
    return Consent.objects.select_related("confirmation").get(pk=consent.pk)


def test_broker_objections_are_escaped_in_the_queue_the_panel_and_the_export(clients):
    """An objection names the rented list the person came from, for the broker to remove them too."""
    rep, dpo, outcomes = clients["rep"], clients["dpo"], Counter()
    person = {"first_name": "Ada", "last_name": "Lovelace", "language": "fr", "source_type": "broker"}

    def example(templates):
        evidence = {f"evidence_{k}": v for k, v in evidence_for("broker", templates).items()}
        response = post(rep, "/prospects/new/", person | evidence | {"email": f"{marker()}@acme.example"})
        if response.status_code != 302:
            return
        prospect = Prospect.objects.get(pk=pk_of(response))
        # One channel: an objection to every channel would reduce the record to its hash (GDPR 5(1)(c)).
        post(
            rep,
            f"/consent/prospects/{prospect.pk}/objections/",
            {"objection-channel": "email", "objection-received_via": "letter", "confirm": "yes"},
        )
        objection = Objection.objects.get(prospect=prospect)
        values = {f"consent.Objection.{name}": getattr(objection, name) for name in BROKER_REFERENCE}
        values = {name: value for name, value in values.items() if marked(value)}
        outcomes.update(values.keys())
        broker = {"consent.Objection.broker"} & set(values)
        read(rep, f"/consent/prospects/{prospect.pk}/panel/", values, broker)
        read(dpo, "/consent/brokers/", values, broker)
        entry = Propagation.objects.get(prospect=prospect)
        queued = {f"prospects.Propagation.{name}": getattr(entry, name) for name in BROKER_REFERENCE}
        queued = {name: value for name, value in queued.items() if marked(value)}
        read(dpo, "/registry/propagation/", queued, set(queued) if entry.broker else set())
        check(subject_access_page(clients["admin"], prospect), values, values, "Art. 15 export")
        exported = dpo.post("/consent/brokers/export/", {"broker": objection.broker})
        assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
        forwarded = {"consent.BrokerExport.broker": objection.broker} if broker else {}
        read(dpo, "/consent/brokers/", values | forwarded, forwarded)

    run(st.lists(payloads(), min_size=3, max_size=3), example)

    assert all(outcomes[f"consent.Objection.{name}"] >= 5 for name in BROKER_REFERENCE), outcomes
