"""The Art. 19 queue outlives the record it reports, and a global objection leaves nothing else.

GDPR 19, 28(3)(g); 5(1)(c) and CNIL MED-2023-040 (docs/rules.md §2.1, §2.3).
"""

from datetime import date

import pytest
from django.test import Client

from consent.brokers import export_for_broker
from consent.models import Objection, Route
from consent.objections import record_objection
from prospects.models import Propagation, Prospect, Recipient, Suppression
from prospects.purge import purge_expired
from prospects.suppression import digests_of
from registry import rights
from tests import factories
from tests.prospects.purge_subjects import collected_on
from tests.registry.conftest import full_person
from tests.traces import columns_holding, references_to

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Zéphyrine",
    "last_name": "Quastorff",
    "email": "z.quastorff@acme-industries.fr",
    "phone": "+33 6 12 34 56 78",
}
CLEAR = [
    "Zéphyrine", "Quastorff", "z.quastorff@acme-industries.fr", "+33612345678", "0612345678",
    "quastorff-omega", "omega",  # the LinkedIn URL ends with it
]  # fmt: skip


def _client(user) -> Client:
    client = Client()
    factories.log_in(client, user)
    return client


def _broker_entry(entry: Propagation) -> tuple:
    broker = entry.recipients.get(kind=Recipient.Kind.BROKER)
    return (entry.broker, entry.broker_contract_ref, entry.broker_list_id, broker.status, entry.prospect_id)


def _assert_holds_nothing_in_clear(entry: Propagation) -> None:
    columns = [f.attname for f in Propagation._meta.concrete_fields]
    values = [
        str(value).lower() for value in Propagation.objects.filter(pk=entry.pk).values_list(*columns).get()
    ]
    assert not [value for value in values for text in CLEAR if text.lower() in value]


# --- Acceptance 2: the entry survives erasure and purge, and the DPO sees it -----------------------


def test_an_objection_then_an_erasure_leaves_a_pending_entry_naming_the_broker(rep, admin_user, dpo):
    person = full_person(by=rep, **PERSON, marker="omega")
    digests = digests_of(person)
    record_objection(person, channel="email", via=Route.LETTER, by=rep)

    rights.erase(person, by=admin_user)

    entry = Propagation.objects.get(event=Propagation.Event.OBJECTION, channel="email")
    assert _broker_entry(entry) == ("ListCo", "C-2026-12", "L-77", Recipient.Status.PENDING, None)
    assert (entry.email_digest, entry.phone_digest, entry.linkedin_digest) == (
        digests["email"],
        digests["phone"],
        digests["linkedin"],
    )
    _assert_holds_nothing_in_clear(entry)
    page = _client(dpo).get("/registry/propagation/").content.decode()
    assert "ListCo" in page and "L-77" in page and "Quastorff" not in page


def test_an_objection_entry_survives_the_retention_purge(rep, dpo):
    today = date(2026, 6, 15)
    evidence = {**factories.EVIDENCE["broker"], "delivery_date": "2022-06-01"}
    person = collected_on(date(2022, 6, 10), by=rep, source_type="broker", evidence=evidence, **PERSON)
    record_objection(person, channel="sms", via=Route.REPLY, by=rep)

    purge_expired(today=today)

    assert not Prospect.objects.filter(pk=person.pk).exists()
    entry = Propagation.objects.get(event=Propagation.Event.OBJECTION)
    assert _broker_entry(entry) == ("ListCo", "C-2026-12", "L-77", Recipient.Status.PENDING, None)
    _assert_holds_nothing_in_clear(entry)
    purge = Propagation.objects.get(event=Propagation.Event.PURGE)
    assert list(purge.recipients.values_list("kind", flat=True)) == [Recipient.Kind.OTHER_SYSTEMS]
    response = _client(dpo).get("/registry/propagation/")
    assert response.status_code == 200 and "L-77" in response.content.decode()


def test_the_dpo_page_counts_what_was_sent_and_what_is_pending_and_reps_are_refused(rep, dpo, admin_user):
    person = factories.prospect(by=rep, email="paul.morel@industrie.fr", source_type="broker")
    record_objection(person, channel="email", via=Route.LINK)

    export_for_broker("ListCo", by=admin_user)

    response = _client(dpo).get("/registry/propagation/")
    refused = _client(rep).get("/registry/propagation/")
    assert refused.status_code == 403
    assert [(t.kind, t.pending, t.sent) for t in response.context["tallies"]] == [
        (Recipient.Kind.BROKER, 0, 1),
        (Recipient.Kind.OTHER_SYSTEMS, 1, 0),
    ]
    html = response.content.decode()
    assert "paul" not in html.lower() and digests_of(person)["email"] not in html
    assert "/registry/propagation/" in _client(dpo).get("/").content.decode()


# --- Acceptance 3: after a global objection, only the hashes and the entry remain ------------------


def test_after_a_global_objection_only_the_hashes_and_the_entry_remain_anywhere(rep):
    person = full_person(by=rep, **PERSON, marker="omega")
    pk, digests = person.pk, set(digests_of(person).values())

    response = _client(rep).post(
        f"/api/prospects/{pk}/objections/",
        {"channel": "", "received_via": "letter"},
        content_type="application/json",
    )

    assert response.status_code == 201 and response.json()["record_reduced_to_hash"] is True
    assert columns_holding(CLEAR) == []
    holders = {column.split(".")[0] for column in columns_holding(sorted(digests))}
    assert holders == {Suppression._meta.db_table, Propagation._meta.db_table}
    # The access log keeps a bare number with nothing left to link it to (CNIL délib. 2021-122).
    assert set(references_to(pk)) <= {"org.AccessLog"}
    assert not Prospect.history.filter(id=pk).exists()
    entry = Propagation.objects.get(channel="", event=Propagation.Event.OBJECTION)
    assert entry.record_erased and entry.prospect_id is None
    assert set(Objection.objects.values_list("prospect_id", flat=True)) == {None}
