"""The UI shell in a real browser: each role's home and navigation, French, the conduct gate."""

from pathlib import Path

import pytest

from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

FRENCH_CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.mo"

# The links that only some roles see, by address so that the check holds in any language.
ROLE_LINKS = {
    "sales": set(),
    "dpo": {"/conduct/"},
    "admin": {"/users/", "/conduct/edit/"},
}
OTHER_ROLES_LINKS = {role: set().union(*ROLE_LINKS.values()) - links for role, links in ROLE_LINKS.items()}
HEADINGS = {
    "sales": ("My prospects", "Mes prospects"),
    "dpo": ("Data protection", "Protection des données"),
    "admin": ("Administration", "Administration"),
}


def nav_links(page) -> set[str]:
    return set(page.locator("nav.nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))"))


@pytest.mark.parametrize("role", ["sales", "dpo", "admin"])
def test_each_role_logs_in_to_its_own_home_and_navigation_then_reads_it_in_french(page, live_server, role):
    """Acceptance 6: the login form leads each role to its home, links and language switch."""
    factories.user(role=role, username=f"{role}-person")
    english, french = HEADINGS[role]
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    login(page, live_server, f"{role}-person", factories.PASSWORD)

    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == english
    links = nav_links(page)
    assert ROLE_LINKS[role] <= links
    assert not links & OTHER_ROLES_LINKS[role]
    assert "/accounts/token/" in links
    screenshot(page, f"home-{role}")

    with page.expect_navigation():
        page.click('form.lang button[value="fr"]')

    assert page.locator("html").get_attribute("lang") == "fr"
    assert FRENCH_CATALOGUE.exists(), f"{FRENCH_CATALOGUE} is missing: run compilemessages"
    assert page.locator("h1").inner_text() == french
    assert console_errors == [], "the page broke its content security policy or a script failed"
    screenshot(page, f"home-{role}-fr")


def test_rep_who_has_not_acknowledged_the_code_is_sent_to_it_and_gets_through_after(page, live_server):
    factories.user(role="sales", username="newrep", acknowledged=False)

    login(page, live_server, "newrep", factories.PASSWORD)

    assert page.url == f"{live_server.url}/conduct/?next=/"
    assert page.locator("h1").inner_text() == "Social-selling code of conduct"
    screenshot(page, "conduct-pending")

    with page.expect_navigation():
        page.get_by_role("button", name="I have read and will follow this code").click()

    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "My prospects"
