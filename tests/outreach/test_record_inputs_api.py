"""The inputs the corrected rules added (docs/rules.md §1.1-1.2), set through the public API
alone, and decided in bulk (the campaign preview) and one by one, agreeing with the table.

A company record naming no one, a sole trader's role address, a badge scan with and without
our own notice shown at the scan. The customer inputs are in test_soft_opt_in_api.py.
"""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from outreach.contactability import campaign_situation
from outreach.models import Campaign
from outreach.policy import Decision, Reason, decide
from prospects.models import Prospect
from tests import factories
from tests.outreach.test_api import NEW

pytestmark = pytest.mark.django_db
BADGE = {"type": "event", "event": "Salon des achats", "place": "Lyon", "date": "2026-03-02"}


@pytest.fixture
def api(rep) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rep).key}")


def logged(api, body: dict) -> int:
    created = api.post("/api/prospects/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    return created.json()["id"]


def decided(api, rep) -> dict[int, tuple[str, str]]:
    body = {**NEW, "target_segment": factories.whole_base(by=rep).pk}
    created = api.post("/api/campaigns/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    preview = api.get(f"/api/campaigns/{created.json()['id']}/preview/")
    assert preview.status_code == 200
    campaign = Campaign.objects.get(pk=created.json()["id"])
    rows = {row["prospect"]: (row["decision"], row["reason"]) for row in preview.json()["results"]}
    for pk, bulk in rows.items():
        single = decide(campaign_situation(campaign, Prospect.objects.get(pk=pk)))
        assert bulk == (single.decision, single.reason), pk
    return rows


def test_the_record_inputs_of_the_corrected_rules_decide_as_the_table_says(api, rep):
    company = logged(
        api,
        {
            "first_name": "",
            "last_name": "",
            "company_only": True,
            "company": "Acme",
            "email": "contact@acme.fr",
            "source": {"type": "broker", **factories.EVIDENCE["broker"]},
        },
    )
    sole_trader = logged(
        api,
        {
            "first_name": "Paul",
            "job_title": "Purchasing manager",
            "last_name": "Dupont",
            "company": "Dupont Plomberie",
            "sole_trader": True,
            "email": "contact@dupont-plomberie.fr",
            "source": {"type": "business_card", **factories.EVIDENCE["business_card"]},
        },
    )
    scanned = logged(
        api,
        {
            "first_name": "Lea",
            "job_title": "Purchasing manager",
            "last_name": "Martin",
            "email": "lea.martin@acme.fr",
            "source": BADGE,
        },
    )
    scanned_with_notice = logged(
        api,
        {
            "first_name": "Noe",
            "job_title": "Purchasing manager",
            "last_name": "Petit",
            "email": "noe.petit@acme.fr",
            "source": {**BADGE, "our_notice_shown": True},
        },
    )

    rows = decided(api, rep)

    # A company record names no one: outside the GDPR, the channel rule of a legal person.
    assert rows[company] == (Decision.ALLOW, Reason.OK_LEGAL_PERSON)
    # A sole trader's role address is theirs: nominative, and the person is owed a notice.
    assert Prospect.objects.get(pk=sole_trader).audience == "b2b_nominative"
    assert rows[sole_trader] == (Decision.ALLOW_WITH_NOTICE, Reason.NOTICE_ART13_LATE)
    # A badge scan is indirect unless our own notice was shown at the scan (GDPR 14(5)(a)).
    assert rows[scanned] == (Decision.ALLOW_WITH_NOTICE, Reason.NOTICE_ART14)
    assert rows[scanned_with_notice] == (Decision.ALLOW, Reason.OK_B2B_LI)
