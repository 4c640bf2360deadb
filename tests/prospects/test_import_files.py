"""The files an import reads: CSV in UTF-8 or Windows-1252, XLSX workbooks, the column mapping,
an unreadable file, and the staging table and uploaded copy removed when done."""

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from prospects import importing
from prospects.models import ImportJob, Prospect
from tests import factories
from tests.prospects.broker_files import (
    BROKER,
    HEADINGS,
    MAPPING,
    Reason,
    import_file,
    person,
    rejections,
    write_csv,
)


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

    importing.inspect(job)
    with pytest.raises(ValidationError) as error:
        importing.begin(job, mapping={"first_name": "Prénom", "job_title": "Fonction"}, language="fr")

    messages = " ".join(error.value.message_dict["mapping"])
    assert "last name" in messages and "work email" in messages


def test_a_file_that_cannot_be_read_fails_the_job_with_the_reason(rep, tmp_path):
    path = write_csv(tmp_path / "changed.csv", [person(1)])
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=rep, by=rep
    )
    importing.inspect(job)
    importing.begin(job, mapping=MAPPING, language="fr")
    path.write_bytes(",".join(HEADINGS).encode() + b"\nAda,Lovelace,\xff\xfe\n")

    importing.run(job)

    assert job.status == ImportJob.Status.FAILED
    assert "cannot be read as UTF-8 text" in job.error
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
    importing.inspect(job)
    importing.begin(job, mapping=MAPPING, language="fr")

    importing.run(job)

    assert not path.exists()
    assert f"prospects_importstaging_{job.pk}" not in connection.introspection.table_names()
