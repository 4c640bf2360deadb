"""Bulk import in a real browser: upload a broker file, map its columns, watch it load, read the report."""

import csv

import pytest
from playwright.sync_api import expect

from prospects.models import ImportJob, Prospect
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def broker_delivery(path):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(["Prénom", "Nom", "Société", "Courriel", "Tel. pro"])
        writer.writerow(["Ada", "Lovelace", "Analytical", "ada@analytical.fr", "01 23 45 67 89"])
        writer.writerow(["Alan", "Turing", "Bletchley", "alan-at-bletchley", ""])
        writer.writerow(["Grace", "Hopper", "Cobol Corp", "grace@cobol.fr", "06 12 34 56 78"])
    return path


def test_a_rep_uploads_a_broker_file_maps_its_columns_watches_it_load_and_reads_the_report(
    page, live_server, settings, tmp_path
):
    """Acceptance 5 of issue 8; the Celery task runs eagerly, inside the request that queues it."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"
    factories.user(role="sales", username="camille")
    delivery = broker_delivery(tmp_path / "listco-delivery.csv")
    login(page, live_server, "camille", factories.PASSWORD)

    page.click("nav.nav >> text=Import")
    page.set_input_files("#id_file", str(delivery))
    page.select_option("#id_source_type", "broker")
    page.wait_for_selector("#id_evidence_broker")
    for name, value in factories.EVIDENCE["broker"].items():
        page.fill(f"#id_evidence_{name}", value)
    screenshot(page, "import-upload")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    # A worker reads the file; the job's page says so, then links to the mapping.
    expect(page.locator("main")).to_contain_text("The file has 3 rows")
    with page.expect_navigation():
        page.click("text=Choose the columns to import")

    expect(page.locator("table.preview")).to_contain_text("ada@analytical.fr")
    expect(page.locator("#id_email")).to_have_value("Courriel")
    page.select_option("#id_phone", "Tel. pro")
    screenshot(page, "import-mapping")
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    expect(page.locator("#import-bar")).to_have_attribute("value", "100")
    expect(page.locator("#import-progress .percent")).to_have_text("100 %")
    expect(page.locator("#import-progress .counts")).to_have_text("2 prospects loaded, 1 rows rejected.")
    report = page.locator("table.rejections tbody tr")
    expect(report).to_have_count(1)
    expect(report.first).to_contain_text("3")
    expect(report.first).to_contain_text("Malformed email address")
    screenshot(page, "import-report")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert {p.phone for p in Prospect.objects.all()} == {"+33123456789", "+33612345678"}
