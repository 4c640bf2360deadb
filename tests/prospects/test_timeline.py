"""Interactions and notes: only the prospect's own voluntary contact moves retention (docs/rules.md §2.2)."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from prospects.models import Interaction, Note, Prospect
from prospects.timeline import add_note, record_interaction


def three_years_after(moment) -> date:
    return timezone.localdate(moment) + relativedelta(years=3)


def test_new_prospect_is_kept_three_years_from_collection(met_last_spring):
    deadline = Prospect.objects.get(pk=met_last_spring.pk).retention_until

    assert deadline == three_years_after(met_last_spring.collected_at)


@pytest.mark.parametrize("kind", ["email_open", "email_sent", "email_bounce", "auto_reply", "profile_view"])
def test_open_send_bounce_or_view_does_not_move_the_retention_deadline(met_last_spring, rep, kind):
    deadline = met_last_spring.retention_until

    interaction = record_interaction(met_last_spring, type=kind, by=rep)

    met_last_spring.refresh_from_db()
    assert met_last_spring.retention_until == deadline
    assert met_last_spring.last_prospect_contact_at is None
    assert interaction.is_voluntary_prospect_contact is False


def test_linkedin_connection_acceptance_does_not_move_the_deadline_by_default(met_last_spring, rep):
    deadline = met_last_spring.retention_until

    record_interaction(met_last_spring, type="linkedin_connection_accepted", by=rep)

    met_last_spring.refresh_from_db()
    assert met_last_spring.retention_until == deadline


@pytest.mark.parametrize("kind", ["email_reply", "email_click", "call_inbound", "meeting", "demo_request"])
def test_reply_or_other_voluntary_contact_restarts_the_three_years(met_last_spring, rep, kind):
    now = timezone.now()

    interaction = record_interaction(met_last_spring, type=kind, occurred_at=now, by=rep)

    met_last_spring.refresh_from_db()
    assert met_last_spring.retention_until == three_years_after(now)
    assert met_last_spring.last_prospect_contact_at == now
    assert (interaction.direction, interaction.is_voluntary_prospect_contact) == ("inbound", True)


def test_moved_deadline_is_kept_in_the_history_with_its_reason(met_last_spring, rep):
    record_interaction(met_last_spring, type="email_reply", by=rep)

    latest = met_last_spring.history.latest()
    assert latest.history_change_reason == "voluntary contact"
    assert latest.retention_until == three_years_after(timezone.now())


def test_older_reply_recorded_late_does_not_shorten_the_deadline(met_last_spring, rep):
    record_interaction(met_last_spring, type="email_reply", by=rep)
    deadline = Prospect.objects.get(pk=met_last_spring.pk).retention_until

    record_interaction(
        met_last_spring, type="email_reply", occurred_at=timezone.now() - timedelta(days=100), by=rep
    )

    assert Prospect.objects.get(pk=met_last_spring.pk).retention_until == deadline


def test_interaction_in_the_future_is_refused(met_last_spring, rep):
    with pytest.raises(ValidationError) as refused:
        record_interaction(
            met_last_spring, type="email_reply", occurred_at=timezone.now() + timedelta(days=1), by=rep
        )

    assert list(refused.value.message_dict) == ["occurred_at"]
    assert not Interaction.objects.exists()


def test_unknown_interaction_type_is_refused(met_last_spring, rep):
    with pytest.raises(ValidationError) as refused:
        record_interaction(met_last_spring, type="telepathy", by=rep)

    assert list(refused.value.message_dict) == ["type"]


def test_interaction_summary_with_health_data_is_refused(met_last_spring, rep):
    deadline = met_last_spring.retention_until

    with pytest.raises(ValidationError) as refused:
        record_interaction(met_last_spring, type="email_reply", summary="Says he has cancer.", by=rep)

    assert list(refused.value.message_dict) == ["summary"]
    assert not Interaction.objects.exists()
    assert Prospect.objects.get(pk=met_last_spring.pk).retention_until == deadline


# --- Notes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Enceinte, en congé maternité jusqu'en mars.", "health data"),
        ("Depression since the merger, call later.", "health data"),
        ("Quel connard, il ne rappelle jamais.", "insulting"),
        ("Stupid questions, complete moron.", "insulting"),
    ],
)
def test_note_with_health_data_or_an_insult_is_refused(met_last_spring, rep, text, category):
    with pytest.raises(ValidationError) as refused:
        add_note(met_last_spring, text=text, by=rep)

    assert category in refused.value.message_dict["text"][0]
    assert not Note.objects.exists()
    assert not Note.history.exists()


def test_factual_note_is_stored_and_its_history_kept(met_last_spring, rep):
    note = add_note(met_last_spring, text="  Budget approved for Q3; call back in March.  ", by=rep)

    stored = Note.objects.get(pk=note.pk)
    assert (stored.text, stored.author) == ("Budget approved for Q3; call back in March.", rep)
    version = stored.history.get()
    assert (version.history_type, version.text, version.history_user) == ("+", stored.text, rep)


def test_empty_note_is_refused(met_last_spring, rep):
    with pytest.raises(ValidationError) as refused:
        add_note(met_last_spring, text="   ", by=rep)

    assert list(refused.value.message_dict) == ["text"]


def test_note_does_not_move_the_retention_deadline(met_last_spring, rep):
    deadline = met_last_spring.retention_until

    add_note(met_last_spring, text="Called him, no answer.", by=rep)

    assert Prospect.objects.get(pk=met_last_spring.pk).retention_until == deadline
