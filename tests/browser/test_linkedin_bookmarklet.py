"""The "Add from LinkedIn" bookmarklet, run on a LinkedIn profile page served without network."""

import json
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from prospects.models import Prospect
from tests import factories
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

SLUG = "jeanne-martin-acme"
# What the profile page shows: none of it may reach Loyal.
PROFILE_PAGE = """<!DOCTYPE html><html><head><title>Jeanne Martin | LinkedIn</title></head>
<body><h1>Jeanne Martin</h1><p class="headline">Head of purchasing, secret project Zephyr</p>
<p class="contact">jeanne.martin.home@gmail.com · +33 6 98 76 54 32</p></body></html>"""


def test_the_bookmarklet_opens_the_prefilled_page_and_the_evidence_holds_the_address_only(page, live_server):
    rep = factories.user(role="sales", username="camille")
    login(page, live_server, "camille", factories.PASSWORD)
    page.goto(f"{live_server.url}/outreach/linkedin/")
    code = page.locator("a.bookmarklet").first.get_attribute("href")
    page.route(
        "https://www.linkedin.com/in/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=PROFILE_PAGE),
    )
    page.goto(f"https://www.linkedin.com/in/{SLUG}/?trk=feed-detail")

    # A bookmarklet runs as the browser runs a javascript: URL: decoded, in the page's context.
    with page.expect_navigation(url=f"{live_server.url}/outreach/linkedin/**"):
        page.evaluate(unquote(code.removeprefix("javascript:")))
    expect(page.locator("#id_profile_url")).to_have_value(f"https://www.linkedin.com/in/{SLUG}/")
    expect(page.locator("#id_source_type_0")).to_be_checked()  # the connection's button
    assert "trk" not in page.url and "Zephyr" not in unquote(page.url)
    page.fill("#id_first_name", "Jeanne")
    page.fill("#id_last_name", "Martin")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator("#linkedin-message")).to_contain_text("/u/join/")

    prospect = Prospect.objects.get()
    source = prospect.sources.get()
    assert source.type == "linkedin_connection" and source.recorded_by == rep
    assert source.evidence == {"profile_url": f"linkedin.com/in/{SLUG}"}
    assert prospect.linkedin_url == f"linkedin.com/in/{SLUG}"
    stored = json.dumps([source.evidence, prospect.job_title, prospect.email, prospect.phone])
    assert not any(text in stored for text in ("Zephyr", "purchasing", "gmail", "98 76"))
