"""Builders for the registry tests: a person with a row in every table that can hold data about them."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from consent.models import Purpose
from consent.objections import record_objection
from consent.recording import Proof, record_consent
from org.access import record_access
from org.models import AccessAction
from outreach.models import Campaign, Message
from prospects.models import Interaction, InteractionType
from prospects.next_steps import add_next_step
from prospects.timeline import add_note, record_interaction
from registry import records, requests
from registry.forms import ActivityForm, RetentionFormSet, retention_initial
from registry.models import ProcessingActivity
from tests import factories


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in English: a request in French leaves its language active in the thread."""
    with translation.override("en"):
        yield


def campaign(*, by, name: str = "Spring offer") -> Campaign:
    return Campaign.objects.create(
        name=name,
        purpose=Purpose.objects.get(code="b2b_prospecting"),
        channel="email",
        sender_name="Camille Martin, Loyal SAS",
        sender_email="camille@loyal.example",
        subject_fr="Notre offre",
        body_fr="Bonjour",
        created_by=by,
        target_segment=factories.whole_base(by=by),
    )


def full_person(
    *, by, first_name: str, last_name: str, email: str, phone: str, interactions: int = 3, marker: str
):
    """A prospect with sources, interactions, notes, a consent, an objection, messages and log entries.

    ``marker`` is written into every free text about them, to find any leak of their data.
    """
    prospect = factories.prospect(
        by=by,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        linkedin_url=f"https://www.linkedin.com/in/{first_name}-{last_name}-{marker}".lower(),
        source_type="broker",
        language="fr",
    )
    record_interaction(prospect, type=InteractionType.EMAIL_REPLY, summary=f"Reply {marker}", by=by)
    start = timezone.now() - timedelta(days=400)
    Interaction.objects.bulk_create(
        Interaction(
            prospect=prospect,
            type=InteractionType.EMAIL_SENT,
            direction="outbound",
            is_voluntary_prospect_contact=False,
            occurred_at=start + timedelta(minutes=n),
            summary=f"Message {n} {marker}",
            recorded_by=by,
        )
        for n in range(interactions - 1)
    )
    add_note(prospect, text=f"Met at the fair, interested in {marker}", by=by)
    add_next_step(prospect, what=f"Send the {marker} quote", due_at=timezone.now() + timedelta(days=2), by=by)
    record_consent(
        prospect,
        purpose_code="newsletter",
        channel="email",
        proof=Proof(
            method="signed_form", wording=f"I agree {marker}", wording_version="v1", evidence_ref="Box 3"
        ),
        by=by,
    )
    record_objection(prospect, channel="phone", via="letter", by=by)
    Message.objects.create(
        campaign=campaign(by=by),
        prospect=prospect,
        decision="refuse",
        reason="REF_OBJECTION",
        legal_reference="GDPR art. 21(3)",
        status="refused",
        body=f"Body {marker}",
    )
    record_access(by, [prospect.pk], action=AccessAction.VIEW)
    requests.receive(
        requests.Intake(kind="access", received_on=timezone.localdate(), channel="email", prospect=prospect),
        by=by,
    )
    return prospect


@pytest.fixture
def person(rep):
    return full_person(
        by=rep, first_name="Jeanne", last_name="Martin", email="jeanne.martin@acme.fr",
        phone="+33 6 12 34 56 78", marker="alpha", interactions=3,
    )  # fmt: skip


@pytest.fixture
def namesake(rep):
    """Another person with a similar name and address, who must never appear in the first one's export."""
    return full_person(
        by=rep, first_name="Jeanne", last_name="Martine", email="jeanne.martine@acme.fr",
        phone="+33 6 98 76 54 32", marker="bravo", interactions=5,
    )  # fmt: skip


ATTESTED = {"dpia_status": "not_required", "processor_contracts": "DPA-HOST-2026-03, DPA-MAIL-2026-04"}


def attest_every_fact(*, by) -> None:
    """The DPO enters, for every activity, the facts only the organisation can attest."""
    for record in ProcessingActivity.objects.all():
        facts = ATTESTED | {"lia_reference": f"LIA-{record.code}", "dpia_reference": f"SCREEN-{record.code}"}
        records.update_activity(record, values=facts, by=by)


def page_data(record: ProcessingActivity, **changes) -> dict:
    """What the activity's page posts, as a browser does, when the DPO changes ``changes``.

    Empty inputs post an empty string, a select its selected option, an unticked box nothing, and
    a text area its lines ended by CR LF.
    """
    form = ActivityForm(instance=record)
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    rules = RetentionFormSet(initial=retention_initial(list(record.retention.all())), prefix="retention")
    management = rules.management_form
    data |= {management.add_prefix(name): management[name].value() for name in management.fields}
    for rule in rules.forms:
        values = {name: rule[name].value() for name in rule.fields if name != "DELETE"}
        values["period"] = values["period"] or rule.fields["period"].choices[0][0]  # a select posts its first
        data |= {rule.add_prefix(name): "" if value is None else value for name, value in values.items()}
    crlf = {name: value.replace("\n", "\r\n") for name, value in data.items() if isinstance(value, str)}
    return data | crlf | changes
