"""A rep logs prospects through the real form, finds them by search and reads their retention date."""

import pytest
from django.utils import formats, translation
from playwright.sync_api import expect

from prospects.models import Prospect
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def choose_source(page, source_type: str, first_evidence_field: str) -> None:
    """Pick the source type; htmx then swaps in that type's evidence fields."""
    page.select_option("#id_source_type", source_type)
    page.wait_for_selector(f"#id_evidence_{first_evidence_field}")


def fill(page, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)


def save(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()


def purge_date(prospect: Prospect) -> str:
    with translation.override("en"):
        return formats.date_format(prospect.retention_until, "DATE_FORMAT")


def search(page, q: str) -> None:
    """Type into the search box; htmx replaces the rows a moment after the last key."""
    box = page.locator("#id_q")
    box.fill("")
    with page.expect_response(lambda response: "q=" in response.url and response.status == 200):
        box.press_sequentially(q)


@pytest.fixture
def rep_in_browser(page, live_server):
    factories.user(role="sales", username="camille")
    login(page, live_server, "camille", factories.PASSWORD)
    return page


def test_rep_logs_a_business_card_and_a_linkedin_link_then_finds_each_and_its_purge_date(
    rep_in_browser, live_server
):
    page = rep_in_browser

    page.goto(f"{live_server.url}/prospects/new/")
    choose_source(page, "business_card", "event")
    fill(page, {"evidence_event": "VivaTech", "evidence_place": "Paris", "evidence_collector": "Camille"})
    page.fill("#id_evidence_date", "2026-06-12")
    page.check("#id_evidence_notice_given")
    fill(
        page,
        {
            "first_name": "Jean",
            "last_name": "Dupont",
            "company_name": "Acme",
            "job_title": "Head of purchasing",
            "email": "jean.dupont@acme.fr",
            "phone": "06 12 34 56 78",
        },
    )
    screenshot(page, "prospect-new-business-card")
    save(page)

    # The database is read once the page shows the result (and its panels have loaded).
    expect(page.locator("h1")).to_have_text("Jean Dupont")
    expect(page.locator("main")).to_contain_text("VivaTech")
    expect(page.locator("#contactability [data-channel=email]")).to_be_visible()
    card = Prospect.objects.get(last_name="Dupont")
    assert page.url == f"{live_server.url}{card.get_absolute_url()}"
    expect(page.locator("#retention-date")).to_contain_text(f"Purged on {purge_date(card)}")
    screenshot(page, "prospect-detail-business-card")

    page.goto(f"{live_server.url}/prospects/new/")
    choose_source(page, "linkedin_connection", "profile_url")
    page.fill("#id_evidence_profile_url", "https://www.linkedin.com/in/claire-petit-acme/?utm_source=share")
    fill(page, {"first_name": "Claire", "last_name": "Petit", "company_name": "Initech", "job_title": "CFO"})
    screenshot(page, "prospect-new-linkedin")
    save(page)

    expect(page.locator("h1")).to_have_text("Claire Petit")
    expect(page.locator("main")).to_contain_text("linkedin.com/in/claire-petit-acme")
    # The gate's panel, loaded by htmx: LinkedIn allowed with the Art. 14 notice, no email on record.
    expect(page.locator("#contactability [data-channel=linkedin_msg]")).to_contain_text("NOTICE_ART14")
    expect(page.locator("#contactability [data-channel=email]")).to_contain_text("No address recorded")
    linked = Prospect.objects.get(last_name="Petit")
    assert linked.linkedin_url == "linkedin.com/in/claire-petit-acme"
    expect(page.locator("#retention-date")).to_contain_text(f"Purged on {purge_date(linked)}")
    screenshot(page, "prospect-detail-linkedin")

    page.goto(f"{live_server.url}/prospects/")
    expect(page.locator("#rows tr")).to_have_count(2)
    search(page, "JEAN.Dupont@ACME.fr")
    expect(page.locator("#rows tr")).to_have_count(1)
    expect(page.locator("#rows")).to_contain_text("Jean Dupont")
    screenshot(page, "prospect-list-search-email")
    search(page, "+33 6 12 34 56 78")
    expect(page.locator("#rows tr")).to_have_count(1)
    expect(page.locator("#rows")).to_contain_text("Jean Dupont")
    search(page, "petit")
    expect(page.locator("#rows tr")).to_have_count(1)
    expect(page.locator("#rows")).to_contain_text("Claire Petit")
    screenshot(page, "prospect-list-search-name")

    with page.expect_navigation():
        page.get_by_role("link", name="Claire Petit").click()
    expect(page.locator("#retention-date")).to_contain_text(f"Purged on {purge_date(linked)}")


def test_rep_who_says_the_data_came_from_a_tool_is_told_why_and_nothing_is_stored(
    rep_in_browser, live_server
):
    page = rep_in_browser
    page.goto(f"{live_server.url}/prospects/new/")
    page.select_option("#id_source_type", "scraping")
    fill(page, {"first_name": "Jean", "last_name": "Dupont", "email": "jean.dupont@acme.fr"})

    save(page)

    expect(page.locator("#source_type_errors")).to_contain_text("KASPR")
    expect(page.locator("#source_type_errors")).to_contain_text("CNIL")
    assert not Prospect.objects.exists()
    screenshot(page, "prospect-new-scraping-refused")
