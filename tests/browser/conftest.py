"""A real Chromium driven by Playwright against pytest-django's live server.

Debian's Chromium is used rather than a Playwright-downloaded build, which this project's
machines cannot fetch. Without it the browser tests are skipped, except in CI
(``LOYAL_REQUIRE_BROWSER=1``), where a missing browser is a failure.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

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


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """One Chromium for the browser tests, stopped once they are done."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed: the browser tests need Debian's chromium package"
        if os.environ.get("LOYAL_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    migrated_rows = getattr(connection, "_test_serialized_contents", None)
    with sync_playwright() as playwright:
        # While Playwright's event loop runs in this thread, Django hands out another
        # connection object (asgiref's Local follows the loop). It needs the migrated rows
        # that serialized rollback reloads before each transactional test (tests/conftest.py).
        if migrated_rows is not None:
            connection._test_serialized_contents = migrated_rows
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context per test: no cookie or language carries over."""
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def login(page, live_server, username: str, password: str) -> None:
    """Log in through the real login form and wait for the page it leads to.

    An admin or a DPO then types the code of their authenticator app into the MFA page.
    """
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
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
