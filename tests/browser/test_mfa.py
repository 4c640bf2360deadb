"""The second factor in a real browser: a new DPO enrols an app, then logs in with it."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP

from crm import mfa
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def app_code(secret: str) -> str:
    """What an authenticator app shows for the key the page printed."""
    from base64 import b32decode

    return f"{TOTP(b32decode(secret)).token():06d}"


def test_a_new_dpo_enrols_an_app_keeps_the_recovery_codes_and_reaches_the_register(page, live_server):
    factories.user(role="dpo", username="nadia", second_factor=False)
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    page.goto(f"{live_server.url}/registry/")
    page.fill("#id_username", "nadia")
    page.fill("#id_password", factories.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/mfa/setup/**")

    assert page.locator("figure.qr svg").is_visible()
    assert page.locator("nav.nav").count() == 0  # nothing else to reach yet
    secret = page.locator("#mfa-secret").inner_text()
    screenshot(page, "mfa-setup")

    page.fill("#id_code", "000000")
    page.click("main form button[type=submit]")
    assert page.locator("#id_code_errors").inner_text() == (
        "This code does not match the app: check the phone's clock and try again."
    )

    page.wait_for_timeout(1500)  # a wrong code makes the next check wait a second
    page.fill("#id_code", app_code(secret))
    page.click("main form button[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "mfa-recovery-codes")
    with page.expect_download() as download:
        page.click("#recovery-codes-file")
    assert download.value.suggested_filename == "loyal-recovery-codes.txt"
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Loyal recovery codes for nadia (each works once)"
    assert lines[2:] == codes

    page.click("text=I have kept them: continue")
    page.wait_for_url("**/registry/")
    assert page.locator("nav.nav a[href='/registry/']").is_visible()
    person = get_user_model().objects.get(username="nadia")
    assert mfa.app_device(person) is not None
    assert console_errors == []


def test_an_admin_logs_in_with_a_recovery_code_when_the_phone_is_lost(page, live_server):
    person = factories.user(role="admin", username="paul")
    code = mfa.new_recovery_codes(person)[0]

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "paul")
    page.fill("#id_password", factories.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/mfa/**")
    page.fill("#id_code", code)
    page.click("main form button[type=submit]")

    page.wait_for_url(f"{live_server.url}/")
    page.click("text=Second factor")
    assert "9 recovery codes left." in page.locator("main").inner_text()
