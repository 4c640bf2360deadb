"""The next steps API: team-scoped like the prospects, the domain's rules, typed in the schema."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from prospects.models import Interaction, NextStep
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(rep):
    return factories.log_in(Client(), rep)


def soon(hours: int = 2) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


def test_a_rep_lists_their_teams_open_steps_soonest_first(api, rep, other_rep):
    prospect = factories.prospect(by=rep)
    later = factories.next_step(prospect, by=rep, due_at=timezone.now() + timedelta(days=2))
    sooner = factories.next_step(prospect, by=other_rep, what="Theirs")
    done = factories.next_step(prospect, by=rep, what="Done already")
    api.post(f"/api/next-steps/{done.pk}/complete/", {}, content_type="application/json")
    south = factories.user(role="sales", username="south", team=factories.team("South"))
    factories.next_step(factories.prospect(by=south, first_name="Sud", email="sud@acme.fr"), by=south)

    listed = api.get("/api/next-steps/").json()
    finished = api.get("/api/next-steps/?status=done").json()

    assert [row["id"] for row in listed["results"]] == [sooner.pk, later.pk]
    assert listed["results"][0]["owner"] == "rep2" and listed["results"][0]["created_by"] == "rep2"
    assert [row["id"] for row in finished["results"]] == [done.pk]
    assert finished["results"][0]["done_by"] == "rep"


def test_a_rep_adds_a_step_to_a_team_prospect(api, rep):
    prospect = factories.prospect(by=rep)

    response = api.post(
        "/api/next-steps/", {"prospect": prospect.pk, "what": "Send the quote", "due_at": soon()},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    step = NextStep.objects.get()
    assert response.json()["id"] == step.pk and step.owner == rep and step.what == "Send the quote"


def test_another_teams_prospect_reads_as_one_that_does_not_exist(api):
    south = factories.user(role="sales", username="south", team=factories.team("South"))
    theirs = factories.prospect(by=south, first_name="Sud", email="sud@acme.fr")
    step = factories.next_step(theirs, by=south)

    created = api.post(
        "/api/next-steps/", {"prospect": theirs.pk, "what": "Call", "due_at": soon()},
        content_type="application/json",
    )  # fmt: skip
    read = api.get(f"/api/next-steps/{step.pk}/")
    completed = api.post(f"/api/next-steps/{step.pk}/complete/", {}, content_type="application/json")

    assert created.status_code == 400 and "prospect" in created.json()
    assert read.status_code == 404 and completed.status_code == 404
    step.refresh_from_db()
    assert not step.is_done


def test_bad_input_is_a_400_naming_the_field(api, rep):
    prospect = factories.prospect(by=rep)
    cases = [
        ({"prospect": prospect.pk, "what": "", "due_at": soon()}, "what"),
        ({"prospect": prospect.pk, "what": 12, "due_at": soon()}, "what"),
        ({"prospect": prospect.pk, "what": "Ask about her pregnancy", "due_at": soon()}, "what"),
        ({"prospect": prospect.pk, "what": "Call", "due_at": "tomorrow"}, "due_at"),
        ({"prospect": prospect.pk, "what": "Call", "due_at": soon(), "owner": "nobody"}, "owner"),
    ]

    answers = [api.post("/api/next-steps/", body, content_type="application/json") for body, _f in cases]

    assert [
        (answer.status_code, field in answer.json())
        for answer, (_b, field) in zip(answers, cases, strict=True)
    ] == [(400, True)] * len(cases)
    assert not NextStep.objects.exists()


def test_a_step_is_moved_and_completed_with_the_interaction_it_was_for(api, rep, other_rep):
    prospect = factories.prospect(by=rep)
    step = factories.next_step(prospect, by=rep)

    moved = api.patch(
        f"/api/next-steps/{step.pk}/", {"due_at": soon(5), "owner": "rep2"}, content_type="application/json"
    )
    done = api.post(
        f"/api/next-steps/{step.pk}/complete/",
        {"interaction_type": "call_inbound", "summary": "Called back"},
        content_type="application/json",
    )
    again = api.post(f"/api/next-steps/{step.pk}/complete/", {}, content_type="application/json")

    assert moved.status_code == 200 and moved.json()["owner"] == "rep2"
    assert done.status_code == 200 and done.json()["done_by"] == "rep"
    interaction = Interaction.objects.get()
    assert done.json()["interaction"] == interaction.pk and interaction.summary == "Called back"
    prospect.refresh_from_db()
    assert prospect.last_prospect_contact_at == interaction.occurred_at
    assert again.status_code == 409 and again.json() == {"detail": "This step is already done."}


def test_the_dpo_reads_steps_and_writes_none(dpo, rep):
    step = factories.next_step(factories.prospect(by=rep), by=rep)
    client = factories.log_in(Client(), dpo)

    listed = client.get("/api/next-steps/")
    completed = client.post(f"/api/next-steps/{step.pk}/complete/", {}, content_type="application/json")

    assert [row["id"] for row in listed.json()["results"]] == [step.pk]
    assert completed.status_code == 403


def test_the_schema_types_next_steps(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    fields = schema["components"]["schemas"]["NextStep"]["properties"]
    paths = schema["paths"]

    assert fields["due_at"]["format"] == "date-time" and fields["what"]["maxLength"] == 300
    assert fields["done_at"]["readOnly"] and fields["interaction"]["nullable"]
    assert {"get", "post"} <= set(paths["/api/next-steps/"])
    assert {"get", "put", "patch"} <= set(paths["/api/next-steps/{id}/"])
    assert "post" in paths["/api/next-steps/{id}/complete/"]
    assert "interaction_type" in schema["components"]["schemas"]["CompletionRequest"]["properties"]
