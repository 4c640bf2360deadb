"""A rep confirms and dismisses "stop" replies read from the mailbox, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from consent.models import Objection
from outreach import inbound
from outreach.models import ObjectionProposal
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def stop_reply(prospect, text: str) -> ObjectionProposal:
    raw = (
        f"From: {prospect.email}\r\nTo: replies@loyal.example\r\nSubject: Re: offre\r\n"
        f"Message-ID: <{prospect.pk}@acme.fr>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    ).encode()
    inbound.handle(raw, folder="INBOX", uidvalidity=1, uid=prospect.pk)
    return ObjectionProposal.objects.get(prospect=prospect)


def test_a_rep_confirms_one_stop_reply_and_dismisses_another(page, live_server):
    rep = factories.user(role="sales", username="camille")
    lea = factories.prospect(by=rep, first_name="Lea", last_name="Roux", email="lea.roux@acme.fr")
    tom = factories.prospect(by=rep, first_name="Tom", last_name="Petit", email="tom.petit@acme.fr")
    confirmed = stop_reply(lea, "Merci de ne plus m'écrire.")
    dismissed = stop_reply(tom, "Stop by our stand on Tuesday!")
    login(page, live_server, "camille", factories.PASSWORD)

    page.goto(f"{live_server.url}/")
    replies = page.locator(".stop-reply")
    expect(replies).to_have_count(2)
    screenshot(page, "home-stop-replies")
    with page.expect_navigation():
        page.locator(f'[data-proposal="{confirmed.pk}"]').get_by_role(
            "button", name="Confirm the objection"
        ).click()
    expect(page.locator(".messages")).to_contain_text("Objection recorded")
    page.goto(f"{live_server.url}/prospects/{tom.pk}/")
    item = page.locator(f'#contactability [data-proposal="{dismissed.pk}"]')
    expect(item).to_contain_text("Stop by our stand on Tuesday!")
    item.get_by_label("Why is it not an objection?").fill("An invitation to their stand")
    with page.expect_navigation():
        item.get_by_role("button", name="Dismiss").click()

    expect(page.locator(".messages")).to_contain_text("Proposal dismissed")
    page.goto(f"{live_server.url}/")
    expect(page.locator(".stop-reply")).to_have_count(0)
    assert Objection.objects.get().prospect_id == lea.pk
    dismissed.refresh_from_db()
    assert (dismissed.status, dismissed.dismiss_reason) == ("dismissed", "An invitation to their stand")
