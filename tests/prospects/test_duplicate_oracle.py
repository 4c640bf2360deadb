"""A curious colleague of another team learns only that a person is already recorded and whom to
ask, never the name or the id, and the look-up is logged: on the page, posted with its CSRF token
as a browser does, and on the API with a token. Names with control characters are refused."""

import json
import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from org.models import AccessAction, AccessLog
from prospects.models import Prospect
from tests import factories

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TEAM_ONLY = "Already recorded in the organisation, by the Export team: ask them."


@pytest.fixture
def theirs(db):
    colleague = factories.user(role="sales", username="export-rep", team=factories.team("Export"))
    return factories.prospect(by=colleague, first_name="Zoé", last_name="Secret", email="zoe@acme.fr")


def browser_of(user) -> tuple[Client, str]:
    browser = Client(enforce_csrf_checks=True)
    factories.log_in(browser, user)
    token = CSRF.search(browser.get("/prospects/new/").content.decode()).group(1)
    return browser, token


def form(token: str, **overrides) -> dict:
    evidence = {f"evidence_{k}": v for k, v in factories.EVIDENCE["business_card"].items()}
    return {
        "csrfmiddlewaretoken": token, "first_name": "Jean", "last_name": "Dupont", "company_name": "Acme",
        "email": "jean.dupont@acme.fr", "language": "fr", "source_type": "business_card", **evidence,
        **overrides,
    }  # fmt: skip


def test_the_page_names_the_team_only_and_logs_the_look_up(rep, theirs):
    browser, token = browser_of(rep)

    response = browser.post("/prospects/new/", form(token, email="ZOE@acme.fr"))

    page = response.content.decode()
    assert response.status_code == 400
    assert TEAM_ONLY in page
    assert "Secret" not in page and "Zoé" not in page
    assert f"#{theirs.pk}" not in page and f"/prospects/{theirs.pk}/" not in page
    assert AccessLog.objects.filter(
        user=rep, prospect_id=theirs.pk, action=AccessAction.DUPLICATE_CHECK
    ).exists()
    assert Prospect.objects.count() == 1


def test_the_api_with_a_token_names_the_team_only_and_logs_the_look_up(rep, theirs):
    browser, _token = browser_of(rep)
    page = browser.post("/accounts/token/", {"csrfmiddlewaretoken": _token})
    assert page.status_code == 200
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=rep).key}")
    body = {
        "first_name": "Jean", "last_name": "Dupont", "company": "Acme", "email": "zoe@acme.fr",
        "source": {"type": "business_card", **factories.EVIDENCE["business_card"]},
    }  # fmt: skip

    response = api.post("/api/prospects/", json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"email": [TEAM_ONLY]}
    assert "Secret" not in response.content.decode() and str(theirs.pk) not in response.content.decode()
    assert AccessLog.objects.filter(
        user=rep, prospect_id=theirs.pk, action=AccessAction.DUPLICATE_CHECK
    ).exists()


@pytest.mark.parametrize("name", ["Jean\tDupont", "Jean\u0007", "Jean\x1b[31m"])
def test_the_page_refuses_a_name_with_a_control_character_naming_the_field(rep, name):
    browser, token = browser_of(rep)

    response = browser.post("/prospects/new/", form(token, last_name=name))

    assert response.status_code == 400
    assert "control characters" in response.context["form"].errors["last_name"][0]
    assert not Prospect.objects.exists()
