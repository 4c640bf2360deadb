"""The test body and the live server share the test database without locking each other out.

On SQLite the two used to be two connections to one shared-cache in-memory database: while
a request of the page was writing, the body's next write failed at once with "database
table is locked" (tests/browser/conftest.py).
"""

import pytest
from django.contrib.auth import get_user_model

from tests import factories
from tests.browser import holding_urls

pytestmark = pytest.mark.browser


@pytest.fixture
def holding(settings):
    settings.ROOT_URLCONF = "tests.browser.holding_urls"
    holding_urls.writing.clear()
    holding_urls.release.clear()
    yield
    holding_urls.release.set()


def test_the_body_writes_while_a_request_of_the_page_is_writing(page, live_server, holding):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("() => { window.held = fetch('/test-hold-a-write/').then((answer) => answer.text()); }")
    assert holding_urls.writing.wait(30)

    factories.user(role="sales", username="camille")

    holding_urls.release.set()
    assert page.evaluate("() => window.held") == "written"
    assert get_user_model().objects.filter(username="camille").exists()
