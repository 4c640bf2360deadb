"""The API fuzzed from its own OpenAPI schema (issue 9): no server error, nothing off-schema.

Schemathesis generates valid (positive) and invalid (negative) requests for every
operation, as a sales rep, the DPO and an admin in turn, over a seeded world: prospects of
the rep's team and of another team, with a consent, an objection and an interaction, and
campaigns of both teams (decided, being worked, a draft). Half the positive cases of the
operations that create something carry a realistic body, so that creation is reached too.
tests/fuzz.py drives it; the tests after it replay, one request each, what it found.
"""

import pytest
from django.test import Client
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from consent.objections import record_objection
from outreach import decisions, sending
from outreach.models import Message
from prospects import pipeline, saved_views, timeline, webhooks
from prospects.listing import Filters
from prospects.models import Prospect
from tests import factories, fuzz

pytestmark = pytest.mark.slow

ROLES = ("sales", "dpo", "admin")
CHANNELS = ("email", "sms", "phone", "postal", "linkedin_msg")
# Cases per operation, role and generation mode; operations with little to vary (/api/me/)
# run out of distinct cases early, so the total is what is asserted.
EXAMPLES = 25
MINIMUM = 2000


def seed_world() -> tuple[dict[str, object], dict[str, list[int]], list[int]]:
    """The users of each role, the ids of the rows the fuzzed paths land on, and the messages
    of a phone campaign being worked, for the log of a manual contact.

    The rep's team (north) owns most rows; the stranger's team (south) owns one of each,
    which the rep must not reach and the DPO and the admin may.
    """
    north, south = factories.team("North"), factories.team("South")
    rep = factories.user(role="sales", username="rep", team=north)
    admin = factories.user(role="admin", username="admin")
    # An endpoint of the admin's (prospects/webhooks.py), registered first so that the objection
    # below gives it a delivery: its reads and its deliveries' land on a row.
    endpoint = webhooks.register(
        url="https://hooks.example.com/loyal", events=["objection.recorded"], by=admin
    )
    stranger = factories.user(role="sales", username="stranger", team=south)
    consenting = factories.prospect(by=rep, first_name="Claire", last_name="Martin")
    factories.consent(consenting, by=rep)
    objecting = factories.prospect(by=rep, first_name="Marc", last_name="Petit", phone="+33612345678")
    record_objection(objecting, channel="email", via="letter", by=rep)
    called = factories.prospect(
        by=rep, first_name="Anne", last_name="Roux", source_type="linkedin_connection", language="en"
    )
    timeline.record_interaction(called, type="call_inbound", summary="Asked for a demo", by=rep)
    elsewhere = factories.prospect(by=stranger, first_name="Paul", last_name="Blanc", company_name="Globex")
    decided = factories.campaign(by=rep, name="Decided")
    decisions.decide_campaign(decided)
    calls = factories.campaign(by=rep, name="Calls", channel="phone")
    sending.start_sending(calls, by=rep)
    draft = factories.campaign(by=rep, name="Draft", channel="postal")
    theirs = factories.campaign(by=stranger, name="Theirs")
    users = {
        "sales": rep,
        "dpo": factories.user(role="dpo", username="dpo"),
        "admin": admin,
    }
    steps = [factories.next_step(prospect, by=rep) for prospect in (consenting, called)]
    steps.append(factories.next_step(elsewhere, by=stranger, what="Their step"))
    ids = {
        "prospects": [consenting.pk, objecting.pk, called.pk, elsewhere.pk],
        "campaigns": [decided.pk, calls.pk, draft.pk, theirs.pk],
        "lists": [
            factories.prospect_list(by=rep, name="Fair", members=[consenting, called]).pk,
            factories.prospect_list(by=stranger, name="South").pk,
        ],
        "saved-views": [
            saved_views.save_view(name="Martins", filters=Filters(q="Martin"), by=rep).pk,
            saved_views.save_view(name="South", filters=Filters(), shared=True, by=stranger).pk,
        ],
        "next-steps": [step.pk for step in steps],
        "webhooks": [endpoint.pk],
    }
    # Current customers: a fuzzed objection to every channel keeps their record (docs/rules.md §2.1)
    # instead of reducing it to its hash, so that every role's reads still land on a row.
    Prospect.objects.filter(pk__in=ids["prospects"]).update(is_customer=True)
    # The admin's list of what customers buy, for the pipeline's reads to land on a row.
    pipeline.save_category(name="Software", similar_to=[pipeline.save_category(name="Training")])
    return users, ids, list(Message.objects.filter(campaign=calls).values_list("pk", flat=True))


