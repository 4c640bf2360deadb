"""Issue 20, acceptance 4: every XLSX and ODS export opens with column widths fitted to what they
hold and a frozen header row (org/spreadsheets.py), not LibreOffice's default widths."""

import io
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from org.accounts import team_of
from org.spreadsheets import MAX_WIDTH, MIN_WIDTH
from registry.breaches import BreachReport, record_breach
from registry.exports import BREACH_FORMATS, export_breaches, export_register
from tests import factories

pytestmark = pytest.mark.django_db


def _breach(dpo) -> None:
    discovered = timezone.now() - timedelta(days=2)
    record_breach(
        BreachReport(
            discovered_at=discovered,
            nature="A laptop holding an export was stolen from a car",
            data_concerned="names, work e-mail addresses",
            people_concerned="prospects of the north team",
            people_count=120,
            consequences="phishing aimed at the people concerned",
            measures="remote wipe; passwords reset",
            cnil_notified_at=discovered + timedelta(hours=20),
        ),
        by=dpo,
    )


def _list_export(rep) -> bytes:
    factories.prospect(by=rep, company_name="Établissements Dupont et Fils de Bretagne du Sud")
    lead = factories.user(role="team_lead", username="lead", team=team_of(rep))
    response = factories.log_in(Client(), lead).get("/prospects/export/xlsx/")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _xlsx_exports(rep, dpo) -> dict[str, bytes]:
    _breach(dpo)
    exports = {"register": export_register("xlsx").content, "list": _list_export(rep)}
    if "xlsx" in BREACH_FORMATS:
        exports["breaches"] = export_breaches("xlsx").content
    return exports


def test_every_xlsx_export_has_fitted_widths_and_a_frozen_bold_header(rep, dpo):
    exports = _xlsx_exports(rep, dpo)

    assert set(exports) == {"register", "list", "breaches"}
    for name, content in exports.items():
        book = openpyxl.load_workbook(io.BytesIO(content))
        for sheet in book:
            assert sheet.max_row >= 2, (name, sheet.title)  # a header and at least one row
            assert sheet.freeze_panes == "A2", (name, sheet.title)
            assert all(cell.font.bold for cell in sheet[1] if cell.value), (name, sheet.title)
            for column in sheet.iter_cols():
                letter = column[0].column_letter
                longest = max(
                    (len(line) for c in column for line in str(c.value or "").split("\n")), default=0
                )
                width = sheet.column_dimensions[letter].width
                assert width == max(MIN_WIDTH, min(MAX_WIDTH, longest + 2)), (name, sheet.title, letter)


def test_the_ods_register_has_a_width_for_every_column():
    from odf.opendocument import load
    from odf.style import Style, TableColumnProperties
    from odf.table import Table, TableColumn

    content = export_register("ods").content
    assert (
        zipfile.ZipFile(io.BytesIO(content)).read("mimetype")
        == b"application/vnd.oasis.opendocument.spreadsheet"
    )
    document = load(io.BytesIO(content))
    widths = {
        style.getAttribute("name"): prop.getAttribute("columnwidth")
        for style in document.automaticstyles.getElementsByType(Style)
        for prop in style.getElementsByType(TableColumnProperties)
    }
    tables = document.spreadsheet.getElementsByType(Table)
    assert tables
    for table in tables:
        columns = table.getElementsByType(TableColumn)
        assert columns, table.getAttribute("name")
        for column in columns:
            assert widths.get(column.getAttribute("stylename"), "").endswith("cm"), table.getAttribute("name")
