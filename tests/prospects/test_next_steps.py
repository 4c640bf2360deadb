"""Next steps: adding, completing (with the interaction it was for), bulk, hand-over, erasure."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prospects import listing, next_steps, ownership, purge
from prospects.models import Interaction, NextStep, Prospect
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_step_is_owned_by_the_rep_who_adds_it_and_seen_by_their_team(rep, other_rep):
    prospect = factories.prospect(by=rep)
    outsider = factories.user(role="sales", username="south", team=factories.team("South"))

    step = factories.next_step(prospect, by=rep, what="  Send the quote  ")

    assert step.owner == rep and step.what == "Send the quote" and not step.is_done
    assert list(NextStep.objects.visible_to(other_rep)) == [step]
    assert not NextStep.objects.visible_to(outsider).exists()


def test_an_admin_adding_a_step_gives_it_to_the_prospects_owner(rep, admin_user):
    prospect = factories.prospect(by=rep)

    step = factories.next_step(prospect, by=admin_user)

    assert step.owner == rep


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"what": "   "}, "what"),
        ({"what": "x" * 301}, "what"),
        ({"what": "Ask about his cancer treatment"}, "what"),
        ({"due_at": None}, "due_at"),
    ],
)
def test_a_step_without_text_or_date_or_with_sensitive_text_is_refused_naming_the_field(rep, fields, field):
    prospect = factories.prospect(by=rep)
    values = {"what": "Call back", "due_at": timezone.now(), **fields}

    with pytest.raises(ValidationError) as refused:
        next_steps.add_next_step(prospect, by=rep, **values)

    assert field in refused.value.message_dict
    assert not NextStep.objects.exists()


def test_a_step_cannot_be_given_to_a_rep_of_another_team(rep, admin_user):
    prospect = factories.prospect(by=rep)
    outsider = factories.user(role="sales", username="south", team=factories.team("South"))

    with pytest.raises(ValidationError) as refused:
        factories.next_step(prospect, by=admin_user, owner=outsider)

    assert "owner" in refused.value.message_dict


def test_completing_a_step_alone_logs_nothing_and_keeps_the_retention_deadline(rep):
    prospect = factories.prospect(by=rep)
    before = prospect.retention_until
    step = factories.next_step(prospect, by=rep)

    done = next_steps.complete_next_step(step, by=rep)

    prospect.refresh_from_db()
    assert done.done_by == rep and done.done_at is not None and done.interaction is None
    assert not Interaction.objects.exists()
    assert prospect.retention_until == before and prospect.last_prospect_contact_at is None


def test_completing_a_step_with_a_meeting_logs_it_and_the_meeting_moves_retention(rep):
    prospect = factories.prospect(by=rep)
    Prospect.objects.filter(pk=prospect.pk).update(collected_at=timezone.now() - timedelta(days=400))
    prospect.refresh_from_db()
    step = factories.next_step(prospect, by=rep)

    done = next_steps.complete_next_step(step, by=rep, interaction_type="meeting", summary="Demo held")

    prospect.refresh_from_db()
    assert done.interaction.type == "meeting" and done.interaction.summary == "Demo held"
    assert prospect.last_prospect_contact_at == done.interaction.occurred_at


def test_completing_a_step_with_our_own_call_logs_it_without_moving_retention(rep):
    prospect = factories.prospect(by=rep)
    before = prospect.retention_until
    step = factories.next_step(prospect, by=rep)

    done = next_steps.complete_next_step(step, by=rep, interaction_type="call_outbound")

    prospect.refresh_from_db()
    assert done.interaction.is_voluntary_prospect_contact is False
    assert prospect.retention_until == before and prospect.last_prospect_contact_at is None


def test_a_refused_interaction_leaves_the_step_open_and_logs_nothing(rep):
    step = factories.next_step(factories.prospect(by=rep), by=rep)
    future = timezone.now() + timedelta(days=2)

    with pytest.raises(ValidationError) as refused:
        next_steps.complete_next_step(step, by=rep, interaction_type="meeting", occurred_at=future)

    step.refresh_from_db()
    assert "occurred_at" in refused.value.message_dict
    assert not step.is_done and not Interaction.objects.exists()


def test_a_step_is_done_once(rep):
    step = factories.next_step(factories.prospect(by=rep), by=rep)
    next_steps.complete_next_step(step, by=rep)

    with pytest.raises(ValidationError) as refused:
        next_steps.complete_next_step(step, by=rep, interaction_type="meeting")

    assert "done_at" in refused.value.message_dict
    assert not Interaction.objects.exists()


def test_a_done_step_can_no_longer_be_changed(rep):
    step = factories.next_step(factories.prospect(by=rep), by=rep)
    next_steps.complete_next_step(step, by=rep)

    with pytest.raises(ValidationError):
        next_steps.update_next_step(step, what="Something else", by=rep)

    step.refresh_from_db()
    assert step.what == "Call back about the quote"


def test_the_bulk_step_goes_to_every_selected_prospect_in_constant_queries(rep, other_rep):
    factories.many_prospects(by=rep, count=30)
    factories.prospect(by=other_rep, first_name="Theo", email="theo@acme.fr")
    rows = listing.selected(Prospect.objects.visible_to(rep), filters=listing.Filters(), ids=None)
    due = timezone.now() + timedelta(days=1)

    with CaptureQueriesContext(connection) as queries:
        added = next_steps.add_next_steps(rows, what="Invite to the fair", due_at=due, by=rep)

    assert added == 31 == NextStep.objects.filter(what="Invite to the fair").count()
    assert NextStep.objects.filter(owner=other_rep).count() == 1  # each prospect's own owner
    assert len(queries) <= 3


def test_a_bulk_step_for_a_named_owner_skips_prospects_of_other_teams(rep, admin_user):
    outsider = factories.user(role="sales", username="south", team=factories.team("South"))
    factories.prospect(by=rep)
    factories.prospect(by=outsider, first_name="Sud", email="sud@acme.fr")
    due = timezone.now() + timedelta(days=1)

    added = next_steps.add_next_steps(
        Prospect.objects.all(), what="Call", due_at=due, owner=rep, by=admin_user
    )

    assert added == 1 and NextStep.objects.get().prospect.owner == rep


def test_a_bulk_step_with_sensitive_text_adds_nothing(rep):
    factories.prospect(by=rep)

    with pytest.raises(ValidationError):
        next_steps.add_next_steps(
            Prospect.objects.all(), what="Ask about his union membership", due_at=timezone.now(), by=rep
        )

    assert not NextStep.objects.exists()


def test_a_departing_reps_open_steps_go_to_the_successor_and_done_ones_stay(rep, other_rep, admin_user):
    prospect = factories.prospect(by=rep)
    colleague_prospect = factories.prospect(by=other_rep, first_name="Eve", email="eve@acme.fr")
    open_step = factories.next_step(prospect, by=rep)
    on_colleague = factories.next_step(colleague_prospect, by=rep, owner=rep)
    done_step = factories.next_step(prospect, by=rep, what="Sent the brochure")
    next_steps.complete_next_step(done_step, by=rep)

    ownership.deactivate_rep(rep, successor=other_rep, by=admin_user)

    assert {s.owner for s in NextStep.objects.filter(pk__in=[open_step.pk, on_colleague.pk])} == {other_rep}
    done_step.refresh_from_db()
    assert done_step.owner == rep and done_step.done_by == rep


def test_a_failed_hand_over_moves_no_step(rep, admin_user):
    step = factories.next_step(factories.prospect(by=rep), by=rep)

    with pytest.raises(ValidationError):
        ownership.deactivate_rep(rep, successor=rep, by=admin_user)

    step.refresh_from_db()
    assert step.owner == rep


def test_steps_go_with_their_prospect_when_it_is_erased(rep, admin_user):
    prospect = factories.prospect(by=rep)
    step = factories.next_step(prospect, by=rep)
    next_steps.complete_next_step(factories.next_step(prospect, by=rep), by=rep, interaction_type="meeting")
    kept = factories.next_step(factories.prospect(by=rep, first_name="Ana", email="ana@acme.fr"), by=rep)

    purge.erase_prospects([prospect.pk], by=admin_user)

    assert not NextStep.objects.filter(prospect_id=prospect.pk).exists()
    assert not NextStep.objects.filter(pk=step.pk).exists()
    assert NextStep.objects.filter(pk=kept.pk).exists()


def test_a_due_time_typed_without_offset_is_the_organisations_time(rep, settings):
    settings.TIME_ZONE = "Europe/Paris"
    prospect = factories.prospect(by=rep)

    with timezone.override("Europe/Paris"):
        step = next_steps.add_next_step(prospect, what="Call", due_at=datetime(2026, 7, 1, 9, 30), by=rep)

    assert step.due_at == datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
