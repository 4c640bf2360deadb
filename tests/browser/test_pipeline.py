"""A rep moves a prospect across the pipeline board to *won*: asked what was sold, they choose it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from prospects import pipeline
from prospects.models import Prospect, StageChange
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_a_prospect_dragged_to_won_becomes_a_customer_with_the_category_chosen(page, live_server):
    camille = factories.user(role="sales", username="camille")
    pipeline.save_category(name="Hardware")
    software = pipeline.save_category(name="Software licences")
    lina = factories.prospect(by=camille, first_name="Lina", last_name="Costa")
    stages = {stage.name: stage for stage in pipeline.stages()}
    Prospect.objects.filter(pk=lina.pk).update(stage=stages["proposal"], retention_until=timezone.localdate())
    login(page, live_server, "camille", factories.PASSWORD)

    page.goto(f"{live_server.url}/prospects/board/")
    card = page.locator(f".board-card[data-prospect='{lina.pk}']")
    won = page.locator(f".board-column[data-stage='{stages['won'].pk}']")
    expect(page.locator(f".board-column[data-stage='{stages['proposal'].pk}']")).to_contain_text("Lina Costa")
    # The card's own move form (the drag and drop submits the same form; Debian's headless
    # Chromium starts no HTML5 drag from Playwright's mouse, so the form is driven here).
    card.locator("select[name=stage]").select_option(label="won")
    with page.expect_navigation():
        card.get_by_role("button", name="Move").click()
    expect(page.locator("#move-form")).to_contain_text("Choose what was sold")
    screenshot(page, "pipeline-won-asks-category")
    page.select_option("#id_category", label="Software licences")
    with page.expect_navigation():
        page.locator("#move-form").get_by_role("button", name="Move").click()

    expect(won).to_contain_text("Lina Costa")
    expect(won.locator(f".board-card[data-prospect='{lina.pk}'] .badge")).to_have_text("customer")
    lina.refresh_from_db()
    assert (lina.stage, lina.is_customer, lina.customer_category) == (stages["won"], True, software)
    assert lina.customer_since == timezone.localdate()
    # A stage change is not a contact from the prospect: retention stays where it was.
    assert (lina.retention_until, lina.last_prospect_contact_at) == (timezone.localdate(), None)
    change = StageChange.objects.get(prospect=lina)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        stages["proposal"],
        stages["won"],
        camille,
    )

    page.goto(f"{live_server.url}/prospects/{lina.pk}/")
    expect(page.locator(".stage-change")).to_contain_text("Stage: proposal → won")
    expect(page.locator("#customer-category")).to_have_text("Software licences")
