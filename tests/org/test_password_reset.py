"""Password reset by e-mail, and the error pages in the product's layout."""

import re

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults
from rest_framework.authtoken.models import Token

from org.models import Profile
from tests.factories import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.LOYAL_SITE_URL = "https://crm.example.fr"
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]


def _ask(client, email: str, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def _link() -> str:
    (message,) = mail.outbox
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0)


def test_a_reset_link_follows_the_site_setting_not_the_host_header(client, rep, site):
    rep.email = "camille@example.fr"
    rep.save()
    response = _ask(client, "camille@example.fr", HTTP_HOST="attacker.example")
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox[0].to == ["camille@example.fr"]
    link = _link()
    assert link.startswith("https://crm.example.fr/accounts/password/reset/")
    assert "attacker.example" not in mail.outbox[0].body


def test_the_link_sets_a_new_password_once_and_ends_the_api_token(client, rep, site):
    rep.email = "camille@example.fr"
    rep.save()
    old_token = Token.objects.create(user=rep)
    _ask(client, "camille@example.fr")
    path = _link().removeprefix("https://crm.example.fr")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    new = "a-new-long-password-2026"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    rep.refresh_from_db()
    assert rep.check_password(new)
    assert not Token.objects.filter(key=old_token.key).exists()
    again = client.get(path, follow=True)
    assert not again.context["validlink"]
    assert "This link has already been used or has expired." in again.content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, rep, site):
    response = _ask(client, "nobody@example.fr")
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_one_link_an_hour_whoever_asks(client, rep, site):
    rep.email = "camille@example.fr"
    rep.save()
    for _ in range(5):
        assert _ask(client, "camille@example.fr").status_code == 302
    assert len(mail.outbox) == 1
    Profile.objects.filter(user=rep).update(password_reset_mailed_at=None)
    _ask(client, "camille@example.fr")
    assert len(mail.outbox) == 2


def test_the_login_page_links_to_the_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page


def test_a_rep_on_a_dpo_page_reads_why_in_the_layout(client, rep):
    log_in(client, rep)
    response = client.get(reverse("registry:register"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is not open to your role" in page
    assert f'href="{reverse("home")}"' in page
    assert 'class="top"' in page  # the product's header


def test_a_missing_page_says_what_may_have_happened(client, rep):
    log_in(client, rep)
    response = client.get("/prospects/999999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist" in page
    assert "erased" in page


def test_a_server_error_page_renders_without_a_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "/static/" in page
