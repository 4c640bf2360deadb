"""The soft opt-in through the public API alone: a customer logged, a campaign declaring its offer.

docs/rules.md §1.1 customer_similar: every condition of L34-5 al.4, each missing fact
refused with its own reason code, and the 3 years after the relationship ended.
"""

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from outreach.contactability import campaign_situation
from outreach.models import Campaign
from outreach.policy import Reason, decide
from prospects import pipeline
from prospects.models import Prospect, Stage, StageOutcome
from tests import factories
from tests.outreach.test_api import NEW

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(rep) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rep).key}")


@pytest.fixture
def offer(db):
    """What the admin's list holds: software, training declared similar to it, and hardware."""
    software = pipeline.save_category(name="Software")
    training = pipeline.save_category(name="Training", similar_to=[software])
    hardware = pipeline.save_category(name="Hardware")
    return {"software": software, "training": training, "hardware": hardware}


def a_customer(api, name: str, **customer) -> int:
    created = api.post(
        "/api/prospects/",
        {
            "first_name": name,
            "last_name": "Client",
            "email": f"{name.lower()}.client@gmail.com",
            "source": {"type": "customer_sale", "order_ref": "SO-1001", "date": "2021-03-01"},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    changed = api.patch(f"/api/prospects/{pk}/pipeline/", customer, content_type="application/json")
    assert changed.status_code == 200, changed.json()
    return pk


def ago(**delta) -> str:
    return (timezone.localdate() - relativedelta(**delta)).isoformat()


def customer_fields(category, *, ended: str, offered: bool = True) -> dict:
    fields = {
        "is_customer": True,
        "customer_since": ago(years=5),
        "customer_category": category.pk if category else None,
        "customer_opt_out_offered": offered,
        "customer_relationship_ended_at": ended,
    }
    if offered:
        fields |= {
            "customer_opt_out_offered_at": ago(years=5),
            "customer_opt_out_evidence": "Box on the order form",
        }
    return fields


def reasons_of(api, rep, offer_category) -> dict[int, tuple[str, str]]:
    body = {**NEW, "target_segment": factories.whole_base(by=rep).pk, "target_functions": []}
    body["offer_category"] = offer_category.pk if offer_category else None
    created = api.post("/api/campaigns/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    preview = api.get(f"/api/campaigns/{created.json()['id']}/preview/")
    assert preview.status_code == 200
    campaign = Campaign.objects.get(pk=created.json()["id"])
    for row in preview.json()["results"]:
        # The bulk decision agrees with the one-prospect path.
        single = decide(campaign_situation(campaign, Prospect.objects.get(pk=row["prospect"])))
        assert (row["decision"], row["reason"]) == (single.decision, single.reason)
    return {row["prospect"]: (row["decision"], row["reason"]) for row in preview.json()["results"]}


def test_a_similar_offer_to_a_customer_who_left_two_years_ago_is_allowed_by_soft_opt_in(api, rep, offer):
    bought_training = a_customer(api, "Ana", **customer_fields(offer["training"], ended=ago(years=2)))
    bought_software = a_customer(api, "Bea", **customer_fields(offer["software"], ended=ago(years=2)))

    reasons = reasons_of(api, rep, offer["software"])

    assert reasons[bought_training] == ("allow", Reason.OK_SOFT_OPTIN)
    assert reasons[bought_software] == ("allow", Reason.OK_SOFT_OPTIN)


def test_an_unrelated_category_or_three_years_and_a_day_are_refused_each_with_its_reason(api, rep, offer):
    unrelated = a_customer(api, "Carl", **customer_fields(offer["hardware"], ended=ago(years=2)))
    too_long = a_customer(api, "Dora", **customer_fields(offer["software"], ended=ago(years=3, days=1)))
    on_the_day = a_customer(api, "Eloi", **customer_fields(offer["software"], ended=ago(years=3)))

    reasons = reasons_of(api, rep, offer["software"])

    assert reasons[unrelated] == ("refuse", Reason.REF_SOFT_OPTIN_NOT_ANALOGOUS)
    assert reasons[too_long] == ("refuse", Reason.REF_SOFT_OPTIN_ENDED)
    assert reasons[on_the_day] == ("allow", Reason.OK_SOFT_OPTIN)


def test_each_fact_nobody_recorded_fails_closed_with_the_code_naming_it(api, rep, offer):
    no_sale_category = a_customer(api, "Fred", **customer_fields(None, ended=ago(years=1)))
    no_opt_out = a_customer(
        api, "Gina", **customer_fields(offer["software"], ended=ago(years=1), offered=False)
    )
    not_a_customer = a_customer(api, "Hugo")

    reasons = reasons_of(api, rep, offer["software"])
    without_offer = reasons_of(api, rep, None)

    assert reasons[no_sale_category] == ("refuse", Reason.REF_SOFT_OPTIN_NO_SALE_CATEGORY)
    assert reasons[no_opt_out] == ("refuse", Reason.REF_SOFT_OPTIN_NO_OPT_OUT)
    assert reasons[not_a_customer] == ("refuse", Reason.REF_B2C_NO_CONSENT)
    assert without_offer[no_opt_out] == ("refuse", Reason.REF_SOFT_OPTIN_NO_OFFER_CATEGORY)


def test_the_pipeline_endpoint_refuses_a_relationship_ending_before_the_sale(api, offer):
    pk = a_customer(api, "Ines")

    response = api.patch(
        f"/api/prospects/{pk}/pipeline/",
        {"is_customer": True, "customer_since": "2024-05-01", "customer_relationship_ended_at": "2024-04-30"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "customer_relationship_ended_at" in response.json()
    assert Prospect.objects.get(pk=pk).is_customer is False


def test_moving_to_won_through_the_api_needs_the_category_and_makes_a_customer(api, offer):
    pk = a_customer(api, "Jude")
    won = Stage.objects.get(outcome=StageOutcome.WON)

    refused = api.patch(f"/api/prospects/{pk}/pipeline/", {"stage": won.pk}, content_type="application/json")
    moved = api.patch(
        f"/api/prospects/{pk}/pipeline/",
        {"stage": won.pk, "customer_category": offer["software"].pk},
        content_type="application/json",
    )

    assert refused.status_code == 400
    assert "category" in refused.json()
    assert moved.status_code == 200
    body = moved.json()
    assert (body["stage"], body["is_customer"], body["customer_category"]) == (
        won.pk,
        True,
        offer["software"].pk,
    )
    assert body["customer_since"] == timezone.localdate().isoformat()
    assert [change["to_stage"] for change in body["stage_changes"]] == [won.pk]
