"""The DPO's purge pages and legal holds (docs/rules.md §2.1): what is due, past runs, who may hold."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from prospects.models import Prospect
from prospects.purge import purge_expired
from tests import factories
from tests.prospects.purge_subjects import TODAY, collected_on


@pytest.fixture
def dpo_client(client, dpo):
    factories.log_in(client, dpo)
    return client


def test_the_dpo_sees_upcoming_purges_past_runs_and_a_chart(dpo_client, rep):
    collected_on(date(2020, 1, 1), by=rep, last_name="Old")
    soon = factories.prospect(by=rep, last_name="Soon", email="soon@acme.fr")
    Prospect.objects.filter(pk=soon.pk).update(retention_until=timezone.localdate() + timedelta(days=3))
    purge_expired(dry_run=True)

    response = dpo_client.get("/prospects/purges/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="due-now"' in html and "1 prospect is past its deadline" in html
    assert re.search(r"<tr><td>[^<]+</td><td>1</td></tr>", html)  # this week's count
    assert "<svg" in html and "<rect" in html and "dry run" in html
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)  # CSP


@pytest.mark.parametrize("role", ["sales", "admin"])
def test_only_the_dpo_reviews_purges(db, client, role):
    factories.log_in(client, factories.user(role=role, username=f"someone-{role}"))

    pages = [client.get("/prospects/purges/"), client.get("/prospects/purges/panel/")]

    assert [page.status_code for page in pages] == [403, 403]


def test_the_dpo_home_shows_the_purge_panel(dpo_client, rep):
    collected_on(date(2020, 1, 1), by=rep)
    purge_expired(today=TODAY)

    home = dpo_client.get("/").content.decode()
    panel = dpo_client.get("/prospects/purges/panel/", HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-get="/prospects/purges/panel/"' in home
    assert "1 prospect deleted" in panel and "Last run on" in panel


def test_the_dpo_places_a_legal_hold_from_the_prospect_page(dpo_client, dpo, rep):
    prospect = factories.prospect(by=rep)
    until = timezone.localdate() + timedelta(days=2000)

    response = dpo_client.post(
        f"/prospects/{prospect.pk}/legal-hold/",
        {"until": until.isoformat(), "reason": "Tax audit", "scope": "record"},
    )

    prospect.refresh_from_db()
    page = dpo_client.get(prospect.get_absolute_url()).content.decode()
    assert response.status_code == 302
    assert (prospect.legal_hold_until, prospect.legal_hold_reason, prospect.legal_hold_placed_by) == (
        until,
        "Tax audit",
        dpo,
    )
    assert "Kept under a legal hold until" in page and 'id="legal-hold"' in page


def test_a_rep_cannot_place_a_legal_hold(rep_client, rep):
    prospect = factories.prospect(by=rep)

    response = rep_client.post(
        f"/prospects/{prospect.pk}/legal-hold/", {"until": "2099-01-01", "reason": "x"}
    )
    page = rep_client.get(prospect.get_absolute_url()).content.decode()

    prospect.refresh_from_db()
    assert response.status_code == 403 and prospect.legal_hold_until is None
    assert "Purged on" in page and "Place a legal hold" not in page


def test_a_refused_legal_hold_comes_back_as_typed_with_the_error_at_its_field(dpo_client, rep):
    prospect = factories.prospect(by=rep)
    typed = {"until": "2020-01-01", "reason": "Claim before the tribunal", "scope": "exchanges"}

    response = dpo_client.post(f"/prospects/{prospect.pk}/legal-hold/", typed)

    page = response.content.decode()
    prospect.refresh_from_db()
    assert response.status_code == 400 and prospect.legal_hold_until is None
    assert 'value="Claim before the tribunal"' in page and 'value="exchanges" selected' in page
    assert 'id="hold-until_errors"' in page and "A legal hold must end in the future." in page
    assert "<details open>" in page and 'href="#hold-until"' in page
