"""Acceptance 3 of issue 17: the form's proof and axes read the client's address through one function."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from consent.models import Consent
from prospects.models import Source
from tests.forms_capture.sample_forms import visitor_post, web_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.LOYAL_WEBFORM_MIN_SECONDS = 0


def submit_and_fail_a_log_in(rep, *, remote: str, forwarded: str) -> tuple[str, str, str]:
    """One form submission and one failed log-in from the same connection; the addresses recorded."""
    form = web_form(rep)
    client = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    visitor_post(client, reverse("webforms:public", kwargs={"slug": form.slug}))
    client.post(reverse("login"), {"username": "someone", "password": "wrong-password-123"})
    source, consent = Source.objects.get(), Consent.objects.get()
    return source.evidence["ip"], consent.ip, AccessAttempt.objects.get().ip_address


def test_behind_one_trusted_proxy_the_forwarded_address_is_recorded_in_the_proof_and_in_axes(rep, settings):
    settings.LOYAL_TRUSTED_PROXY_COUNT = 1

    recorded = submit_and_fail_a_log_in(rep, remote="10.0.0.2", forwarded="203.0.113.7")

    assert recorded == ("203.0.113.7", "203.0.113.7", "203.0.113.7")


def test_an_entry_the_client_wrote_before_the_proxy_s_is_not_believed(rep, settings):
    settings.LOYAL_TRUSTED_PROXY_COUNT = 1

    recorded = submit_and_fail_a_log_in(rep, remote="10.0.0.2", forwarded="198.51.100.1, 203.0.113.7")

    assert recorded == ("203.0.113.7", "203.0.113.7", "203.0.113.7")


def test_without_the_setting_a_spoofed_header_is_ignored_and_remote_addr_recorded(rep, settings):
    settings.LOYAL_TRUSTED_PROXY_COUNT = 0

    recorded = submit_and_fail_a_log_in(rep, remote="192.0.2.10", forwarded="203.0.113.7")

    assert recorded == ("192.0.2.10", "192.0.2.10", "192.0.2.10")
