"""A rep adds a filtered result to a list in bulk, confirms the count, and previews a campaign on it."""

import pytest
from playwright.sync_api import expect

from outreach.models import Campaign, Message
from prospects.models import ListMember
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_a_bulk_add_to_list_confirms_the_count_and_a_campaign_on_the_list_previews_them(page, live_server):
    camille = factories.user(role="sales", username="camille")
    cards = factories.many_prospects(by=camille, count=300)
    for index in range(5):
        factories.prospect(by=camille, first_name=f"Ines{index}", source_type="inbound")
    factories.prospect_list(by=camille, name="Autumn fair")
    login(page, live_server, "camille", factories.PASSWORD)

    page.goto(f"{live_server.url}/prospects/?source_type=business_card")
    expect(page.locator("#result-count")).to_have_text("300 prospects")
    page.select_option("#id_action", "add_to_list")
    page.select_option("#id_to_list", label="Autumn fair")
    page.check("input[name=scope][value=all]")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("#bulk-question")).to_have_text("Add 300 prospects to the list Autumn fair?")
    screenshot(page, "bulk-confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()

    expect(page.locator(".messages")).to_contain_text("300 prospects added to Autumn fair.")
    members = set(ListMember.objects.values_list("prospect_id", flat=True))
    assert members == {prospect.pk for prospect in cards}

    page.goto(f"{live_server.url}/outreach/campaigns/new/")
    page.fill("#id_name", "Autumn fair follow-up")
    page.select_option("#id_purpose", "b2b_prospecting")
    page.select_option("#id_channel", "email")
    page.select_option("#id_target_list", label="Autumn fair")
    page.fill("#id_sender_name", "Camille Test, Acme Solutions")
    page.fill("#id_sender_email", "camille@acme-solutions.example")
    page.fill("#id_subject_fr", "Bonjour {first_name}")
    page.fill("#id_body_fr", "Bonjour {first_name},\n\nNotre offre.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and preview").click()

    counts = page.locator("table.reasons tbody tr td:nth-child(3)").all_inner_texts()
    assert sum(int(count) for count in counts) == 300
    campaign = Campaign.objects.get()
    assert set(Message.objects.filter(campaign=campaign).values_list("prospect_id", flat=True)) == members
    screenshot(page, "campaign-on-a-list")


def test_a_rep_sorts_the_list_by_a_heading_saves_the_view_and_applies_it_from_the_menu(page, live_server):
    camille = factories.user(role="sales", username="camille")
    for name, company in (("Ana", "Initech"), ("Luc", "Acme"), ("Eva", "Globex")):
        factories.prospect(by=camille, first_name=name, email=f"{name.lower()}@x.fr", company_name=company)
    factories.prospect(
        by=camille, first_name="Ines", email="ines@x.fr", company_name="Hooli", source_type="inbound"
    )
    login(page, live_server, "camille", factories.PASSWORD)

    page.goto(f"{live_server.url}/prospects/?source_type=business_card")
    with page.expect_navigation():
        page.get_by_role("link", name="Company").click()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Company ▲")
    rows = page.locator("#rows tr td:nth-child(2) > a").all_inner_texts()
    page.fill("#id_name", "Cards by company")
    page.check("#id_shared")
    with page.expect_navigation():
        page.get_by_role("button", name="Save this view").click()
    page.goto(f"{live_server.url}/prospects/")
    with page.expect_navigation():
        page.locator("#saved-views").get_by_role("link", name="Cards by company").click()

    assert rows == ["Luc Dupont", "Eva Dupont", "Ana Dupont"]
    assert page.locator("#rows tr td:nth-child(2) > a").all_inner_texts() == rows
    assert "sort=company" in page.url and "source_type=business_card" in page.url
    expect(page.locator("#saved-views")).to_contain_text("shared with the team")
    screenshot(page, "saved-view-applied")
