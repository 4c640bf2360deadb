"""The pages of next steps: the prospect page's form, "done" with what happened, the bulk action."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prospects.models import Interaction, NextStep
from tests import factories

pytestmark = pytest.mark.django_db


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_rep_adds_a_step_on_the_prospect_page_and_sees_it_there(rep_client, rep):
    prospect = factories.prospect(by=rep)
    due = timezone.now() + timedelta(days=1)

    response = rep_client.post(
        f"/prospects/{prospect.pk}/next-steps/", {"what": "Send the quote", "due_at": local(due)}
    )

    page = rep_client.get(f"/prospects/{prospect.pk}/").content.decode()
    step = NextStep.objects.get()
    assert response.status_code == 302 and step.owner == rep and step.what == "Send the quote"
    assert "Send the quote" in page and f'action="/prospects/next-steps/{step.pk}/done/"' in page


def test_a_step_refused_by_the_screening_says_why_and_names_the_field(rep_client, rep):
    prospect = factories.prospect(by=rep)

    response = rep_client.post(
        f"/prospects/{prospect.pk}/next-steps/",
        {"what": "Ask about his depression", "due_at": local(timezone.now())},
        follow=True,
    )

    assert not NextStep.objects.exists()
    assert "Next step:" in response.content.decode()


def test_done_with_what_happened_logs_the_interaction_and_goes_back_home(rep_client, rep):
    prospect = factories.prospect(by=rep)
    step = factories.next_step(prospect, by=rep, what="Call back")

    response = rep_client.post(
        f"/prospects/next-steps/{step.pk}/done/",
        {"interaction_type": "call_outbound", "summary": "Voicemail", "next": "/"},
    )

    step.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == "/"
    assert step.is_done and step.interaction == Interaction.objects.get(type="call_outbound")


def test_done_never_redirects_off_site(rep_client, rep):
    step = factories.next_step(factories.prospect(by=rep), by=rep)

    response = rep_client.post(f"/prospects/next-steps/{step.pk}/done/", {"next": "https://evil.example/"})

    assert response["Location"] == f"/prospects/{step.prospect_id}/"


def test_the_home_page_shows_the_day_and_a_step_due_today(rep_client, rep):
    prospect = factories.prospect(by=rep, first_name="Zoe")
    factories.next_step(prospect, by=rep, what="Call Zoe", due_at=timezone.now())
    factories.next_step(prospect, by=rep, what="Send the contract", due_at=timezone.now() + timedelta(days=3))
    factories.next_step(prospect, by=rep, what="Way later", due_at=timezone.now() + timedelta(days=30))

    page = rep_client.get("/").content.decode()

    today, week = page.split('id="steps-today"')[1], page.split('id="steps-week"')[1]
    assert "Call Zoe" in today.split("</ul>")[0]
    assert "Send the contract" in week.split("</ul>")[0]
    assert "Way later" not in page


def test_the_bulk_action_asks_how_many_then_adds_a_step_to_each(rep_client, rep):
    factories.many_prospects(by=rep, count=12)
    factories.prospect(by=rep, first_name="Ines", source_type="inbound")
    due = local(timezone.now() + timedelta(days=2))
    query = {
        "source_type": "business_card", "action": "add_next_step", "scope": "all",
        "step_what": "Invite to the fair", "step_due_at": due,
    }  # fmt: skip

    page = rep_client.get("/prospects/bulk/", query).content.decode()
    rep_client.post("/prospects/bulk/", query)

    assert "Add the next step “Invite to the fair”" in page and "to 12 prospects?" in page
    assert NextStep.objects.filter(what="Invite to the fair").count() == 12
    assert not NextStep.objects.filter(prospect__first_name="Ines").exists()


def test_the_bulk_step_without_text_or_date_is_refused_naming_them(rep_client, rep):
    factories.prospect(by=rep)

    response = rep_client.get("/prospects/bulk/", {"action": "add_next_step", "scope": "all"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Say what the next step is." in html and "Give the date and time the step is due." in html


def test_a_rep_changes_what_when_and_who_of_a_step_and_goes_back(rep_client, rep):
    colleague = factories.user(role="sales", username="colleague")
    step = factories.next_step(factories.prospect(by=rep), by=rep, what="Call back")
    due = timezone.now() + timedelta(days=3)

    before = local(step.due_at)
    form = rep_client.get(f"/prospects/next-steps/{step.pk}/edit/?next=/").content.decode()
    response = rep_client.post(
        f"/prospects/next-steps/{step.pk}/edit/",
        {"what": "Send the quote", "due_at": local(due), "owner": colleague.pk, "next": "/"},
    )

    step.refresh_from_db()
    assert 'value="Call back"' in form and f'value="{before}"' in form
    assert response.status_code == 302 and response["Location"] == "/"
    assert (step.what, local(step.due_at), step.owner) == ("Send the quote", local(due), colleague)


def test_a_refused_change_keeps_what_was_typed_and_names_the_field(rep_client, rep):
    step = factories.next_step(factories.prospect(by=rep), by=rep, what="Call back")

    response = rep_client.post(
        f"/prospects/next-steps/{step.pk}/edit/", {"what": "Send the quote", "due_at": "", "owner": rep.pk}
    )

    page = response.content.decode()
    step.refresh_from_db()
    assert response.status_code == 400 and step.what == "Call back"
    assert 'value="Send the quote"' in page and 'id="id_due_at_errors"' in page


def test_a_done_step_cannot_be_changed(rep_client, rep):
    step = factories.next_step(factories.prospect(by=rep), by=rep, what="Call back")
    rep_client.post(f"/prospects/next-steps/{step.pk}/done/", {})

    response = rep_client.post(
        f"/prospects/next-steps/{step.pk}/edit/",
        {"what": "Send the quote", "due_at": local(timezone.now()), "owner": rep.pk},
    )

    step.refresh_from_db()
    assert response.status_code == 302 and step.what == "Call back"


def test_the_step_owner_is_a_rep_of_the_prospect_team(rep_client, rep):
    outsider = factories.user(role="sales", username="outsider", team=factories.team("South"))
    step = factories.next_step(factories.prospect(by=rep), by=rep)

    response = rep_client.post(
        f"/prospects/next-steps/{step.pk}/edit/",
        {"what": "Call back", "due_at": local(timezone.now()), "owner": outsider.pk},
    )

    step.refresh_from_db()
    assert response.status_code == 400 and step.owner == rep


def test_a_refused_step_comes_back_on_the_prospect_page_as_typed_with_the_error_at_its_field(rep_client, rep):
    prospect = factories.prospect(by=rep)
    due = timezone.now() + timedelta(days=1)

    response = rep_client.post(f"/prospects/{prospect.pk}/next-steps/", {"what": "", "due_at": local(due)})

    page = response.content.decode()
    assert response.status_code == 400 and not NextStep.objects.exists()
    assert f'value="{local(due)}"' in page and 'id="id_what_errors"' in page
    assert 'href="#id_what"' in page and 'id="next-step-form"' in page
