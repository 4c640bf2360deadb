"""Bulk import: one provenance per file, every bad row reported, every good row loaded once."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import AccessAction, AccessLog
from prospects import importing
from prospects.identity import blind_index, normalise_email, normalise_linkedin_url, normalise_phone
from prospects.models import Company, ImportJob, Notice, Prospect, Source, Suppression
from tests import factories
from tests.prospects.broker_files import (
    BROKER,
    MAPPING,
    Reason,
    import_file,
    malformed_file,
    person,
    rejections,
    write_csv,
)


def suppress(kind: str, value: str) -> None:
    normalised = {"email": normalise_email, "phone": normalise_phone, "linkedin": normalise_linkedin_url}[
        kind
    ]
    Suppression.objects.create(kind=kind, digest=blind_index(kind, normalised(value)), origin="link")


# --- Acceptance 1: every bad row reported, every good row loaded once ------------------------


def test_loads_every_good_row_once_and_reports_every_malformed_row_by_line_and_reason(rep, tmp_path):
    path, expected = malformed_file(tmp_path / "broker.csv", rows=2000)

    job = import_file(path, by=rep, batch_size=300)

    assert job.status == ImportJob.Status.DONE
    assert rejections(job) == expected
    assert len(expected) == 20
    assert job.loaded == Prospect.objects.count() == 1980
    assert job.rejected == 20
    assert Prospect.objects.values("email_index").distinct().count() == 1980
    assert job.progress == 100


def test_stores_identifiers_normalised_encrypted_and_indexed(rep, tmp_path):
    path = write_csv(tmp_path / "one.csv", [person(7)])

    import_file(path, by=rep)

    prospect = Prospect.objects.get()
    assert prospect.email == "person.7@company7.fr"
    assert prospect.phone == "+33600000007"
    assert prospect.linkedin_url == "linkedin.com/in/person-7"
    assert prospect.email_index == blind_index("email", "person.7@company7.fr")
    assert prospect.audience == "b2b_nominative"
    assert prospect.owner == rep and prospect.team is not None
    assert prospect.company.name == "Société 7"
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, phone FROM prospects_prospect")
        stored_email, stored_phone = cursor.fetchone()
    assert "person.7" not in stored_email and "600000007" not in stored_phone


def test_a_row_with_a_phone_and_no_email_is_imported_as_a_private_line(rep, tmp_path):
    """docs/rules.md §1.2: a line of unknown kind is private, as when a rep logs the person."""
    no_email = person(8)
    no_email[4] = ""
    path = write_csv(tmp_path / "two.csv", [person(7), no_email])

    import_file(path, by=rep)

    audiences = dict(Prospect.objects.values_list("first_name", "audience"))
    assert audiences == {"Prénom7": "b2b_nominative", "Prénom8": "b2c"}


def test_records_one_source_per_prospect_with_the_file_provenance(rep, tmp_path):
    path = write_csv(tmp_path / "two.csv", [person(1), person(2)])

    import_file(path, by=rep)

    sources = list(Source.objects.all())
    assert len(sources) == 2
    assert {source.type for source in sources} == {"broker"}
    assert sources[0].evidence == BROKER
    assert {source.recorded_by for source in sources} == {rep}
    assert {source.notice for source in sources} == {Notice.NONE}


def test_writes_a_created_history_row_for_each_prospect_source_and_new_company(rep, tmp_path):
    path = write_csv(tmp_path / "two.csv", [person(1), person(2)])

    job = import_file(path, by=rep)

    for model in (Prospect, Source, Company):
        history = model.history.model.objects.all()
        assert history.count() == model.objects.count() == 2
        assert {row.history_type for row in history} == {"+"}
        assert {row.history_user_id for row in history} == {rep.pk}
        assert {row.history_change_reason for row in history} == {f"import #{job.pk}"}
    first = Prospect.objects.get(last_name="Nom1")
    assert first.history.get().email == "person.1@company1.fr"


def test_reuses_a_company_whatever_the_case_of_its_name(rep, tmp_path):
    Company.objects.create(name="ACME")
    rows = [person(1), person(2), person(3)]
    rows[0][2], rows[1][2], rows[2][2] = "Acme", "acme ", "Globex"
    path = write_csv(tmp_path / "companies.csv", rows)

    import_file(path, by=rep)

    assert sorted(Company.objects.values_list("name", flat=True)) == ["ACME", "Globex"]
    assert set(Prospect.objects.values_list("company__name", flat=True)) == {"ACME", "Globex"}


# --- Duplicates and people already recorded -------------------------------------------------


def test_reports_a_repeated_person_as_duplicate_of_its_first_line(rep, tmp_path):
    rows = [person(1), person(2), person(3), person(4)]
    rows[2][4] = rows[0][4].upper()  # same email as line 2, written differently
    rows[3][4], rows[3][5] = "other@company.fr", rows[2][5]  # same phone as line 4
    path = write_csv(tmp_path / "dups.csv", rows)

    job = import_file(path, by=rep)

    assert rejections(job) == {4: Reason.DUPLICATE_IN_FILE, 5: Reason.DUPLICATE_IN_FILE}
    assert dict(job.rejections.values_list("line", "duplicate_of")) == {4: 2, 5: 4}
    assert dict(job.rejections.values_list("line", "field")) == {4: "email", 5: "phone"}
    assert Prospect.objects.count() == 2


def test_reports_a_person_already_recorded(rep, tmp_path):
    factories.prospect(by=rep, email="person.2@company2.fr")
    path = write_csv(tmp_path / "known.csv", [person(1), person(2)])

    job = import_file(path, by=rep)

    assert rejections(job) == {3: Reason.ALREADY_RECORDED}
    assert Prospect.objects.count() == 2


def test_a_line_repeating_another_team_s_prospect_is_logged_as_a_look_up(rep, tmp_path):
    other_team = factories.user(role="sales", username="export-rep", team=factories.team("Export"))
    theirs = factories.prospect(by=other_team, email="person.2@company2.fr")
    ours = factories.prospect(by=rep, email="person.3@company3.fr")
    path = write_csv(tmp_path / "known.csv", [person(1), person(2), person(3)])

    job = import_file(path, by=rep)

    assert rejections(job) == {3: Reason.ALREADY_RECORDED, 4: Reason.ALREADY_RECORDED}
    logged = AccessLog.objects.filter(action=AccessAction.DUPLICATE_CHECK)
    assert list(logged.values_list("user_id", "prospect_id")) == [(rep.pk, theirs.pk)]
    assert not logged.filter(prospect_id=ours.pk).exists()


def test_importing_the_same_file_again_loads_nothing_twice(rep, tmp_path):
    path = write_csv(tmp_path / "again.csv", [person(1), person(2), person(3)])
    import_file(path, by=rep)

    second = import_file(path, by=rep)

    assert second.loaded == 0
    assert rejections(second) == {
        2: Reason.ALREADY_RECORDED,
        3: Reason.ALREADY_RECORDED,
        4: Reason.ALREADY_RECORDED,
    }
    assert Prospect.objects.count() == 3


# --- Acceptance 3: the suppression list -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "column", "field"),
    [("email", 4, "email"), ("phone", 5, "phone"), ("linkedin", 6, "linkedin_url")],
)
def test_rejects_a_row_whose_identifier_is_on_the_suppression_list_as_opposed(
    rep, tmp_path, kind, column, field
):
    rows = [person(1), person(2)]
    suppress(kind, rows[1][column])
    path = write_csv(tmp_path / "opposed.csv", rows)

    job = import_file(path, by=rep)

    assert rejections(job) == {3: Reason.OPPOSED}
    assert job.rejections.get().field == field
    assert list(Prospect.objects.values_list("last_name", flat=True)) == ["Nom1"]


def test_reports_an_opposed_person_as_opposed_even_when_the_line_repeats_another(rep, tmp_path):
    rows = [person(1), person(1)]
    suppress("email", rows[0][4])
    path = write_csv(tmp_path / "opposed-twice.csv", rows)

    job = import_file(path, by=rep)

    assert rejections(job) == {2: Reason.OPPOSED, 3: Reason.OPPOSED}
    assert Prospect.objects.count() == 0


def test_an_objection_only_to_one_channel_does_not_block_the_import(rep, tmp_path):
    """As in intake.py: only a global objection keeps a person out of the base."""
    rows = [person(1)]
    Suppression.objects.create(
        kind="email", digest=blind_index("email", normalise_email(rows[0][4])), channel="email", origin="link"
    )
    path = write_csv(tmp_path / "channel.csv", rows)

    job = import_file(path, by=rep)

    assert job.loaded == 1


# --- Set-based: constant queries per batch ----------------------------------------------------


def _queries(path: Path, *, by, batch_size: int) -> int:
    """Queries of one run of an import of ``path``, into an empty base."""
    Prospect.objects.all().delete()
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=by, by=by
    )
    importing.inspect(job)
    importing.begin(job, mapping=MAPPING, language="fr")
    with CaptureQueriesContext(connection) as queries:
        importing.run(job, batch_size=batch_size)
    return len(queries)


def test_runs_the_same_number_of_queries_per_batch_whatever_its_rows(rep, tmp_path):
    small = write_csv(tmp_path / "small.csv", [person(i) for i in range(10)])
    large = write_csv(tmp_path / "large.csv", [person(i) for i in range(1000, 1400)])

    one_small_batch = _queries(small, by=rep, batch_size=1000)
    one_large_batch = _queries(large, by=rep, batch_size=1000)
    four_batches = _queries(large, by=rep, batch_size=100)

    assert one_large_batch == one_small_batch
    per_batch = (four_batches - one_large_batch) / 3
    assert per_batch == int(per_batch) and per_batch <= 16


# --- Recorded between the check of the file and the load of its batch ------------------------


def _after_the_check(monkeypatch, change) -> None:
    """Run ``change`` once the whole file is checked, before its first batch is loaded."""
    check = importing._check

    def checked_then_changed(job, staging):
        check(job, staging)
        change()

    monkeypatch.setattr(importing, "_check", checked_then_changed)


def test_an_objection_recorded_after_the_check_still_keeps_the_person_out(rep, tmp_path, monkeypatch):
    rows = [person(1), person(2), person(3)]
    path = write_csv(tmp_path / "late-objection.csv", rows)
    _after_the_check(monkeypatch, lambda: suppress("phone", rows[1][5]))

    job = import_file(path, by=rep)

    assert rejections(job) == {3: Reason.OPPOSED}
    assert job.rejections.get().field == "phone"
    assert sorted(Prospect.objects.values_list("last_name", flat=True)) == ["Nom1", "Nom3"]
    assert (job.loaded, job.rejected) == (2, 1)


def test_a_person_recorded_after_the_check_is_reported_as_already_recorded(rep, tmp_path, monkeypatch):
    rows = [person(1), person(2), person(3)]
    path = write_csv(tmp_path / "late-prospect.csv", rows)
    _after_the_check(monkeypatch, lambda: factories.prospect(by=rep, email="person.3@company3.fr"))

    job = import_file(path, by=rep)

    assert rejections(job) == {4: Reason.ALREADY_RECORDED}
    assert job.rejections.get().field == "email"
    assert (job.loaded, job.rejected) == (2, 1)
    assert Prospect.objects.count() == 3
    assert Source.objects.count() == 3  # the person's own source, and one per prospect loaded
    assert Prospect.history.filter(history_change_reason=f"import #{job.pk}").count() == 2


def test_a_batch_writes_the_history_of_its_own_rows_only(rep, tmp_path):
    path = write_csv(tmp_path / "batches.csv", [person(i) for i in range(7)])

    job = import_file(path, by=rep, batch_size=3)

    assert Prospect.history.count() == Source.history.count() == Prospect.objects.count() == job.loaded == 7
    assert sorted(Prospect.history.values_list("id", flat=True)) == sorted(
        Prospect.objects.values_list("id", flat=True)
    )
    assert sorted(Source.history.values_list("prospect_id", flat=True)) == sorted(
        Prospect.objects.values_list("id", flat=True)
    )
    assert Company.history.count() == Company.objects.count() == 7
