"""The register's five export formats open in their tools; downloads and the command."""

import csv
import io
import json

import openpyxl
import pytest
import tablib
from django.core.management import call_command

from registry import art30
from registry.exports import export_register
from tests import factories

pytestmark = pytest.mark.django_db


def test_json_parses_and_holds_every_activity_with_its_figures():
    export = export_register("json", language="en")

    register = json.loads(export.content)

    assert export.content_type == "application/json"
    assert [a["code"] for a in register["activities"]] == [
        "b2b_prospecting", "campaigns", "suppression_list", "crm_users", "subject_requests",
    ]  # fmt: skip
    assert all(a["figures"] for a in register["activities"])


def test_csv_has_a_header_row_and_one_row_per_activity():
    export = export_register("csv", language="fr")

    # French Excel: UTF-8 with its byte-order mark, and ';' between cells.
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))

    assert rows[0][:3] == ["code", "Activité", "Date de création"]
    assert "Durées de conservation" in rows[0]
    assert [row[0] for row in rows[1:]] == [a["code"] for a in art30.declared("fr")["activities"]]


def test_xlsx_opens_in_openpyxl_with_the_controller_and_the_activities():
    export = export_register("xlsx", language="en")

    workbook = openpyxl.load_workbook(io.BytesIO(export.content))

    assert workbook.sheetnames == ["Controller", "Activities"]
    activities = workbook["Activities"]
    assert activities.cell(1, 1).value == "code"
    assert activities.cell(2, 1).value == "b2b_prospecting"
    assert activities.max_row == 6


def test_ods_opens_as_a_spreadsheet():
    export = export_register("ods", language="en")

    book = tablib.Databook()
    book.load(export.content, "ods")

    assert [sheet.title for sheet in book.sheets()] == ["Controller", "Activities"]
    assert book.sheets()[1]["code"][0] == "b2b_prospecting"


def test_html_is_a_whole_document_for_a4():
    export = export_register("html", language="fr")

    page = export.content.decode()

    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "size: A4" in page
    assert "Prospection commerciale B2B" in page


@pytest.mark.parametrize("fmt", ["html", "json", "csv", "xlsx", "ods"])
def test_the_dpo_downloads_each_format(client, dpo, fmt):
    factories.log_in(client, dpo)

    response = client.get(f"/registry/export/{fmt}/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_a_rep_cannot_download_the_register(rep_client):
    response = rep_client.get("/registry/export/json/")

    assert response.status_code == 403


def test_the_command_writes_the_file(tmp_path):
    output = tmp_path / "register.xlsx"

    call_command("export_register", "--format", "xlsx", "--output", str(output), stdout=io.StringIO())

    assert openpyxl.load_workbook(output)["Activities"].cell(2, 1).value == "b2b_prospecting"


def test_the_dpo_reads_the_register_through_the_api(client, dpo, rep):
    factories.log_in(client, rep)
    refused = client.get("/api/register/")
    factories.log_in(client, dpo)

    response = client.get("/api/register/?lang=fr")

    assert refused.status_code == 403
    assert response.status_code == 200
    assert response.json()["title"] == "Registre des activités de traitement"


def test_the_english_csv_is_comma_separated_without_a_byte_order_mark():
    export = export_register("csv", language="en")

    rows = list(csv.reader(io.StringIO(export.content.decode())))

    assert not export.content.startswith(b"\xef\xbb\xbf")
    assert rows[0][:2] == ["code", "Activity"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_xlsx_columns_fit_their_content_under_a_bold_frozen_header(language):
    export = export_register("xlsx", language=language)

    sheet = openpyxl.load_workbook(io.BytesIO(export.content))["Activities"]

    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    for column in sheet.iter_cols():
        letter = column[0].column_letter
        longest = max(len(line) for cell in column for line in str(cell.value or "").split("\n"))
        assert sheet.column_dimensions[letter].width == max(8, min(60, longest + 2)), letter
        assert all(cell.alignment.wrap_text for cell in column)
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["B"].width <= 60


def test_ods_columns_have_widths_fitted_to_their_content():
    from odf.opendocument import load
    from odf.style import Style, TableColumnProperties
    from odf.table import Table, TableColumn

    export = export_register("ods", language="en")

    document = load(io.BytesIO(export.content))
    widths = {
        style.getAttribute("name"): properties.getAttribute("columnwidth")
        for style in document.automaticstyles.getElementsByType(Style)
        for properties in style.getElementsByType(TableColumnProperties)
    }
    activities = document.spreadsheet.getElementsByType(Table)[1]
    columns = [
        widths[column.getAttribute("stylename")] for column in activities.getElementsByType(TableColumn)
    ]
    assert len(columns) == len(art30.FIELDS) + 2
    assert len(set(columns)) > 2 and all(float(width.removesuffix("cm")) <= 60 * 0.21 for width in columns)


# --- The processors in every export (GDPR 30(1)(d)-(e)) ---

PROCESSORS = [
    {"role": "hosting", "name": "EuroHost SAS", "country": "FR", "safeguard": "eu_eea"},
    {
        "role": "emailing",
        "name": "Mailer Inc.",
        "country": "US",
        "safeguard": "scc",
        "documentation": "DPA-7",
    },
]
IN_ENGLISH = (
    "Hosting: EuroHost SAS, FR, In the EU/EEA (no transfer)",
    "Emailing: Mailer Inc., US, Standard contractual clauses (art. 46(2)(c)); documentation: DPA-7",
)


def prospecting_cells(export, fmt: str) -> tuple[str, str]:
    """The processors and transfers cells of the prospecting activity, read back from the file."""
    if fmt == "csv":
        book = tablib.Dataset().load(export.content.decode(), "csv")
    elif fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(export.content))["Activities"]
        rows = list(sheet.values)
        book = tablib.Dataset(*rows[1:], headers=rows[0])
    else:
        book = tablib.Databook()
        book.load(export.content, "ods")
        book = book.sheets()[1]
    row = book.dict[book["code"].index("b2b_prospecting")]
    return row["Processors"], row["Transfers outside the EU"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_each_export_lists_each_processor_with_its_country_and_safeguard(settings, fmt):
    settings.LOYAL_PROCESSORS = PROCESSORS

    processors, transfers = prospecting_cells(export_register(fmt, language="en"), fmt)

    assert processors.splitlines()[:2] == list(IN_ENGLISH)
    assert transfers == "Mailer Inc. (Emailing), US: Standard contractual clauses (art. 46(2)(c))"


def test_the_french_html_register_names_the_processors_in_french(settings):
    settings.LOYAL_PROCESSORS = PROCESSORS

    html = export_register("html", language="fr").content.decode()

    assert "Hébergement : EuroHost SAS, FR, Dans l&#x27;UE/EEE (pas de transfert)" in html
    assert "Mailer Inc. (E-mailing), US : Clauses contractuelles types (art. 46(2)(c))" in html
