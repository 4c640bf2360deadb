"""A rep builds a campaign, previews who is refused and why, sends it, and reads the outcome."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from prospects import suppression
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.outreach.conftest import informed

pytestmark = pytest.mark.browser


@pytest.fixture
def prospects_of_camille():
    camille = factories.user(role="sales", username="camille")
    informed(by=camille, first_name="Ana", last_name="Roux", email="ana.roux@acme.fr")
    informed(by=camille, first_name="Luc", last_name="Martin", email="luc.martin@acme.fr")
    factories.prospect(by=camille, first_name="Zoe", last_name="Petit", email="zoe.petit@gmail.com")
    objected = informed(by=camille, first_name="Hugo", last_name="Leroy", email="hugo.leroy@acme.fr")
    suppression.suppress(objected, origin="link")
    factories.whole_base(by=camille)
    return camille


def test_rep_builds_previews_and_sends_a_campaign(page, live_server, settings, prospects_of_camille):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    login(page, live_server, "camille", factories.PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.fill("#id_name", "Autumn purchasing offer")
    page.select_option("#id_purpose", "b2b_prospecting")
    page.select_option("#id_channel", "email")
    page.select_option("#id_target_segment", label="All prospects")
    page.fill("#id_target_functions", "purchasing")
    page.check("#id_offer_related_to_profession")
    page.fill("#id_sender_name", "Camille Test, Acme Solutions")
    page.fill("#id_sender_email", "camille@acme-solutions.example")
    page.fill("#id_subject_fr", "Nos solutions pour les achats, {first_name}")
    page.fill("#id_body_fr", "Bonjour {first_name},\n\nNotre offre pour les acheteurs.")
    page.fill("#id_subject_en", "Our purchasing solutions, {first_name}")
    page.fill("#id_body_en", "Hello {first_name},\n\nOur offer for buyers.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and preview").click()

    reasons = page.locator("table.reasons")
    expect(reasons.locator("tr[data-reason=REF_B2C_NO_CONSENT]")).to_contain_text(
        "A private address needs consent"
    )
    expect(reasons.locator("tr[data-reason=REF_OBJECTION]")).to_contain_text("The person objected")
    expect(reasons.locator("tr[data-reason=OK_B2B_LI] td").nth(2)).to_have_text("2")
    expect(page.locator("table.recipients")).to_contain_text("Zoe Petit")
    screenshot(page, "campaign-preview")

    with page.expect_navigation():
        page.get_by_role("button", name="Send to the allowed recipients").click()
    # Asked first, with what it will do and to how many; nothing left yet.
    expect(page.locator("#send-question")).to_have_text("Send to 2 people? 2 refused stay unsent.")
    assert mail.outbox == []
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()

    expect(page.locator(".messages")).to_contain_text("2 messages handed to the worker")
    rows = page.locator("table.recipients tbody tr")
    expect(rows.filter(has_text="Ana Roux")).to_contain_text("Sent")
    expect(rows.filter(has_text="Luc Martin")).to_contain_text("Sent")
    expect(rows.filter(has_text="Zoe Petit")).to_contain_text("REF_B2C_NO_CONSENT")
    expect(rows.filter(has_text="Hugo Leroy")).to_contain_text("Refused")
    assert sorted(email.to[0] for email in mail.outbox) == ["ana.roux@acme.fr", "luc.martin@acme.fr"]
    screenshot(page, "campaign-outcome")
