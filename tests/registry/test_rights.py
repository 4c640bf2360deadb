"""Erasure (art. 17), restriction (art. 18) and objection (art. 21) carried out from a request."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent.channels import Channel
from org.models import AccessLog
from outreach.contactability import contactability
from outreach.policy import Decision
from prospects.intake import ProspectData, update_prospect
from prospects.models import Prospect, PurgeRun, Suppression
from prospects.suppression import digests_of, is_suppressed
from registry import requests, rights
from registry.models import Erasure, RequestStatus
from registry.subject_access import export_subject_data
from tests import factories

pytestmark = pytest.mark.django_db

SECRETS = ("alpha", "jeanne.martin@acme.fr", "+33612345678", "jeanne-martin-alpha")


def request_for(prospect, *, kind: str, by):
    intake = requests.Intake(
        kind=kind,
        received_on=timezone.localdate(),
        channel="letter",
        identity_check=f"ID seen {prospect.last_name}",
        prospect=prospect,
    )
    return requests.receive(intake, by=by)


def every_value():
    """Every stored value of every table, history and many-to-many tables included, as text."""
    for model in apps.get_models(include_auto_created=True):
        names = [field.attname for field in model._meta.concrete_fields]
        for row in model._default_manager.values_list(*names):
            for name, value in zip(names, row, strict=True):
                yield model._meta.label, name, str(value)


def references_to(pk: int) -> dict[str, int]:
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Prospect:
                count = model._default_manager.filter(**{field.attname: pk}).count()
                if count:
                    found[model._meta.label] = count
    return found


def test_after_erasure_the_person_is_gone_from_every_table_and_their_namesake_stays(
    admin_user, person, namesake
):
    pk, digests = person.pk, set(digests_of(person).values())
    item = request_for(person, kind="erasure", by=admin_user)
    kept_interactions = namesake.interactions.count()

    erasure = rights.erase(person, by=admin_user, request=item)

    leaks = [
        (label, name) for label, name, text in every_value() if any(secret in text for secret in SECRETS)
    ]
    assert leaks == []
    digest_rows = {(label, name) for label, name, text in every_value() if text in digests}
    # The suppression list, and the Art. 19 entry for the recipients: by hash only (docs/rules.md §2.3).
    assert {label for label, _name in digest_rows} == {"prospects.Suppression", "prospects.Propagation"}
    assert not Prospect.history.filter(id=pk).exists()
    # Only the access log keeps the bare number, without any link left to a person (CNIL 2021-122).
    assert set(references_to(pk)) <= {"org.AccessLog"}
    assert namesake.interactions.count() == kept_interactions
    item.refresh_from_db()
    assert (item.prospect, item.identity_check, item.status) == (None, "", RequestStatus.DONE)
    assert erasure.run.purged == 1 and erasure.suppressed == 3


def test_an_erased_person_cannot_be_recorded_again_by_any_identifier(rep, admin_user, person):
    rights.erase(person, by=admin_user)

    profile = "https://linkedin.com/in/jeanne-martin-alpha"
    linkedin = {"source_type": "linkedin_public_profile", "evidence": {"profile_url": profile}}
    for identifier in (
        {"email": "Jeanne.Martin@acme.fr"},
        {"phone": "06 12 34 56 78"},
        {"linkedin_url": profile, **linkedin},
    ):
        with pytest.raises(ValidationError) as refused:
            factories.prospect(by=rep, first_name="Jeanne", last_name="Martin", **identifier)
        assert "objected" in str(refused.value)


def test_the_erasure_log_names_no_one(admin_user, person):
    erasure = rights.erase(person, by=admin_user)

    assert erasure.ground == "request" and erasure.by == admin_user
    assert PurgeRun.objects.get(pk=erasure.run_id).triggered_by == admin_user
    stored = " ".join(str(value) for value in Erasure.objects.values_list().get())
    assert not any(secret in stored for secret in (*SECRETS, "Jeanne", "Martin"))


def test_the_admin_erases_from_the_request_page_and_the_dpo_cannot(client, admin_user, dpo, person):
    item = request_for(person, kind="erasure", by=dpo)
    factories.log_in(client, dpo)
    refused = client.post(f"/registry/requests/{item.pk}/execute/")
    factories.log_in(client, admin_user)

    asked = client.post(f"/registry/requests/{item.pk}/execute/")
    assert asked.status_code == 200 and Prospect.objects.filter(pk=person.pk).exists()
    response = client.post(f"/registry/requests/{item.pk}/execute/", {"confirm": "yes"})

    assert refused.status_code == 403 and response.status_code == 302
    assert not Prospect.objects.filter(pk=person.pk).exists()
    assert Erasure.objects.get().request == item


def test_restriction_keeps_the_record_but_blocks_edits_and_contacts(admin_user, rep, person):
    item = request_for(person, kind="restriction", by=admin_user)

    rights.restrict(person, by=admin_user, request=item, ground="accuracy")

    person.refresh_from_db()
    assert person.is_restricted
    assert person.history.first().history_change_reason == "restriction (GDPR art. 18)"
    with pytest.raises(ValidationError):
        update_prospect(
            person,
            ProspectData(first_name="Jeanne", last_name="Martin", email="jeanne.martin@acme.fr"),
            by=rep,
        )
    assert all(row.verdict.decision == Decision.REFUSE for row in contactability(person))
    assert export_subject_data(person, by=admin_user).content  # the person still gets their copy
    item.refresh_from_db()
    assert item.status == RequestStatus.DONE


def test_lifting_a_restriction_needs_one_in_place(admin_user, person):
    told = {"informed_on": timezone.localdate(), "informed_by": "email", "text": "Lifted next week."}
    rights.restrict(person, by=admin_user, ground="accuracy")
    rights.lift_restriction(person, by=admin_user, **told)

    with pytest.raises(ValidationError):
        rights.lift_restriction(person, by=admin_user, **told)
    assert not Prospect.objects.get(pk=person.pk).is_restricted


def test_an_objection_request_blocks_every_channel(admin_user, person):
    item = request_for(person, kind="objection", by=admin_user)

    rights.object_to_prospecting(person, by=admin_user, request=item)

    assert is_suppressed(person, channel=Channel.EMAIL) and is_suppressed(person, channel=Channel.POSTAL)
    assert Suppression.objects.filter(channel=Suppression.ALL_CHANNELS, origin="request").count() == 3
    item.refresh_from_db()
    assert item.status == RequestStatus.DONE
    # GDPR 5(1)(c): a non-customer's record is reduced to its hash, and the answer says so.
    assert not Prospect.objects.filter(pk=person.pk).exists()
    assert "reduced to its keyed hashes" in item.outcome


def test_the_access_log_of_an_erased_person_shows_no_name(client, dpo, admin_user, person):
    pk = person.pk
    rights.erase(person, by=admin_user)
    factories.log_in(client, dpo)

    page = client.get("/registry/access-log/").content.decode()

    assert AccessLog.objects.filter(prospect_id=pk).exists()
    assert "Jeanne" not in page and f"#{pk}" in page


def test_a_record_erased_twice_is_refused_the_second_time(admin_user, person):
    stale = Prospect.objects.get(pk=person.pk)
    rights.erase(person, by=admin_user)

    with pytest.raises(ValidationError):
        rights.erase(stale, by=admin_user)

    assert Erasure.objects.count() == 1 and PurgeRun.objects.count() == 1
