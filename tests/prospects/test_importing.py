"""Bulk import: one provenance per file, every bad row reported, every good row loaded once."""

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prospects import importing, tasks
from prospects.identity import blind_index, normalise_email, normalise_linkedin_url, normalise_phone
from prospects.models import (
    Company,
    ImportJob,
    ImportRejection,
    Notice,
    Prospect,
    Source,
    Suppression,
)
from tests import factories

Reason = ImportRejection.Reason
BROKER = factories.EVIDENCE["broker"]
HEADINGS = ["Prénom", "Nom", "Société", "Fonction", "E-mail", "Téléphone", "LinkedIn"]
MAPPING = {
    "first_name": "Prénom",
    "last_name": "Nom",
    "company_name": "Société",
    "job_title": "Fonction",
    "email": "E-mail",
    "phone": "Téléphone",
    "linkedin_url": "LinkedIn",
}
ROOT = Path(__file__).resolve().parents[2]


def person(i: int) -> list[str]:
    """A well-formed row; ``i`` makes every identifier unique."""
    return [
        f"Prénom{i}",
        f"Nom{i}",
        f"Société {i % 40}",
        "Acheteur",
        f"Person.{i}@Company{i % 40}.fr ",
        f"06 {i // 1000000 % 100:02d} {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}",
        f"https://www.linkedin.com/in/person-{i}",
    ]


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(HEADINGS)
        writer.writerows(rows)
    return path


def import_file(
    path: Path, *, by, source_type: str = "broker", evidence=None, mapping=None, **run
) -> ImportJob:
    job = importing.create_job(
        path=str(path),
        filename=path.name,
        source_type=source_type,
        evidence=BROKER if evidence is None else evidence,
        owner=by,
        by=by,
    )
    importing.begin(job, mapping=MAPPING if mapping is None else mapping)
    return importing.run(job, **run)


def rejections(job: ImportJob) -> dict[int, str]:
    return dict(job.rejections.values_list("line", "reason"))


def suppress(kind: str, value: str) -> None:
    normalised = {"email": normalise_email, "phone": normalise_phone, "linkedin": normalise_linkedin_url}[
        kind
    ]
    Suppression.objects.create(kind=kind, digest=blind_index(kind, normalised(value)), origin="link")


