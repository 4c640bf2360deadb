"""A rep's day: a step added on a prospect's page is on the home page, and goes once done."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from prospects.models import Interaction, NextStep
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_a_step_due_today_is_on_the_home_page_until_it_is_done(page, live_server):
    rep = factories.user(role="sales", username="camille")
    prospect = factories.prospect(by=rep, first_name="Zoe", last_name="Martin")
    due = timezone.localtime().replace(second=0, microsecond=0)
    login(page, live_server, "camille", factories.PASSWORD)

    page.goto(f"{live_server.url}/prospects/{prospect.pk}/")
    page.fill("#id_what", "Call Zoe about the quote")
    page.fill("#id_due_at", due.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        page.get_by_role("button", name="Add the step").click()
    expect(page.locator(".messages")).to_contain_text("Next step added.")

    page.goto(f"{live_server.url}/")
    today = page.locator("#steps-today")
    expect(today).to_contain_text("Call Zoe about the quote")
    expect(today).to_contain_text("Zoe Martin")
    screenshot(page, "home-day")
    step = today.locator("li.next-step", has_text="Call Zoe about the quote")
    step.locator("select[name=interaction_type]").select_option("meeting")
    step.locator("input[name=summary]").fill("Agreed on the quote")
    with page.expect_navigation():
        step.get_by_role("button", name="Done").click()

    expect(page.locator(".messages")).to_contain_text("Step done.")
    expect(page.locator("#steps-today")).not_to_contain_text("Call Zoe about the quote")
    expect(page.locator("#steps-today")).to_contain_text("Nothing due today.")
    done = NextStep.objects.get()
    assert done.is_done and done.done_by == rep
    meeting = Interaction.objects.get(prospect=prospect)
    assert (meeting.type, meeting.summary, done.interaction_id) == (
        "meeting",
        "Agreed on the quote",
        meeting.pk,
    )

    page.goto(f"{live_server.url}/prospects/{prospect.pk}/")
    expect(page.locator(".timeline")).to_contain_text("Meeting held")
    expect(page.locator(".timeline")).to_contain_text("restarts retention")
