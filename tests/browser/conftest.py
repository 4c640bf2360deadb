"""A real Chromium driven by Playwright against pytest-django's live server.

Debian's Chromium is used rather than a Playwright-downloaded build, which this project's
machines cannot fetch. Without it the browser tests are skipped, except in CI
(``LOYAL_REQUIRE_BROWSER=1``), where a missing browser is a failure.

On SQLite the test database lives in memory with a shared cache, and the live server's
threads use the test's own connection (Django's LiveServerThread does so for in-memory
SQLite). Two connections to that database would not wait for each other: in shared-cache
mode a table another connection is writing answers "database table is locked" at once,
whatever the busy timeout. So the test body must keep that one connection while Playwright
runs (``browser`` below), and a test ends, and its tables are emptied, only once the
server has finished every request the page sent (``page`` below, tests/browser/server.py).
"""

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from tests.browser.server import RequestsInFlight

# Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM
# calls from the test body unless told that they are safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# How long the server may take, after the page closed, to finish the requests it sent.
REQUESTS_END_SECONDS = 30
# How long the live server may take to answer its first request.
FIRST_ANSWER_SECONDS = 120


@pytest.fixture(scope="package")
def browser(django_db_setup, django_db_blocker, live_server):
    """One Chromium for the browser tests, stopped once they are done."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed: the browser tests need Debian's chromium package"
        if os.environ.get("LOYAL_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # This thread's connections, the very objects live_server handed its threads for an
    # in-memory SQLite database (and, for any database, the ones holding the migrated rows
    # that serialized rollback reloads before each transactional test: tests/conftest.py).
    own = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # While Playwright's event loop runs in this thread, asgiref's Local (which holds
        # Django's connections) follows the loop and would hand the test body new connection
        # objects: a second connection to the shared in-memory database. Keep the same ones.
        for alias, connection in own.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        # The server's first answer imports every view and compiles the layout, which on a
        # loaded machine takes longer than a page is given: pay it here, once (a read only).
        with django_db_blocker.unblock():
            login_page = f"{live_server.url}/accounts/login/"
            urllib.request.urlopen(login_page, timeout=FIRST_ANSWER_SECONDS).close()  # noqa: S310
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def requests_in_flight(live_server) -> RequestsInFlight:
    return RequestsInFlight(live_server.thread.httpd)


@pytest.fixture
def page(browser, live_server, requests_in_flight) -> Iterator:
    """A fresh browser context per test: no cookie or language carries over."""
    for alias, shared in live_server.thread.connections_override.items():
        assert connections[alias] is shared, f"the test body and the live server use two {alias} connections"
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
    # The page may have left requests running (an htmx panel, a poll): emptying the tables
    # under them would fail or leave their rows to the next test.
    requests_in_flight.wait_until_done(REQUESTS_END_SECONDS)


def type_the_password(page, live_server, username: str, password: str) -> None:
    """The log-in form's first step: username and password, up to the page it leads to."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def login(page, live_server, username: str, password: str) -> None:
    """Log in through the real login form and wait for the page it leads to.

    An admin or a DPO then types the code of their authenticator app into the MFA page.
    """
    type_the_password(page, live_server, username, password)
    if "/accounts/mfa/" in page.url:
        from django.contrib.auth import get_user_model

        from tests import factories

        page.fill("#id_code", factories.totp_code(get_user_model().objects.get(username=username)))
        with page.expect_navigation():
            page.click("main form button[type=submit]")


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/screenshots/ for a human to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
