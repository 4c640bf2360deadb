"""The limits an import file is read within: size at upload, then columns, row length, a
workbook's unpacked size and shared strings, and its text encoding, all read by the worker."""

import re

import pytest
from django.test import Client

from prospects import importing
from prospects.models import ImportJob, Prospect
from tests import factories
from tests.prospects.broker_files import BROKER, HEADINGS, MAPPING, person, write_csv
from tests.prospects.hostile_files import shared_strings_workbook, wide_csv

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def inspected(path, *, by, uploaded: bool = False) -> ImportJob:
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=by, by=by,
        uploaded=uploaded,
    )  # fmt: skip
    return importing.inspect(job)


def test_refuses_a_csv_of_100_000_columns_naming_the_limit_and_deletes_the_upload(rep, tmp_path):
    path = wide_csv(tmp_path / "wide.csv", columns=100_000)

    job = inspected(path, by=rep, uploaded=True)

    assert job.status == ImportJob.Status.FAILED
    assert "Line 1 has more than 200 columns" in job.error
    assert not path.exists() and job.headings == []


def test_refuses_a_data_row_with_more_columns_than_the_limit(rep, tmp_path, settings):
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "max_columns": 8}
    path = write_csv(tmp_path / "wide-row.csv", [person(1), [*person(2), "a", "b"]])

    job = inspected(path, by=rep)

    assert job.status == ImportJob.Status.FAILED
    assert "Line 3 has more than 8 columns" in job.error


def test_refuses_a_row_longer_than_the_limit_naming_it(rep, tmp_path):
    path = write_csv(tmp_path / "long.csv", [person(1), ["Ada", "x" * 25_000, "", "", "", "", ""]])

    job = inspected(path, by=rep)

    assert job.status == ImportJob.Status.FAILED
    assert "Line 3 is longer than 20000 characters, the limit for one row." in job.error


def test_refuses_a_quoted_cell_spanning_lines_beyond_the_row_limit(rep, tmp_path, settings):
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "max_row_chars": 1000}
    path = write_csv(tmp_path / "multiline.csv", [["Ada", "\n".join(["y" * 50] * 40), "", "", "", "", ""]])

    job = inspected(path, by=rep)

    assert "Line 2 is longer than 1000 characters" in job.error


def test_refuses_a_workbook_with_more_shared_strings_than_the_limit(rep, tmp_path, settings):
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "max_shared_strings": 1000}
    path = shared_strings_workbook(tmp_path / "strings.xlsx", strings=1001)

    job = inspected(path, by=rep)

    assert job.status == ImportJob.Status.FAILED
    assert "more than 1000 distinct texts (shared strings)" in job.error


def test_refuses_a_workbook_that_unpacks_beyond_the_limit_before_opening_it(rep, tmp_path, settings):
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "max_xlsx_bytes": 1024 * 1024}
    path = shared_strings_workbook(tmp_path / "bomb.xlsx", strings=2, padding=3 * 1024 * 1024)

    job = inspected(path, by=rep)

    assert path.stat().st_size < 100_000
    assert "The workbook unpacks to 3 MB, more than the limit of 1 MB." in job.error


def test_reads_a_workbook_within_the_limits(rep, tmp_path):
    path = shared_strings_workbook(tmp_path / "small.xlsx", strings=2)

    job = inspected(path, by=rep)

    assert job.status == ImportJob.Status.DRAFT
    assert job.headings == ["x", "x"] and job.rows_total == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_reads_utf_16_and_utf_8_with_a_byte_order_mark(rep, tmp_path, encoding):
    path = write_csv(tmp_path / "unicode.csv", [person(1)], encoding=encoding)

    job = inspected(path, by=rep)
    importing.begin(job, mapping=MAPPING, language="fr")
    importing.run(job)

    assert job.status == ImportJob.Status.DONE, job.error
    assert importing.preview(job)[0] == HEADINGS
    assert Prospect.objects.get().first_name == "Prénom1"


def test_refuses_a_file_starting_with_nul_bytes_as_not_text(rep, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x00\x01\x02 PK\x03\x04 not a table" * 10)

    job = inspected(path, by=rep)

    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith("The file holds NUL bytes and is not text")


def test_refuses_a_nul_character_further_down_with_its_line(rep, tmp_path):
    path = write_csv(tmp_path / "nul.csv", [person(i) for i in range(1000)])
    with path.open("ab") as file:
        file.write(b"Ada,Love\x00lace,x,y,ada@a.fr,,\n")

    job = inspected(path, by=rep)

    assert path.stat().st_size > 64 * 1024  # beyond the sample the encoding is read from
    assert job.status == ImportJob.Status.FAILED
    assert job.error == "Line 1002 holds a NUL character, which no field can store."


def test_the_mapping_page_reads_what_the_worker_read_not_the_file(rep_client, rep, tmp_path):
    path = write_csv(tmp_path / "read.csv", [person(1)])
    job = inspected(path, by=rep)
    path.unlink()

    page = rep_client.get(f"/prospects/import/{job.pk}/columns/")

    assert page.status_code == 200
    assert "Prénom1" in page.content.decode() and 'value="Prénom"' in page.content.decode()


def test_an_upload_above_the_limit_is_refused_before_any_byte_is_written(rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # any file Django keeps would go to that folder
    (tmp_path / "uploads").mkdir()
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "max_bytes": 1024 * 1024}
    browser = Client(enforce_csrf_checks=True)
    factories.log_in(browser, rep)
    token = CSRF.search(browser.get("/prospects/import/").content.decode()).group(1)
    big = tmp_path / "big.csv"
    big.write_bytes(b"First name,Last name\n" + b"Ada,Lovelace\n" * 90_000)

    with big.open("rb") as file:
        data = {"csrfmiddlewaretoken": token, "source_type": "broker", "file": file}
        response = browser.post("/prospects/import/", {**data, **_evidence()})

    assert response.status_code == 413
    assert "The file is larger than 1 MB, the largest an import accepts." in response.content.decode()
    assert not ImportJob.objects.exists()
    assert list((tmp_path / "uploads").iterdir()) == []
    assert not (tmp_path / "media" / "imports").exists() or not any(
        (tmp_path / "media" / "imports").iterdir()
    )


def test_an_upload_within_the_limit_is_stored_and_queued(rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    browser = Client(enforce_csrf_checks=True)
    factories.log_in(browser, rep)
    token = CSRF.search(browser.get("/prospects/import/").content.decode()).group(1)
    path = write_csv(tmp_path / "fine.csv", [person(1)])

    with path.open("rb") as file:
        data = {"csrfmiddlewaretoken": token, "source_type": "broker", "file": file}
        response = browser.post("/prospects/import/", {**data, **_evidence()})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.INSPECTING and job.headings == []
    assert len(list((tmp_path / "imports").iterdir())) == 1


def _evidence() -> dict:
    return {f"evidence_{key}": value for key, value in factories.EVIDENCE["broker"].items()}
