"""Legal holds, erasure under GDPR 17(3), restriction (18) and its lifting, through the pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consent.models import Consent
from outreach.contactability import campaign_situation, contactability
from outreach.decisions import verdicts_for
from outreach.policy import Reason, decide
from prospects import retention
from prospects.models import Interaction, Note, Propagation, Prospect, Source, Suppression
from prospects.suppression import digests_of
from registry.models import Erasure, RequestStatus, RestrictionLift
from tests import factories
from tests.registry.test_rights import SECRETS, every_value, request_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def browser(user) -> Client:
    """A logged-in browser whose posts carry the CSRF token, as a real one's do."""
    client = Client(enforce_csrf_checks=True)
    factories.log_in(client, user)
    return client


def post(client: Client, page: str, data: dict, *, to: str | None = None):
    token = client.get(page).cookies["csrftoken"].value
    return client.post(to or page, {"csrfmiddlewaretoken": token, **data})


def hold(person, *, dpo, scope: str, reason: str = "Claim 2026-114 before the tribunal de commerce"):
    response = post(
        browser(dpo),
        person.get_absolute_url(),
        {"until": (TODAY + timedelta(days=200)).isoformat(), "reason": reason, "scope": scope},
        to=f"/prospects/{person.pk}/legal-hold/",
    )
    assert response.status_code == 302
    person.refresh_from_db()
    return person


def execute(item, *, admin, data: dict | None = None):
    return post(
        browser(admin),
        f"/registry/requests/{item.pk}/",
        {**(data or {}), "confirm": "yes"},
        to=f"/registry/requests/{item.pk}/execute/",
    )


def test_the_dpo_places_a_hold_with_its_scope_and_a_hold_without_one_is_refused(dpo, person):
    refused = post(
        browser(dpo),
        person.get_absolute_url(),
        {"until": (TODAY + timedelta(days=30)).isoformat(), "reason": "Audit"},
        to=f"/prospects/{person.pk}/legal-hold/",
    )
    person.refresh_from_db()
    page = refused.content.decode()
    assert refused.status_code == 400 and person.legal_hold_until is None
    assert 'href="#hold-scope"' in page and 'id="hold-scope_errors"' in page

    hold(person, dpo=dpo, scope="exchanges")

    assert (person.legal_hold_scope, person.legal_hold_placed_by) == ("exchanges", dpo)
    page = browser(dpo).get(person.get_absolute_url()).content.decode()
    assert "The exchanges only" in page


def test_erasure_under_a_hold_on_the_exchanges_keeps_only_them_restricted_and_says_why(
    admin_user, dpo, person
):
    hold(person, dpo=dpo, scope="exchanges")
    digests = set(digests_of(person).values())
    interactions, notes = person.interactions.count(), person.notes.count()
    queued = set(Propagation.objects.values_list("pk", flat=True))
    item = request_for(person, kind="erasure", by=admin_user)

    response = execute(item, admin=admin_user)

    assert response.status_code == 302
    kept = Prospect.objects.get(pk=person.pk)
    assert (kept.email, kept.phone, kept.linkedin_url, kept.email_index, kept.job_title) == (
        "",
        "",
        "",
        None,
        "",
    )
    assert kept.is_restricted and kept.restriction_ground == "legal_hold"
    assert Interaction.objects.filter(prospect=kept).count() == interactions
    assert Note.objects.filter(prospect=kept).count() == notes
    assert (
        not Source.objects.filter(prospect=kept).exists()
        and not Consent.objects.filter(prospect=kept).exists()
    )
    # The identifiers are gone from the history too, and stay only as suppression hashes (§2.3).
    assert not [(label, name) for label, name, text in every_value() if any(s in text for s in SECRETS[1:3])]
    assert digests <= set(Suppression.objects.values_list("digest", flat=True))
    erasure = Erasure.objects.get()
    assert erasure.outcome == "partial" and erasure.run.rows["prospects.Source"] >= 1
    item.refresh_from_db()
    # GDPR 12(4): what is kept, why, until when, and the routes of complaint; in the person's language.
    assert item.status == RequestStatus.REFUSED and item.remedies_told
    assert "Claim 2026-114" in item.outcome and "CNIL" in item.outcome and item.outcome == erasure.kept
    events = Propagation.objects.filter(prospect=kept).exclude(pk__in=queued).values_list("event", flat=True)
    assert sorted(events) == ["erasure", "restriction"]


def test_erasure_under_a_hold_on_the_whole_record_is_refused_and_the_person_told_in_french(
    admin_user, dpo, person
):
    hold(person, dpo=dpo, scope="record")
    item = request_for(person, kind="erasure", by=admin_user)

    execute(item, admin=admin_user)

    kept = Prospect.objects.get(pk=person.pk)
    assert kept.email == "jeanne.martin@acme.fr" and kept.is_restricted
    assert Source.objects.filter(prospect=kept).exists()
    assert Erasure.objects.get().outcome == "refused" and Erasure.objects.get().run is None
    item.refresh_from_db()
    assert "Votre demande d'effacement" in item.outcome and "tribunal judiciaire" in item.outcome
    assert Suppression.objects.filter(digest=kept.phone_index).exists()
    assert all(row.verdict.reason == Reason.REF_RESTRICTED for row in contactability(kept))


