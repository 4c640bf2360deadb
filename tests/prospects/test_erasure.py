"""Nothing about a purged or erased person is left in any table, history and tables other apps
add included (docs/rules.md §2.5; GDPR 17); only the keyed hashes of the suppression list stay (§2.3)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.models import Q

from prospects import propagation, suppression
from prospects.models import Propagation, Prospect, PurgeReason, PurgeRun, Suppression
from prospects.purge import erase_prospects, purge_expired
from tests import factories
from tests.prospects.purge_subjects import (
    PERSON,
    TODAY,
    collected_on,
    exists,
    logged_with_everything,
    three_years_before,
)
from tests.traces import columns_holding

# --- Acceptance 2: nothing left anywhere ----------------------------------------------------------


def traces(person: dict, prospect: Prospect) -> list[str]:
    """What would identify the person: name, email, phone, LinkedIn URL, and their keyed hashes."""
    digests = [prospect.email_index, prospect.phone_index, prospect.linkedin_index]
    return [
        person["first_name"],
        person["last_name"],
        person["email"],
        "+33612345678",
        "0612345678",
        "linkedin.com/in/zephyrine-quastorff",
        *[digest for digest in digests if digest],
    ]


# GDPR 19 (docs/rules.md §2.3): the one trace a removal leaves until the recipients are told,
# the keyed hashes in the propagation queue; nothing in clear.
QUEUED = [
    "prospects_propagation.email_digest",
    "prospects_propagation.linkedin_digest",
    "prospects_propagation.phone_digest",
]


def test_no_table_holds_the_prospect_after_a_purge(rep):
    prospect = logged_with_everything(by=rep, person=PERSON, on=three_years_before(TODAY) - timedelta(days=5))
    kept = factories.prospect(by=rep, first_name="Kept", last_name="Person", email="kept.person@acme.fr")
    needles = traces(PERSON, prospect)
    before = columns_holding(needles)

    purge_expired(today=TODAY)

    assert "prospects_historicalprospect.email" in before and "prospects_note.text" in before
    assert columns_holding(needles) == QUEUED
    assert exists(kept)


def test_the_hashes_a_purge_queued_go_once_every_recipient_is_told(rep, dpo):
    prospect = logged_with_everything(by=rep, person=PERSON, on=three_years_before(TODAY) - timedelta(days=5))
    purge_expired(today=TODAY)
    entry = Propagation.objects.get(event=Propagation.Event.PURGE)

    propagation.mark_sent(entry.recipients.values_list("pk", flat=True), by=dpo, how="processor API")

    assert columns_holding(traces(PERSON, prospect)) == []
    assert entry.recipients.get().sent_how == "processor API"


def test_a_purge_keeps_the_keyed_hashes_of_a_person_who_objected_and_adds_none(rep):
    objected = collected_on(TODAY - timedelta(days=4 * 365), by=rep, **PERSON)
    suppression.suppress(objected, origin=Suppression.Origin.LINK)
    silent = collected_on(
        TODAY - timedelta(days=4 * 365), by=rep, email="silent.one@acme.fr", last_name="Silent"
    )
    silent_digest = silent.email_index
    listed = set(Suppression.objects.values_list("digest", flat=True))

    purge_expired(today=TODAY)

    assert set(Suppression.objects.values_list("digest", flat=True)) == listed
    assert columns_holding(traces(PERSON, objected), exclude=(Suppression,)) == QUEUED
    assert columns_holding([silent_digest, "silent.one@acme.fr", "Silent"]) == QUEUED[:1]


def test_erasure_deletes_now_and_puts_the_keyed_hashes_on_the_suppression_list(rep, dpo):
    prospect = logged_with_everything(by=rep, person=PERSON, on=TODAY - timedelta(days=10))
    digests = {prospect.email_index, prospect.phone_index, prospect.linkedin_index}

    report = erase_prospects([prospect.pk], by=dpo)

    run = PurgeRun.objects.get(pk=report.run_id)
    assert not exists(prospect)
    assert (
        set(Suppression.objects.filter(origin=Suppression.Origin.ERASURE).values_list("digest", flat=True))
        == digests
    )
    assert (run.reason, run.triggered_by, run.purged, report.suppressed) == (PurgeReason.ERASURE, dpo, 1, 3)
    assert columns_holding(traces(PERSON, prospect), exclude=(Suppression,)) == QUEUED


def test_erasure_without_suppression_adds_no_keyed_hash(rep, dpo):
    prospect = factories.prospect(by=rep)

    erase_prospects([prospect.pk], by=dpo, suppress=False)

    assert not exists(prospect) and not Suppression.objects.exists()


def test_a_purge_run_records_counts_and_no_personal_data(rep):
    prospect = logged_with_everything(by=rep, person=PERSON, on=TODAY - timedelta(days=5 * 365))

    report = purge_expired(today=TODAY)

    run = PurgeRun.objects.get(pk=report.run_id)
    assert (run.purged, run.chunks, run.dry_run, run.as_of) == (1, 1, False, TODAY)
    assert run.counts == {"retention_expired": 1}
    # Created, moved to a stage, edited: three historical copies, and the stage change itself.
    assert run.rows["prospects.Prospect"] == 1 and run.rows["prospects.HistoricalProspect"] == 3
    assert run.rows["prospects.StageChange"] == 1
    assert run.rows["prospects.Note"] == 1 and run.rows["prospects.HistoricalNote"] == 2
    assert run.finished_at is not None
    labels = {model._meta.label for model in apps.get_models(include_auto_created=True)}
    assert {label.removesuffix(":detached") for label in run.rows} <= labels  # table names, no one's id
    assert columns_holding(traces(PERSON, prospect)) == QUEUED


# --- Tables other apps add ------------------------------------------------------------------------


@pytest.fixture
def probe_models(transactional_db):
    """Tables another app could add later, pointing at Prospect in each way on_delete allows."""

    class PurgeProbe(models.Model):  # noqa: DJ008
        prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="+")
        text = models.TextField()

        class Meta:
            app_label = "prospects"

    class PurgeProbeChild(models.Model):  # noqa: DJ008
        probe = models.ForeignKey(PurgeProbe, on_delete=models.PROTECT, related_name="+")
        text = models.TextField()

        class Meta:
            app_label = "prospects"

    class PurgeProbeLog(models.Model):  # noqa: DJ008
        prospect = models.ForeignKey(Prospect, null=True, on_delete=models.SET_NULL, related_name="+")
        text = models.TextField(blank=True)
        kind = models.CharField(max_length=10, blank=True)

        class Meta:
            app_label = "prospects"
            constraints = [
                models.CheckConstraint(condition=Q(kind__in=["", "call"]), name="purgeprobelog_kind")
            ]

    class PurgeProbeAccess(models.Model):  # noqa: DJ008
        prospect = models.ForeignKey(
            Prospect, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
        )

        class Meta:
            app_label = "prospects"

    created = [PurgeProbe, PurgeProbeChild, PurgeProbeLog, PurgeProbeAccess]
    with connection.schema_editor() as editor:
        for model in created:
            editor.create_model(model)
    try:
        yield created
    finally:
        with connection.schema_editor() as editor:
            for model in reversed(created):
                editor.delete_model(model)
        for model in created:
            del apps.all_models["prospects"][model._meta.model_name]
        apps.clear_cache()


def test_tables_added_later_by_other_apps_are_cleared_too(probe_models, rep):
    probe, child, log, access = probe_models
    prospect = collected_on(TODAY - timedelta(days=4 * 365), by=rep, **PERSON)
    made = probe.objects.create(prospect=prospect, text="Zéphyrine's file")
    child.objects.create(probe=made, text="Quastorff, page 2")
    kept_log = log.objects.create(prospect=prospect, text="Called Zéphyrine", kind="call")
    access.objects.create(prospect_id=prospect.pk)

    purge_expired(today=TODAY)

    kept_log.refresh_from_db()
    assert not probe.objects.exists() and not child.objects.exists()
    assert (kept_log.prospect_id, kept_log.text, kept_log.kind) == (None, "", "call")
    assert access.objects.get().prospect_id == prospect.pk  # DO_NOTHING: the owner keeps a bare id
    assert columns_holding(traces(PERSON, prospect)) == QUEUED
