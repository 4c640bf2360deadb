"""Acceptance 1 of issue 17: the snippet embedded in another site's page, sent by a visitor in Chromium."""

import hashlib
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from consent.models import Consent
from prospects.models import Prospect
from tests import factories
from tests.forms_capture.sample_forms import web_form
from webforms import definitions

pytestmark = pytest.mark.browser


@pytest.fixture
def company_site():
    """A static page of "the company's site", on another loopback origin than Loyal's."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield pages, f"http://127.0.0.2:{server.server_port}"
    server.shutdown()


def test_a_visitor_sends_the_embedded_form_and_confirms_by_the_mailed_link(
    page, live_server, settings, mailoutbox, company_site
):
    settings.LOYAL_SITE_URL = live_server.url
    settings.LOYAL_WEBFORM_MIN_SECONDS = 1
    rep = factories.user(role="sales", username="camille")
    form = web_form(rep)
    version = definitions.current_version(form)
    pages, origin = company_site
    pages["/contact.html"] = (
        f"<!DOCTYPE html><title>Acme</title><h1>Contact</h1>{definitions.snippets(form)['iframe']}"
    )

    page.goto(f"{origin}/contact.html")
    frame = page.frame_locator("iframe")
    notice = frame.locator("#webform-notice").inner_text()
    wording = frame.locator(".webform-wording").inner_text()
    frame.locator("#id_first_name").fill("Ada")
    frame.locator("#id_last_name").fill("Lovelace")
    frame.locator("#id_email").fill("ada@analytical.example")
    frame.locator("#id_company").fill("Analytical Engines")
    frame.locator("#id_consent_0").check()
    page.wait_for_timeout(1200)  # a person takes longer than the minimum fill time
    frame.locator("#webform-submit").click()
    expect(frame.locator("#webform-thanks")).to_be_visible()

    prospect = Prospect.objects.get()
    source = prospect.sources.get()
    shown = hashlib.sha256(f"{notice}\n\n{wording}".encode()).hexdigest()
    assert source.type == "web_form_consent"
    assert source.evidence["wording_hash"] == shown == version.sha256
    assert source.evidence["notice_version"] == "contact-v1" and source.evidence["form_id"] == "contact"
    assert source.evidence["ip"] == "127.0.0.1"
    assert "Chrome" in source.evidence["user_agent"]
    assert source.evidence["page_url"].startswith(origin)
    consent = Consent.objects.get(prospect=prospect)
    assert consent.wording_sha256 == hashlib.sha256(wording.encode()).hexdigest()
    assert not consent.counts  # pending until confirmed

    link = re.search(r"https?://\S+/u/confirm/\S+", mailoutbox[0].body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("confirmed")

    assert Consent.objects.get(prospect=prospect).counts