def prospect_body(first: str, last: str, company: str, language: str, source_type: str) -> dict:
    """A person at a work address, with a complete source of the given type."""
    profile = {}
    if "profile_url" in factories.EVIDENCE[source_type]:
        profile = {"profile_url": f"https://www.linkedin.com/in/{first}-{last}-{company}".lower()}
    return {
        "first_name": first,
        "last_name": last,
        "company": company,
        "job_title": "Head of purchasing",
        "email": f"{first}.{last}@{company}.fr".lower(),
        "language": language,
        "source": {"type": source_type, **factories.EVIDENCE[source_type], **profile},
    }


def campaign_body(name: str, channel: str, kind: str) -> dict:
    from prospects.models import SavedView

    segment = SavedView.objects.filter(created_by__username="rep").values_list("pk", flat=True).first()
    fields = {"name": name, "purpose": "b2b_prospecting", "channel": channel, "kind": kind}
    fields["target_segment"] = segment
    return fields | factories.CAMPAIGN_TEXTS


def consent_body(channel: str, action: str) -> dict:
    body = {"purpose_code": "b2b_prospecting", "channel": channel, "action": action}
    if action == "withdraw":
        return {**body, "received_via": "phone"}
    proof = {"method": "signed_form", "wording": "I agree to offers from Acme.", "wording_version": "3"}
    return {**body, **proof, "evidence_ref": "Binder 2026, page 14"}


def realistic_bodies(messages: list[int], prospect_ids: list[int]) -> dict[str, st.SearchStrategy]:
    """Bodies that pass intake's rules, for half the positive cases of these operations."""
    return {
        "POST /api/prospects/": st.builds(
            prospect_body,
            st.sampled_from(["Jeanne", "Luc", "Omar", "Zoe", "Ines", "Hugo"]),
            st.sampled_from(["Moreau", "Girard", "Fontaine", "Leroy", "Bonnet", "Lambert", "Mercier"]),
            st.sampled_from(["Acme", "Globex", "Initech"]),
            st.sampled_from(["fr", "en"]),
            st.sampled_from(sorted(factories.EVIDENCE)),
        ),
        "POST /api/campaigns/": st.builds(
            campaign_body,
            st.sampled_from(["Spring offer", "Autumn fair"]),
            st.sampled_from(CHANNELS),
            st.sampled_from(["promotion", "consent_request"]),
        ),
        "POST /api/prospects/{prospect_pk}/consents/": st.builds(
            consent_body, st.sampled_from(CHANNELS), st.sampled_from(["grant", "withdraw"])
        ),
        "POST /api/next-steps/": st.fixed_dictionaries(
            {
                "prospect": st.sampled_from(prospect_ids),
                "what": st.sampled_from(["Call back", "Send the quote", "Invite to the fair"]),
                "due_at": st.sampled_from(["2027-01-15T09:30:00+01:00", "2026-12-24T16:00:00Z"]),
            }
        ),
        "POST /api/campaigns/{id}/log/": st.fixed_dictionaries(
            {"message": st.sampled_from(messages), "notice_given": st.booleans()}
        ),
    }


def test_two_thousand_fuzzed_requests_meet_no_server_error_and_keep_to_the_schema(db):
    users, ids, messages = seed_world()
    tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}

    with fuzz.wsgi_app() as app:
        schema = fuzz.load_schema(app, token=tokens["sales"])
        run = fuzz.Fuzzing(
            schema, ids=ids, examples=EXAMPLES, bodies=realistic_bodies(messages, ids["prospects"])
        )
        for role in ROLES:
            run.run(role=role, token=tokens[role])

    assert not run.findings, run.report()
    assert run.total >= MINIMUM, f"only {run.total} requests sent: {dict(run.sent)}"
    # Every read reached a real row as every role, but the register, which is the DPO's alone,
    # and the webhook endpoints, which are the admin's alone.
    reads = [f"GET {path}" for path, item in run.schema.raw_schema["paths"].items() if "get" in item]
    unread = [(role, read) for role in ROLES for read in reads if not run.succeeded(role, read)]
    hooks = [read for read in reads if read.startswith("GET /api/webhooks/")]
    assert len(hooks) == 3
    expected = [("sales", "GET /api/register/"), ("admin", "GET /api/register/")]
    expected += [(role, read) for role in ("sales", "dpo") for read in hooks]
    assert sorted(unread) == sorted(expected)


