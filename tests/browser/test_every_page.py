"""Every page each role can open, on a phone, read by axe-core and by a person (issue 19, Build 3-4).

The pages are the routes of the resolver that the access matrix (tests/crm/access_matrix.py)
answers 200 to a GET from the role, with the rows of its seed behind their arguments, so that a
new page is crawled as soon as it has its row there. The API and the downloads are not pages.

For each page, at 390×844 CSS pixels:

- nothing is wider than the window (``scrollWidth <= innerWidth``): the header folds into a menu,
  tables scroll inside their own box, forms are one column;
- axe-core, as shipped by axe-playwright-python (no network), finds no violation of any impact;
- the visible text holds no reason code of the gate, no database table or model label and no ISO
  timestamp. A reason code is allowed only in the small print of its sentence (the ``reason``
  tag of ``outreach/templatetags/reasons.py``), which the check takes out after asserting that
  its sentence is there.
"""

import re

import pytest
from django.apps import apps
from playwright.sync_api import Error as PlaywrightError

from outreach.policy import Reason
from registry import rights
from tests import factories
from tests.browser.conftest import login
from tests.crm.access_matrix import expectations
from tests.crm.test_access_matrix import is_buildable, resolver_routes, seed, url_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
ROLES = {"sales": "rep", "dpo": "dpo", "admin": "admin"}
ISO_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Prints words the page shows, after the small print of each reason sentence is checked and removed.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  const orphans = [];
  for (const code of body.querySelectorAll('.reason-code')) {
    const sentence = code.closest('.reason')?.querySelector('.reason-text');
    if (!sentence || !sentence.textContent.trim()) orphans.push(code.textContent);
    code.remove();
  }
  document.body.after(body);
  body.hidden = false;
  const text = body.innerText;
  body.remove();
  return {text, orphans};
}"""


def pages_of(role: str, objects: dict) -> list[tuple[str, str]]:
    """(route key, URL) of every page the table opens to ``role``."""
    pages = []
    for key, route in sorted(resolver_routes().items()):
        if route.pattern.startswith("api/") or not is_buildable(route) or key.endswith(".<format>"):
            continue
        if key in ("logout", "set_language", "health") or expectations(key)["GET"][role] != "200":
            continue
        pages.append((key, url_of(route, objects)))
    return pages


def forbidden_words() -> re.Pattern:
    """Every reason code, and every model's table name and label, as whole words."""
    words = set(Reason.values)
    for model in apps.get_models(include_auto_created=True):
        words |= {model._meta.db_table, model._meta.label}
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])({alternatives})(?![\w])")


def erase_one(users: dict) -> None:
    """An erasure, so that the erasure log and the purge runs show rows removed per kind of record."""
    gone = factories.prospect(by=users["sales"], first_name="Eve", email="eve@acme.fr")
    rights.erase(gone, by=users["admin"])


def check(page, url: str, words: re.Pattern, axe) -> list[str]:
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return []  # an export, not a page
        raise
    problems = []
    if response is None or response.status != 200:
        return [f"answers {response and response.status}"]
    if not (response.headers.get("content-type") or "").startswith("text/html"):
        return []
    seen = page.evaluate(VISIBLE_TEXT)
    problems += [f"reason code {code!r} without its sentence" for code in seen["orphans"]]
    problems += [f"shows {match!r}" for match in sorted(set(words.findall(seen["text"])))]
    stamps = sorted(set(ISO_TIMESTAMP.findall(seen["text"])))
    problems += [f"shows the timestamp {match!r}" for match in stamps]
    if "<html" not in response.text()[:1000]:
        return problems  # an htmx partial: its host page is crawled, and checked with it
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        problems.append(f"{width[0]} px wide for a {width[1]} px window")
    result = axe.run(page)
    problems += [
        f"axe {violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result.response["violations"]
    ]
    return problems


def test_every_page_fits_a_phone_passes_axe_and_shows_no_code_table_or_timestamp(
    browser, live_server, tmp_path
):
    from axe_playwright_python.sync_playwright import Axe

    users, objects = seed(tmp_path)
    erase_one(users)
    words, axe = forbidden_words(), Axe()

    problems, visited = [], 0
    for role, username in ROLES.items():
        context = browser.new_context(locale="en-GB", viewport=PHONE, device_scale_factor=1)
        context.set_default_timeout(15_000)
        page = context.new_page()
        login(page, live_server, username, factories.PASSWORD)
        for key, path in pages_of(role, objects):
            visited += 1
            found = check(page, live_server.url + path, words, axe)
            problems += [f"  {role} {key} {path}: {problem}" for problem in found]
        context.close()

    assert visited > 60
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
