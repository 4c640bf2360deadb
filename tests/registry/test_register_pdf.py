"""The register's XLSX printed by LibreOffice: every activity name and column heading whole in the PDF.

Default column widths truncated cells and printed them over each other (issue 20); the laid-out
workbook (org/spreadsheets.py: widths, wrapping, landscape fitted to the page width) must print
every heading and every activity name in full, as pdftotext reads them back.
"""

import openpyxl
import pytest

from registry import art30
from registry.exports import export_register, rows
from tests import office

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_libreoffice_prints_every_activity_name_and_column_heading_whole(tmp_path, language):
    office.require("soffice", "pdftotext")
    workbook = tmp_path / "register.xlsx"
    workbook.write_bytes(export_register("xlsx", language=language).content)

    text = office.text_of(office.to_pdf(workbook))

    register = art30.build_register(language=language)
    headers, _body = rows(register)
    names = [activity["name"] for activity in register["activities"]]
    sheet = openpyxl.load_workbook(workbook)["Activities"]
    assert [cell.value for cell in sheet[1]] == headers  # What was printed is the register's sheet.
    assert len(names) >= 5
    assert [name for name in names if name not in text] == []
    assert [heading for heading in headers if heading not in text] == []