# What the fuzz found, one request each.


@pytest.fixture
def world(db) -> dict:
    rep = factories.user(role="sales", username="rep")
    return {
        "sales": rep,
        "dpo": factories.user(role="dpo", username="dpo"),
        "prospect": factories.prospect(by=rep),
        "campaign": factories.campaign(by=rep),
    }


def api_as(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


REFUSED = {
    "a number for a text": (
        "sales", "patch", "/api/campaigns/{campaign}/", {"subject_fr": 12},
        {"subject_fr": ["Not a valid string."]},
    ),
    "a decimal for an integer": (
        "sales", "get", "/api/prospects/?owner=0.0", None, {"owner": ["A valid integer is required."]}
    ),
    "an owner id beyond any user's": (
        "sales", "get", "/api/prospects/?owner=45719841921455333376", None,
        {"owner": ["Ensure this value is less than or equal to 2147483647."]},
    ),
    "a text longer than allowed before trimming": (
        "sales", "patch", "/api/prospects/{prospect}/", {"last_name": "\n" + "x" * 100},
        {"last_name": ["Ensure this field has no more than 100 characters."]},
    ),
    "a NUL character in a looked-up code": (
        "sales", "patch", "/api/campaigns/{campaign}/", {"purpose": "b2b\x00"},
        {"purpose": ["Null characters are not allowed."]},
    ),
    "a source on an update": (
        "sales", "patch", "/api/prospects/{prospect}/", {"source": {"type": "manual"}},
        {"source": ["The source is recorded when the prospect is logged; it cannot be changed."]},
    ),
    "an interaction before 1970": (
        "sales", "post", "/api/prospects/{prospect}/interactions/",
        {"type": "meeting", "occurred_at": "0063-12-30T21:25:59+15:40"},
        {"occurred_at": ["Enter a date from 1 January 1970 on."]},
    ),
    "a LinkedIn URL with an unclosed bracket": (
        "sales", "patch", "/api/prospects/{prospect}/", {"linkedin_url": "https://www.linkedin.com[/in/x"},
        {"linkedin_url": ["Enter the address of a LinkedIn profile, such as https://www.linkedin.com/in/jane-doe."]},
    ),
    "a NUL character in a source's evidence": (
        "sales", "post", "/api/prospects/",
        {"first_name": "Luc", "last_name": "Girard", "email": "luc.girard@globex.fr",
         "source": {"type": "manual", "description": "Met at\x00lunch"}},
        {"source": {"description": ["Null characters are not allowed."]}},
    ),
    "an unknown reason code": (
        "sales", "get", "/api/campaigns/{campaign}/preview/?reason=NOPE", None,
        {"reason": ['"NOPE" is not a valid choice.']},
    ),
    "an unknown register language": (
        "dpo", "get", "/api/register/?lang=de", None, {"lang": ['"de" is not a valid choice.']}
    ),
}  # fmt: skip


@pytest.mark.parametrize(("role", "method", "path", "body", "errors"), REFUSED.values(), ids=REFUSED.keys())
def test_bad_input_gets_a_400_naming_the_field_and_the_rule(world, role, method, path, body, errors):
    url = path.format(prospect=world["prospect"].pk, campaign=world["campaign"].pk)

    response = getattr(api_as(world[role]), method)(url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == errors


def test_a_form_body_is_refused_as_not_json(world):
    response = api_as(world["sales"]).post("/api/prospects/", {"first_name": "Luc", "last_name": "Girard"})

    assert response.status_code == 415


def test_an_api_url_that_matches_no_route_answers_a_json_404(world):
    api = api_as(world["sales"])

    response = api.get("/api/prospects/not-a-number/interactions/")
    page = api.get("/no-such-page/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