def malformed_file(path: Path, *, rows: int = 2000) -> tuple[Path, dict[int, str]]:
    """``rows`` people, 1% of them malformed; returns the file and the expected {line: reason}."""
    breakages = [
        (Reason.MALFORMED_EMAIL, lambda row: row.__setitem__(4, "person.at.nowhere")),
        (Reason.MALFORMED_PHONE, lambda row: row.__setitem__(5, "12")),
        (Reason.MALFORMED_LINKEDIN, lambda row: row.__setitem__(6, "https://www.linkedin.com/company/acme")),
        (Reason.MISSING_NAME, lambda row: row.__setitem__(1, " ")),
        (Reason.NO_CONTACT_POINT, lambda row: row.__setitem__(slice(4, 7), ["", "", ""])),
    ]
    data, expected = [], {}
    for i in range(rows):
        row = person(i)
        if i % 100 == 37:
            reason, breaks = breakages[(i // 100) % len(breakages)]
            breaks(row)
            expected[i + 2] = reason
        data.append(row)
    return write_csv(path, data), expected


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


# --- Provenance ------------------------------------------------------------------------------


def test_refuses_a_file_collected_by_scraping(rep, tmp_path):
    path = write_csv(tmp_path / "scraped.csv", [person(1)])

    with pytest.raises(ValidationError) as error:
        importing.create_job(
            path=str(path), filename=path.name, source_type="scraping", evidence={}, owner=rep, by=rep
        )

    assert "KASPR" in str(error.value.message_dict["source.type"])
    assert not ImportJob.objects.exists()


def test_refuses_broker_evidence_naming_an_email_finder(rep, tmp_path):
    path = write_csv(tmp_path / "finder.csv", [person(1)])

    with pytest.raises(ValidationError) as error:
        importing.create_job(
            path=str(path),
            filename=path.name,
            source_type="broker",
            evidence={**BROKER, "list_id": "Lusha export"},
            owner=rep,
            by=rep,
        )

    assert "source.list_id" in error.value.message_dict


def test_refuses_profile_content_given_as_the_evidence_of_a_linkedin_file(rep, tmp_path):
    path = write_csv(tmp_path / "connections.csv", [person(1)])

    with pytest.raises(ValidationError) as error:
        importing.create_job(
            path=str(path),
            filename=path.name,
            source_type="linkedin_connection",
            evidence={"headline": "CTO at Acme"},
            owner=rep,
            by=rep,
        )

    assert "source.headline" in error.value.message_dict


def test_rejects_a_row_whose_origin_names_a_harvesting_tool_as_scraping(rep, tmp_path):
    path = tmp_path / "origin.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["first", "last", "email", "origin"])
        writer.writerow(["Ada", "Lovelace", "ada@analytical.co.uk", "Trade show 2026"])
        writer.writerow(["Alan", "Turing", "alan@bletchley.co.uk", "Kaspr extension"])
    mapping = {"first_name": "first", "last_name": "last", "email": "email", "origin": "origin"}

    job = import_file(path, by=rep, mapping=mapping)

    assert rejections(job) == {3: Reason.SCRAPING}
    assert Prospect.objects.count() == 1


def test_takes_each_rows_profile_link_as_the_evidence_of_a_linkedin_source(rep, tmp_path):
    rows = [person(1), person(2)]
    rows[1][6] = ""
    path = write_csv(tmp_path / "connections.csv", rows)

    job = import_file(path, by=rep, source_type="linkedin_connection", evidence={})

    assert rejections(job) == {3: Reason.MISSING_PROFILE_LINK}
    assert Source.objects.get().evidence == {"profile_url": "linkedin.com/in/person-1"}


def test_rejects_a_free_mail_address_on_a_linkedin_source(rep, tmp_path):
    rows = [person(1)]
    rows[0][4] = "someone@gmail.com"
    path = write_csv(tmp_path / "freemail.csv", rows)

    job = import_file(path, by=rep, source_type="linkedin_connection", evidence={})

    assert rejections(job) == {2: Reason.PRIVATE_ADDRESS}


def test_rejects_a_value_longer_than_its_field(rep, tmp_path):
    rows = [person(1)]
    rows[0][0] = "x" * 101
    path = write_csv(tmp_path / "long.csv", rows)

    job = import_file(path, by=rep)

    assert rejections(job) == {2: Reason.TOO_LONG}
    assert job.rejections.get().field == "first_name"


def test_classifies_the_audience_from_the_address(rep, tmp_path):
    rows = [person(1), person(2)]
    rows[0][4], rows[1][4] = "contact@company1.fr", "someone@gmail.com"
    path = write_csv(tmp_path / "audience.csv", rows)

    import_file(path, by=rep)

    assert dict(Prospect.objects.values_list("last_name", "audience")) == {
        "Nom1": "b2b_generic",
        "Nom2": "b2c",
    }


# --- Files -----------------------------------------------------------------------------------


def test_reads_a_semicolon_separated_windows_1252_file(rep, tmp_path):
    path = write_csv(tmp_path / "excel-fr.csv", [person(1)], delimiter=";", encoding="cp1252")

    job = import_file(path, by=rep)

    assert job.loaded == 1
    assert Prospect.objects.get().first_name == "Prénom1"


def test_reads_an_xlsx_workbook_with_numeric_phone_cells(rep, tmp_path):
    path = tmp_path / "badges.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADINGS)
    sheet.append(["Ada", "Lovelace", "Analytical", "CTO", "ada@analytical.fr", 612345678, ""])
    sheet.append([None] * 7)
    sheet.append(["Alan", "", "Bletchley", "", "alan@bletchley.fr", None, None])
    book.save(path)

    job = import_file(path, by=rep, source_type="event", evidence=factories.EVIDENCE["event"])

    assert job.loaded == 1
    assert Prospect.objects.get().phone == "+33612345678"
    assert rejections(job) == {4: Reason.MISSING_NAME}


def test_guesses_the_mapping_from_french_and_english_headings():
    guessed = importing.guess_mapping(["Prénom", "NOM", "E-mail", "Tél", "Company name", "Profil LinkedIn"])

    assert guessed == {
        "first_name": "Prénom",
        "last_name": "NOM",
        "email": "E-mail",
        "phone": "Tél",
        "company_name": "Company name",
        "linkedin_url": "Profil LinkedIn",
    }


def test_refuses_a_mapping_without_names_or_contact_point(rep, tmp_path):
    path = write_csv(tmp_path / "map.csv", [person(1)])
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=rep, by=rep
    )

    with pytest.raises(ValidationError) as error:
        importing.begin(job, mapping={"first_name": "Prénom", "job_title": "Fonction"})

    messages = " ".join(error.value.message_dict["mapping"])
    assert "last name" in messages and "work email" in messages


def test_a_file_that_cannot_be_read_fails_the_job_with_the_reason(rep, tmp_path):
    path = write_csv(tmp_path / "changed.csv", [person(1)])
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=rep, by=rep
    )
    importing.begin(job, mapping=MAPPING)
    path.write_bytes(",".join(HEADINGS).encode() + b"\nAda,Lovelace,\xff\xfe\n")

    importing.run(job)

    assert job.status == ImportJob.Status.FAILED
    assert "neither UTF-8 nor Windows-1252" in job.error
    assert not Prospect.objects.exists()


