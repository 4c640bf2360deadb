"""The DPO signs off the register and downloads it; an admin exports a subject-access ZIP (issue 7)."""

import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from consent.models import Route
from consent.objections import record_objection
from registry.models import RegisterVersion
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.registry.conftest import attest_every_fact

pytestmark = pytest.mark.browser


def test_dpo_opens_the_register_signs_off_the_version_and_downloads_the_spreadsheet(page, live_server):
    rep = factories.user(role="sales", username="camille")
    factories.prospect(by=rep)
    attest_every_fact(by=factories.user(role="dpo", username="nadia"))
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    login(page, live_server, "nadia", factories.PASSWORD)

    page.goto(f"{live_server.url}/registry/")
    assert page.locator("h1").inner_text() == "Record of processing activities"
    assert page.locator("#signed-state").inner_text() == "Not signed off yet"
    screenshot(page, "register-unsigned")
    with page.expect_navigation():
        page.click("#sign-off")
    assert "Sign off version 1" in page.locator("#confirm-question").inner_text()
    assert RegisterVersion.objects.get().signed_by is None  # asked, not yet signed
    with page.expect_navigation():
        page.click("#confirm")
    with page.expect_download() as download_info:
        page.click("a[href='/registry/export/xlsx/']")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))

    assert page.locator("#signed-state").inner_text().startswith("Signed off by Nadia Test")
    assert RegisterVersion.objects.get().signed_by.username == "nadia"
    assert workbook["Activities"].cell(2, 1).value == "b2b_prospecting"
    assert download_info.value.suggested_filename == "register-v1-en.xlsx"
    assert errors == [], "the register page broke its content security policy"
    screenshot(page, "register-signed")


def test_dpo_enters_an_activitys_attested_facts_on_its_page_and_the_register_stops_listing_them(
    page, live_server
):
    factories.user(role="dpo", username="nadia")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    login(page, live_server, "nadia", factories.PASSWORD)
    page.goto(f"{live_server.url}/registry/")
    assert "B2B prospecting by social selling" in page.locator("#missing-facts").inner_text()

    with page.expect_navigation():
        page.click("#edit-b2b_prospecting")
    page.fill("#id_lia_reference", "LIA-B2B-2026-01")
    page.select_option("#id_dpia_status", "not_required")
    page.fill("#id_dpia_reference", "DPIA-SCREEN-2026-01")
    page.fill("#id_processor_contracts", "DPA EuroHost 2026-03; DPA EuroMail 2026-04")
    with page.expect_navigation():
        page.click("#save-activity")
    screenshot(page, "register-activity-saved")
    page.goto(f"{live_server.url}/registry/")

    assert "B2B prospecting by social selling" not in page.locator("#missing-facts").inner_text()
    assert "LIA-B2B-2026-01" in page.locator("#activity-b2b_prospecting").inner_text()
    assert errors == [], "the activity page broke its content security policy"


def a4_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The page sizes of a PDF in points, to the nearest 5 (A4 is 595 x 842; Chromium rounds up)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(5 * round(float(width) / 5), 5 * round(float(height) / 5)) for width, height in boxes]


def test_the_register_page_and_its_html_export_print_on_a4(page, live_server):
    factories.user(role="dpo", username="nadia")
    login(page, live_server, "nadia", factories.PASSWORD)
    page.goto(f"{live_server.url}/registry/")
    with page.expect_download() as download_info:
        page.click("a[href='/registry/export/html/']")
    exported = Path(download_info.value.path()).read_text()

    page.emulate_media(media="print")
    printed_page = page.pdf(format="A4")
    page.set_content(exported)
    printed_export = page.pdf(format="A4", prefer_css_page_size=True)

    for pdf in (printed_page, printed_export):
        assert pdf.startswith(b"%PDF")
        assert a4_pages(pdf) and set(a4_pages(pdf)) == {(595, 845)}


def test_admin_exports_a_subject_access_zip(page, live_server):
    rep = factories.user(role="sales", username="camille")
    factories.prospect(by=rep, first_name="Lea", last_name="Petit", email="lea.petit@acme.fr", language="en")
    factories.user(role="admin", username="paul")
    login(page, live_server, "paul", factories.PASSWORD)

    page.goto(f"{live_server.url}/registry/subject-access/")
    page.fill("#id_email", "Lea.Petit@acme.fr")
    with page.expect_download() as download_info:
        page.click("#export-zip")
    with zipfile.ZipFile(download_info.value.path()) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}

    assert set(files) == {"index.html", "data.json", "data.csv"}
    data = json.loads(files["data.json"])["data"]
    assert data["prospects.Prospect"][0]["email"] == "lea.petit@acme.fr"
    assert b'<html lang="en">' in files["index.html"]
    assert io.BytesIO(files["data.csv"]).readline().strip() == b"table,row,field,value"
    screenshot(page, "subject-access-form")


def test_dpo_follows_the_home_link_to_what_was_told_to_whom(page, live_server):
    rep = factories.user(role="sales", username="camille")
    person = factories.prospect(by=rep, email="paul.morel@industrie.fr", source_type="broker")
    record_objection(person, channel="", via=Route.LETTER, by=rep)
    factories.user(role="dpo", username="nadia")
    login(page, live_server, "nadia", factories.PASSWORD)

    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.click("a[href='/registry/propagation/']")

    assert page.locator("h1").inner_text() == "Told to recipients (GDPR art. 19)"
    counts = page.locator("#propagation-counts tbody tr").all_inner_texts()
    assert [re.split(r"\s+", row.strip())[-2:] for row in counts] == [["1", "0"], ["1", "0"]]
    assert "L-77" in page.locator("#propagation").inner_text()
    assert "paul" not in page.content().lower()
    screenshot(page, "propagation")
