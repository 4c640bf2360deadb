"""Unsubscribing in a real browser: the person needs no account, the rep sees the objection at once."""

import pytest

from consent import links
from consent.models import Objection
from prospects.models import Prospect
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_person_unsubscribes_from_the_link_and_the_rep_sees_the_objection(page, live_server, settings):
    settings.LOYAL_SITE_URL = live_server.url
    rep = factories.user(role="sales", username="browser-rep")
    person = factories.prospect(by=rep, email="anne.leroy@acme.fr", language="en")
    console_errors, failed = [], []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    # Chromium asks every new site for /favicon.ico, which the product does not serve.
    page.on("response", lambda r: r.status >= 400 and "favicon" not in r.url and failed.append(r.url))

    page.goto(links.unsubscribe_url(person, "email"))
    screenshot(page, "unsubscribe-link-opened")
    assert not Objection.objects.exists()  # Opening the link (as a scanner would) records nothing.
    page.click("#unsubscribe-button")
    page.wait_for_selector("#unsubscribed")
    screenshot(page, "unsubscribe-confirmed")
    login(page, live_server, "browser-rep", factories.PASSWORD)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    objection = page.locator('#objections li[data-channel="email"]')
    objection.wait_for()

    assert "Unsubscribe link" in objection.inner_text()
    assert "by the person themselves" in objection.inner_text()
    assert page.locator('#contactability tr[data-channel="email"]').inner_text().count("REF_OBJECTION") == 1
    assert failed == []
    assert [e for e in console_errors if not e.startswith("Failed to load resource")] == [], (
        "CSP or script error"
    )
    screenshot(page, "unsubscribe-objection-on-prospect-page")


def test_the_footer_link_erases_the_record_and_tells_the_person(page, live_server, settings):
    settings.LOYAL_SITE_URL = live_server.url
    rep = factories.user(role="sales", username="browser-rep")
    person = factories.prospect(by=rep, email="anne.leroy@acme.fr", language="en")

    page.goto(links.unsubscribe_url(person, ""))
    page.click("#unsubscribe-button")
    page.wait_for_selector("text=Your objection is recorded")
    screenshot(page, "unsubscribe-record-reduced")

    assert "kept only a fingerprint of your address" in page.content()
    assert not Prospect.objects.filter(pk=person.pk).exists()
    assert Objection.objects.get().prospect_id is None