def test_drops_the_staging_table_and_the_uploaded_copy_when_done(rep, tmp_path):
    path = write_csv(tmp_path / "upload.csv", [person(1)])
    job = importing.create_job(
        path=str(path),
        filename=path.name,
        source_type="broker",
        evidence=BROKER,
        owner=rep,
        by=rep,
        uploaded=True,
    )
    importing.begin(job, mapping=MAPPING)

    importing.run(job)

    assert not path.exists()
    assert f"prospects_importstaging_{job.pk}" not in connection.introspection.table_names()


# --- Set-based: constant queries per batch ----------------------------------------------------


def _queries(path: Path, *, by, batch_size: int) -> int:
    """Queries of one run of an import of ``path``, into an empty base."""
    Prospect.objects.all().delete()
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=by, by=by
    )
    importing.begin(job, mapping=MAPPING)
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


# --- Acceptance 2: killed mid-way, started again ----------------------------------------------


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The test database, reachable by a command run in another process.

    PostgreSQL: the same database. SQLite: the test database lives in memory, so it is
    copied to a file for the other process and copied back when that process is done.
    """
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings_dict["USER"] or "postgres"
        password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
        host = settings_dict["HOST"] or "127.0.0.1"
        port = settings_dict["PORT"] or 5432
        url = f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"
        yield url, lambda: None
        return
    file = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(file)
    connection.connection.backup(target)
    target.close()

    def take_back():
        source = sqlite3.connect(file)
        source.backup(connection.connection)
        source.close()

    yield f"sqlite:///{file}", take_back


def _command(path: Path, database_url: str) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "manage.py"),
        "import_prospects",
        str(path),
        "--source",
        "broker",
        *[f"--evidence={key}={value}" for key, value in BROKER.items()],
        "--owner",
        "rep",
        *[f"--map={column}={field}" for field, column in MAPPING.items()],
        "--batch-size",
        "40",
    ]


def _environment(database_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "CELERY_TASK_ALWAYS_EAGER": "1"}


def _loaded_through(database_url: str) -> int:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=5) as db:
            row = db.execute("SELECT max(loaded_through) FROM prospects_importjob").fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(loaded_through) FROM prospects_importjob")
            row = cursor.fetchone()
    return row[0] or 0


def test_an_import_killed_mid_way_and_started_again_loads_every_good_row_exactly_once(
    rep, tmp_path, shared_database
):
    database_url, take_back = shared_database
    path, expected = malformed_file(tmp_path / "killed.csv", rows=3000)
    command, environment = _command(path, database_url), _environment(database_url)

    first = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _loaded_through(database_url) < 400 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = _loaded_through(database_url)
    second = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)
    take_back()

    assert first.returncode == -signal.SIGKILL, first.stderr.read().decode()
    assert 0 < killed_at < 3001
    assert second.returncode == 0, second.stderr
    assert "Resuming import" in second.stdout
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert rejections(job) == expected
    assert Prospect.objects.count() == job.loaded == 3000 - len(expected)
    assert Prospect.objects.values("email_index").distinct().count() == job.loaded
    assert Source.objects.count() == Prospect.history.count() == job.loaded


# --- The command -----------------------------------------------------------------------------


def test_import_command_shows_progress_and_the_rejections_by_reason(rep, tmp_path, capsys):
    path, expected = malformed_file(tmp_path / "cli.csv", rows=500)
    evidence = [f"{key}={value}" for key, value in BROKER.items()]

    call_command(
        "import_prospects", str(path), "--source", "broker", "--evidence", *evidence, "--owner", "rep"
    )

    output = capsys.readouterr().out
    assert "\r" in output and "100%" in output
    assert f"{500 - len(expected)} prospects loaded, {len(expected)} rows rejected" in output
    assert "Malformed email address: 1" in output


def test_an_import_whose_task_was_lost_is_sent_again_and_completes(rep, tmp_path, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    path = write_csv(tmp_path / "lost.csv", [person(i) for i in range(5)])
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=rep, by=rep
    )
    importing.begin(job, mapping=MAPPING)  # queued; its broker message never arrives
    fresh = list(importing.stalled(minutes=15))

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        requeued = tasks.requeue_stalled_imports()

    job.refresh_from_db()
    assert fresh == []
    assert requeued == 1
    assert (job.status, job.loaded) == (ImportJob.Status.DONE, 5)
