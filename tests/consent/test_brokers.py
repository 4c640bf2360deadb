"""Objections of broker-sourced people are forwarded to the broker, by the admin or the DPO, and logged."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from consent.brokers import export_for_broker, pending_by_broker
from consent.models import BrokerExport, Objection, Route
from consent.objections import record_objection
from org.models import AccessAction, AccessLog
from prospects.models import Recipient
from prospects.suppression import digests_of
from registry import rights
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rented(rep):
    return factories.prospect(by=rep, email="Paul.Morel@Industrie.fr", source_type="broker")


def _client(user) -> Client:
    client = Client()
    factories.log_in(client, user)
    return client


def test_objection_of_a_broker_sourced_prospect_is_queued_for_that_broker(rep, rented):
    objection = record_objection(rented, channel="email", via=Route.PHONE, by=rep)

    assert (objection.broker, objection.broker_contract_ref, objection.broker_list_id) == (
        "ListCo",
        "C-2026-12",
        "L-77",
    )
    assert objection.forwarded_at is None
    assert list(pending_by_broker()) == [{"broker": "ListCo", "pending": 1}]


def test_objection_received_from_the_broker_is_not_sent_back_to_it(rep, rented):
    record_objection(rented, channel="", via=Route.BROKER, by=rep)

    assert not pending_by_broker().exists()


def test_objection_of_a_prospect_met_in_person_is_not_queued(rep):
    person = factories.prospect(by=rep)

    record_objection(person, channel="email", via=Route.LINK)

    assert not pending_by_broker().exists()


def test_dpo_export_lists_the_address_in_clear_and_dates_the_forwarding(rep, dpo, rented):
    objection = record_objection(rented, channel="email", via=Route.LINK)

    response = _client(dpo).post(reverse("consent:broker_export"), {"broker": "ListCo"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["list_id"], r["contract_ref"], r["email"], r["channel"]) for r in rows] == [
        ("L-77", "C-2026-12", "paul.morel@industrie.fr", "email")
    ]
    export = BrokerExport.objects.get()
    assert (export.broker, export.exported_by, export.rows) == ("ListCo", dpo, 1)
    objection.refresh_from_db()
    assert objection.forwarded_at == export.exported_at
    assert not pending_by_broker().exists()


def test_second_export_holds_only_the_new_objections(rep, admin_user, rented):
    record_objection(rented, channel="email", via=Route.LINK)
    export_for_broker("ListCo", by=admin_user)
    other = factories.prospect(by=rep, first_name="Lea", email="lea@industrie.fr", source_type="broker")
    record_objection(other, channel="phone", via=Route.LETTER, by=rep)

    _export, text = export_for_broker("ListCo", by=admin_user)

    assert [row["email"] for row in csv.DictReader(io.StringIO(text))] == ["lea@industrie.fr"]


def test_rep_cannot_export_a_broker_file(rep, rented):
    record_objection(rented, channel="", via=Route.PHONE, by=rep)

    response = _client(rep).post(reverse("consent:broker_export"), {"broker": "ListCo"})

    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        export_for_broker("ListCo", by=rep)
    assert not BrokerExport.objects.exists() and Objection.objects.get().forwarded_in is None


def test_export_with_nothing_pending_records_nothing(dpo):
    response = _client(dpo).post(reverse("consent:broker_export"), {"broker": "ListCo"})

    assert response.status_code == 302
    assert not BrokerExport.objects.exists()


def test_broker_queue_page_shows_counts_to_the_dpo(rep, dpo, rented):
    record_objection(rented, channel="", via=Route.PHONE, by=rep)

    response = _client(dpo).get(reverse("consent:brokers"))

    assert response.status_code == 200
    assert b"ListCo" in response.content and b"paul" not in response.content.lower()


def test_broker_export_is_written_to_the_access_log(admin_user, rep):
    person = factories.prospect(by=rep, email="lea.broker@acme.fr", source_type="broker")
    record_objection(person, channel="email", via=Route.PHONE, by=rep)

    export_for_broker("ListCo", by=admin_user)

    assert AccessLog.objects.filter(
        prospect_id=person.pk, user=admin_user, action=AccessAction.EXPORT
    ).exists()


def test_a_broker_name_with_a_nul_character_is_refused_like_an_unknown_broker(dpo, rep, rented):
    record_objection(rented, channel="", via=Route.PHONE, by=rep)

    response = _client(dpo).post(reverse("consent:broker_export"), {"broker": "List\x00Co"}, follow=True)

    assert response.status_code == 200
    assert "No objection is waiting to be forwarded to this broker." in response.content.decode()
    assert not BrokerExport.objects.exists() and Objection.objects.get().forwarded_in is None


def test_a_person_reduced_to_the_hash_is_forwarded_with_the_hashes_and_the_list_reference(rep, dpo, rented):
    digests = digests_of(rented)
    record_objection(rented, channel="", via=Route.PHONE, by=rep)

    _export, text = export_for_broker("ListCo", by=dpo)

    [row] = list(csv.DictReader(io.StringIO(text)))
    assert (row["broker"], row["contract_ref"], row["list_id"], row["event"], row["channel"]) == (
        "ListCo",
        "C-2026-12",
        "L-77",
        "objection",
        "all",
    )
    assert (row["email"], row["phone"], row["email_hash"]) == ("", "", digests["email"])
    assert "paul" not in text.lower()


def test_an_erasure_after_an_objection_is_forwarded_too(rep, admin_user, rented):
    record_objection(rented, channel="email", via=Route.LINK)
    rights.erase(rented, by=admin_user)

    _export, text = export_for_broker("ListCo", by=admin_user)

    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["event"], r["channel"], r["list_id"], r["email"]) for r in rows] == [
        ("objection", "email", "L-77", ""),
        ("erasure", "all", "L-77", ""),
    ]


def test_the_export_marks_the_queue_sent_with_when_by_whom_and_how(rep, dpo, rented):
    record_objection(rented, channel="email", via=Route.LINK)

    export, _text = export_for_broker("ListCo", by=dpo)

    told = Recipient.objects.get(kind=Recipient.Kind.BROKER)
    assert (told.status, told.sent_at, told.sent_by) == (Recipient.Status.SENT, export.exported_at, dpo)
    assert told.sent_how == f"broker export {export.pk}"
    assert Recipient.objects.get(kind=Recipient.Kind.OTHER_SYSTEMS).status == Recipient.Status.PENDING
