"""Objections (GDPR art. 21): whatever the route, they stop every later send and every re-entry."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent.models import Objection, Route
from consent.objections import record_objection
from outreach.contactability import CHANNELS, contactability, situation_for
from outreach.policy import Reason, decide
from prospects import suppression
from prospects.identity import blind_index, normalise_email, normalise_linkedin_url, normalise_phone
from prospects.intake import ProspectData, SourceData, create_prospect
from prospects.models import Propagation, Prospect, PurgeReason, PurgeRun, Suppression
from prospects.retention import place_legal_hold
from tests import factories

pytestmark = pytest.mark.django_db

EMAIL = "Claire.Martin@Example-Industrie.fr"
PHONE = "06 12 34 56 78"
LINKEDIN = "https://www.linkedin.com/in/claire-martin-indus"


def _reasons(prospect) -> dict[str, str]:
    return {row.channel: row.verdict.reason for row in contactability(prospect)}


def _record_from_elsewhere(*, owner, email="", phone="", linkedin_url=""):
    """A row that did not come through intake (an older import): only its identifiers matter here."""
    email = normalise_email(email) if email else ""
    phone = normalise_phone(phone) if phone else ""
    linkedin_url = normalise_linkedin_url(linkedin_url) if linkedin_url else ""
    return Prospect.objects.create(
        first_name="Claire",
        last_name="Martin",
        audience="b2b_nominative",
        owner=owner,
        retention_until=timezone.localdate() + timezone.timedelta(days=365),
        email=email,
        email_index=blind_index("email", email) if email else None,
        phone=phone,
        phone_index=blind_index("phone", phone) if phone else None,
        linkedin_url=linkedin_url,
        linkedin_index=blind_index("linkedin", linkedin_url) if linkedin_url else None,
    )


@pytest.mark.parametrize("route", [Route.PHONE, Route.LETTER, Route.REPLY, Route.REQUEST, Route.LINK])
def test_global_objection_refuses_every_channel_whatever_its_route(rep, route):
    person = factories.customer(by=rep, email=EMAIL, phone=PHONE)
    before = _reasons(person)

    record_objection(person, channel="", via=route, by=rep)

    assert Reason.REF_OBJECTION not in before.values()
    assert _reasons(person) == {channel: Reason.REF_OBJECTION for channel in CHANNELS}


def test_objection_on_one_channel_refuses_that_channel_only(rep):
    person = factories.prospect(by=rep, email=EMAIL, phone=PHONE)

    record_objection(person, channel="email", via=Route.PHONE, by=rep)

    reasons = _reasons(person)
    assert reasons.pop("email") == Reason.REF_OBJECTION
    assert Reason.REF_OBJECTION not in reasons.values()
    assert suppression.is_suppressed(person, channel="email")
    assert not suppression.is_suppressed(person, channel="phone")


@pytest.mark.parametrize(
    ("shared", "other"),
    [
        ("email", {"email": EMAIL.upper()}),
        ("phone", {"email": "c.martin@other-company.fr", "phone": "+33 6 12 34 56 78"}),
        (
            "linkedin",
            {"email": "c.martin@other-company.fr", "linkedin_url": "linkedin.com/in/Claire-Martin-Indus/"},
        ),
    ],
)
def test_objection_refuses_any_other_record_sharing_an_identifier(rep, shared, other):
    person = factories.prospect(by=rep, email=EMAIL, phone=PHONE, linkedin_url=LINKEDIN)
    record_objection(person, channel="", via=Route.LETTER, by=rep)  # Reduces the record to its hash.

    twin = _record_from_elsewhere(owner=rep, **other)

    assert suppression.is_suppressed(twin, channel="email")
    assert decide(situation_for(twin, "email")).reason == Reason.REF_OBJECTION
    assert _reasons(twin) == {channel: Reason.REF_OBJECTION for channel in CHANNELS}


def test_channel_objection_refuses_that_channel_for_a_record_sharing_the_phone(rep):
    person = factories.prospect(by=rep, email=EMAIL, phone=PHONE)
    record_objection(person, channel="phone", via=Route.PHONE, by=rep)
    person.delete()

    twin = _record_from_elsewhere(owner=rep, email="someone.else@acme.fr", phone=PHONE)

    assert decide(situation_for(twin, "phone")).reason == Reason.REF_OBJECTION
    assert decide(situation_for(twin, "email")).reason != Reason.REF_OBJECTION


def test_erased_person_who_objected_cannot_be_recorded_again_in_any_case(rep):
    person = factories.prospect(by=rep, email=EMAIL)
    record_objection(person, channel="", via=Route.PHONE, by=rep)  # Reduces the record to its hash.

    with pytest.raises(ValidationError) as refused:
        create_prospect(
            ProspectData(first_name="Claire", last_name="Martin", email=EMAIL.upper()),
            source=SourceData(type="business_card", evidence=factories.EVIDENCE["business_card"]),
            by=rep,
        )

    assert suppression.refusal_message() in refused.value.message_dict["email"]
    assert not Prospect.objects.exists()


def test_suppression_list_holds_no_plaintext_identifier(rep):
    person = factories.prospect(by=rep, email=EMAIL, phone=PHONE, linkedin_url=LINKEDIN)
    record_objection(person, channel="sms", via=Route.REPLY, by=rep)
    record_objection(person, channel="", via=Route.LINK)  # Reduces the record to its hash.

    cells = [str(value).lower() for row in Suppression.objects.values_list() for value in row]

    assert len(Suppression.objects.all()) == 6
    plaintexts = {
        EMAIL.lower(),
        "claire.martin",
        "0612345678",
        "+33612345678",
        "612345678",
        "claire-martin-indus",
    }
    assert not [cell for cell in cells for text in plaintexts if text in cell]


def test_objection_outlives_the_erased_prospect_without_identity(rep):
    person = factories.prospect(by=rep, email=EMAIL)
    objection = record_objection(person, channel="email", via=Route.PHONE, by=rep)

    person.delete()

    objection.refresh_from_db()
    assert objection.prospect_id is None
    assert (objection.channel, objection.received_via, objection.recorded_by) == ("email", Route.PHONE, rep)


def test_recording_the_same_objection_twice_keeps_one_row(rep):
    person = factories.prospect(by=rep, email=EMAIL)
    first = record_objection(person, channel="email", via=Route.LINK)

    again = record_objection(person, channel="email", via=Route.LINK)

    assert again == first
    assert Objection.objects.count() == 1


def test_global_objection_after_a_channel_one_is_a_new_row_covering_everything(rep):
    person = factories.customer(by=rep, email=EMAIL, phone=PHONE)
    record_objection(person, channel="email", via=Route.LINK)

    record_objection(person, channel="", via=Route.PHONE, by=rep)
    covered = record_objection(person, channel="phone", via=Route.PHONE, by=rep)

    assert Objection.objects.count() == 2
    assert covered.channel == ""


def test_objection_after_a_rectified_email_also_blocks_the_new_address(rep):
    person = factories.customer(by=rep, email=EMAIL)
    record_objection(person, channel="", via=Route.PHONE, by=rep)
    person.email, person.email_index = "claire@new-company.fr", blind_index("email", "claire@new-company.fr")
    person.save()

    record_objection(person, channel="", via=Route.LETTER, by=rep)

    assert suppression.suppressed_digests([blind_index("email", "claire@new-company.fr")])


def test_global_objection_reduces_a_non_customer_record_to_its_hash(rep):
    person = factories.prospect(by=rep, email=EMAIL, phone=PHONE, linkedin_url=LINKEDIN)
    digests = set(suppression.digests_of(person).values())

    objection = record_objection(person, channel="", via=Route.PHONE, by=rep)

    assert not Prospect.objects.filter(pk=person.pk).exists()
    assert objection.prospect_id is None and objection.channel == "" and objection.recorded_by == rep
    assert set(
        Suppression.objects.filter(channel=Suppression.ALL_CHANNELS).values_list("digest", flat=True)
    ) == (digests)
    entry = Propagation.objects.get()
    assert (entry.event, entry.record_erased, entry.prospect_id) == (Propagation.Event.OBJECTION, True, None)
    run = PurgeRun.objects.get()
    assert (run.reason, run.purged, run.triggered_by) == (PurgeReason.OBJECTION, 1, rep)


def test_channel_objection_keeps_the_record(rep):
    person = factories.prospect(by=rep, email=EMAIL)

    objection = record_objection(person, channel="email", via=Route.PHONE, by=rep)

    assert objection.prospect == person
    assert Prospect.objects.filter(pk=person.pk).exists() and not PurgeRun.objects.exists()
    assert Propagation.objects.get().record_erased is False


def test_global_objection_keeps_a_customer_record_and_suppresses_it(rep):
    person = factories.customer(by=rep, email=EMAIL)

    objection = record_objection(person, channel="", via=Route.LETTER, by=rep)

    assert objection.prospect == person and not PurgeRun.objects.exists()
    assert suppression.is_suppressed(person)


def test_global_objection_keeps_a_record_under_legal_hold(rep):
    person = factories.prospect(by=rep, email=EMAIL)
    place_legal_hold(person, until=timezone.localdate() + timedelta(days=30), reason="Claim", by=rep)

    objection = record_objection(person, channel="", via=Route.LETTER, by=rep)

    assert objection.prospect == person and suppression.is_suppressed(person)


def test_objection_of_a_record_erased_meanwhile_says_it_no_longer_exists(rep):
    person = factories.prospect(by=rep, email=EMAIL)
    Prospect.objects.filter(pk=person.pk).delete()

    with pytest.raises(Prospect.DoesNotExist):
        record_objection(person, channel="email", via=Route.LINK)

    assert not Objection.objects.exists() and not Propagation.objects.exists()


def test_objection_refuses_unknown_channel_route_or_future_date(rep):
    person = factories.prospect(by=rep, email=EMAIL)

    with pytest.raises(ValidationError) as refused:
        record_objection(
            person, channel="fax", via="pigeon", received_at=timezone.now() + timezone.timedelta(days=2)
        )

    assert set(refused.value.message_dict) == {"channel", "received_via", "received_at"}
    assert not Objection.objects.exists() and not Suppression.objects.exists()
