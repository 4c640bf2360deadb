# The Playwright fixtures of the browser tests, for the embedded-form test of this package.
from tests.browser.conftest import browser, page, requests_in_flight  # noqa: F401