def test_a_hold_that_has_ended_no_longer_blocks_the_erasure(admin_user, dpo, person):
    Prospect.objects.filter(pk=person.pk).update(
        legal_hold_until=TODAY - timedelta(days=1), legal_hold_reason="Old claim", legal_hold_scope="record"
    )
    item = request_for(person, kind="erasure", by=admin_user)

    execute(item, admin=admin_user)

    assert not Prospect.objects.filter(pk=person.pk).exists()
    assert Erasure.objects.get().outcome == "erased"


def test_a_restriction_needs_its_ground_and_is_queued_for_the_recipients(admin_user, person):
    item = request_for(person, kind="restriction", by=admin_user)
    execute(item, admin=admin_user)
    assert not Prospect.objects.get(pk=person.pk).is_restricted

    execute(item, admin=admin_user, data={"ground": "unlawful"})

    restricted = Prospect.objects.get(pk=person.pk)
    assert restricted.is_restricted and restricted.restriction_ground == "unlawful"
    entry = Propagation.objects.get(prospect=restricted, event="restriction")
    assert entry.email_digest == restricted.email_index
    assert list(entry.recipients.values_list("kind", flat=True)) == ["other_systems"]


def test_the_gate_refuses_a_restricted_person_in_bulk_and_one_by_one(admin_user, rep, person):
    campaign = factories.campaign(by=rep)
    execute(
        request_for(person, kind="restriction", by=admin_user), admin=admin_user, data={"ground": "accuracy"}
    )
    person.refresh_from_db()

    bulk = verdicts_for(campaign, [person.pk])[person.pk][1]
    single = decide(campaign_situation(campaign, person))

    assert (
        bulk == single and single.reason == Reason.REF_RESTRICTED and single.legal_reference == "GDPR 18(2)"
    )


def test_lifting_a_restriction_records_how_the_person_was_told_first(admin_user, person):
    execute(
        request_for(person, kind="restriction", by=admin_user), admin=admin_user, data={"ground": "accuracy"}
    )
    page = f"/registry/restrictions/{person.pk}/lift/"
    client = browser(admin_user)

    missing = post(client, page, {})
    future = post(
        client,
        page,
        {"informed_on": (TODAY + timedelta(days=2)).isoformat(), "informed_by": "email", "text": "x"},
    )

    assert missing.status_code == 400 and future.status_code == 400
    errors = missing.context["form"].errors
    assert set(errors) == {"informed_on", "informed_by", "text"}
    assert "before the restriction is lifted" in str(future.context["form"].errors["informed_on"])
    assert Prospect.objects.get(pk=person.pk).is_restricted

    told = "Your data were checked and are accurate; processing resumes on 8 December."
    facts = {"informed_on": TODAY.isoformat(), "informed_by": "letter", "text": told}
    asked = post(client, page, facts)
    assert asked.status_code == 200 and Prospect.objects.get(pk=person.pk).is_restricted
    assert told in asked.content.decode()
    done = post(client, page, {**facts, "confirm": "yes"})

    assert done.status_code == 302
    lifted = Prospect.objects.get(pk=person.pk)
    assert not lifted.is_restricted and lifted.restriction_ground == ""
    lift = RestrictionLift.objects.get()
    assert (lift.informed_by, lift.text, lift.ground, lift.lifted_by) == (
        "letter",
        told,
        "accuracy",
        admin_user,
    )
    assert Propagation.objects.filter(prospect=lifted, event="restriction_lifted").exists()
    assert lifted.history.first().history_change_reason == "restriction lifted (GDPR art. 18(3))"


def test_a_restriction_a_running_hold_placed_cannot_be_lifted(admin_user, dpo, person):
    hold(person, dpo=dpo, scope="record")
    execute(request_for(person, kind="erasure", by=admin_user), admin=admin_user)

    response = post(
        browser(admin_user),
        f"/registry/restrictions/{person.pk}/lift/",
        {"informed_on": TODAY.isoformat(), "informed_by": "email", "text": "Lifted."},
    )

    assert (
        response.status_code == 400 and "legal hold keeps this record restricted" in response.content.decode()
    )
    assert Prospect.objects.get(pk=person.pk).is_restricted


def test_a_rectification_is_queued_under_the_hashes_the_recipients_know(rep, person):
    before = person.email_index
    data = {
        "first_name": "Jeanne", "last_name": "Martin", "company_name": "Acme", "job_title": "CFO",
        "email": "j.martin@acme.fr", "language": "fr",
    }  # fmt: skip

    response = post(browser(rep), f"/prospects/{person.pk}/edit/", data)
    unchanged = post(browser(rep), f"/prospects/{person.pk}/edit/", data)

    assert response.status_code == 302 and unchanged.status_code == 302
    entries = Propagation.objects.filter(prospect=person, event="rectification")
    assert [entry.email_digest for entry in entries] == [before]


def test_the_retention_forms_agree_on_restricted_records(rep, person):
    past = TODAY + timedelta(days=365 * 4)
    Prospect.objects.filter(pk=person.pk).update(restricted_at=timezone.now(), restriction_ground="claims")
    person.refresh_from_db()

    assert retention.is_expired(person, today=past)
    assert not retention.is_purgeable(person, today=past)
    assert not Prospect.objects.filter(retention.purgeable(past), pk=person.pk).exists()
