"""Retention deadlines, legal holds and the owners' digest (docs/rules.md §2.1-2.2)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from prospects import retention
from prospects.intake import ProspectData, update_prospect
from prospects.models import InteractionType, Prospect
from prospects.tasks import send_retention_digest_task
from prospects.timeline import record_interaction
from tests import factories

TODAY = date(2026, 6, 15)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def collected_on(day: date, *, by, **fields) -> Prospect:
    fields.setdefault("source_type", "manual")  # evidence without a date that could be "in the future"
    with time_machine.travel(at(day), tick=False):
        return factories.prospect(by=by, **fields)


# --- The deadline ------------------------------------------------------------------------


def test_deadline_is_three_years_after_collection_without_contact():
    deadline = retention.deadline(collected_at=at(date(2023, 3, 1)), last_prospect_contact_at=None)

    assert deadline == date(2026, 3, 1)


def test_deadline_counts_from_the_later_voluntary_contact():
    deadline = retention.deadline(
        collected_at=at(date(2021, 1, 10)), last_prospect_contact_at=at(date(2024, 5, 2))
    )

    assert deadline == date(2027, 5, 2)


def test_customer_deadline_is_three_years_after_the_relationship_ends():
    deadline = retention.deadline(
        collected_at=at(date(2018, 1, 1)),
        last_prospect_contact_at=at(date(2019, 1, 1)),
        customer_relationship_ended_at=date(2025, 9, 30),
    )

    assert deadline == date(2028, 9, 30)


def test_durations_come_from_the_settings(settings):
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "prospect_years": 2, "customer_years": 5}

    prospect_end = retention.deadline(collected_at=at(date(2024, 1, 1)), last_prospect_contact_at=None)
    customer_end = retention.deadline(
        collected_at=at(date(2024, 1, 1)),
        last_prospect_contact_at=None,
        customer_relationship_ended_at=date(2024, 1, 1),
    )

    assert (prospect_end, customer_end) == (date(2026, 1, 1), date(2029, 1, 1))


def test_a_reply_restarts_the_clock(rep):
    prospect = collected_on(date(2022, 1, 1), by=rep)

    with time_machine.travel(at(date(2024, 6, 1)), tick=False):
        record_interaction(prospect, type=InteractionType.EMAIL_REPLY, by=rep)

    prospect.refresh_from_db()
    assert prospect.retention_until == date(2027, 6, 1)


@pytest.mark.parametrize(
    "kind",
    [
        InteractionType.EMAIL_OPEN,
        InteractionType.EMAIL_SENT,
        InteractionType.EMAIL_BOUNCE,
        InteractionType.AUTO_REPLY,
        InteractionType.ENRICHMENT,
        InteractionType.PROFILE_VIEW,
        InteractionType.LINKEDIN_CONNECTION_ACCEPTED,
    ],
)
def test_events_that_are_not_a_voluntary_contact_never_move_the_clock(rep, kind):
    """CALOGA (opens), KASPR (refresh and enrichment): Art. 5(1)(e)."""
    prospect = collected_on(date(2022, 1, 1), by=rep)

    with time_machine.travel(at(date(2024, 6, 1)), tick=False):
        record_interaction(prospect, type=kind, by=rep)

    prospect.refresh_from_db()
    assert prospect.retention_until == date(2025, 1, 1)


def test_an_edit_never_moves_the_clock(rep):
    prospect = collected_on(date(2022, 1, 1), by=rep)

    with time_machine.travel(at(date(2024, 6, 1)), tick=False):
        update_prospect(
            prospect,
            ProspectData(first_name="Jean", last_name="Dupont", job_title="CFO", email="jean.dupont@acme.fr"),
            by=rep,
        )

    prospect.refresh_from_db()
    assert (prospect.job_title, prospect.retention_until) == ("CFO", date(2025, 1, 1))


def test_a_re_import_of_the_same_person_is_refused_and_keeps_the_clock(rep):
    prospect = collected_on(date(2022, 1, 1), by=rep)

    with time_machine.travel(at(date(2024, 6, 1)), tick=False), pytest.raises(ValidationError):
        factories.prospect(by=rep, email="jean.dupont@acme.fr", source_type="broker")

    prospect.refresh_from_db()
    assert prospect.retention_until == date(2025, 1, 1)


def test_a_current_customer_is_never_expired(rep):
    prospect = collected_on(date(2019, 1, 1), by=rep)
    Prospect.objects.filter(pk=prospect.pk).update(is_customer=True)
    prospect.refresh_from_db()

    assert not retention.is_expired(prospect, today=TODAY)
    assert not Prospect.objects.filter(retention.expired(TODAY)).exists()


def test_a_former_customer_expires_with_the_customer_clock(rep):
    prospect = collected_on(date(2019, 1, 1), by=rep)
    Prospect.objects.filter(pk=prospect.pk).update(
        is_customer=True, customer_relationship_ended_at=date(2022, 1, 1), retention_until=date(2025, 1, 1)
    )
    prospect.refresh_from_db()

    assert retention.is_expired(prospect, today=TODAY)


# --- Legal holds -------------------------------------------------------------------------------


def test_a_legal_hold_is_recorded_with_who_and_when(rep, dpo):
    prospect = factories.prospect(by=rep)
    until = timezone.localdate() + timedelta(days=400)

    retention.place_legal_hold(prospect, until=until, reason="Pending claim before the labour court", by=dpo)

    prospect.refresh_from_db()
    latest = prospect.history.first()
    assert (prospect.legal_hold_until, prospect.legal_hold_placed_by) == (until, dpo)
    assert prospect.legal_hold_placed_at is not None
    assert (latest.history_user, latest.history_change_reason) == (dpo, "legal hold")


def test_a_legal_hold_never_moves_the_deadline(rep, dpo):
    prospect = factories.prospect(by=rep)
    deadline = prospect.retention_until

    retention.place_legal_hold(prospect, until=deadline + timedelta(days=900), reason="Litigation", by=dpo)

    prospect.refresh_from_db()
    assert prospect.retention_until == deadline


def test_a_legal_hold_needs_a_reason_and_a_future_end(rep, dpo):
    prospect = factories.prospect(by=rep)

    with pytest.raises(ValidationError) as error:
        retention.place_legal_hold(prospect, until=timezone.localdate(), reason="  ", by=dpo)

    assert set(error.value.message_dict) == {"until", "reason"}
    prospect.refresh_from_db()
    assert prospect.legal_hold_until is None


# --- Upcoming purges -----------------------------------------------------------------------------


def test_upcoming_purges_are_counted_week_by_week(rep):
    for offset, name in [(0, "A"), (3, "B"), (8, "C"), (29, "D"), (40, "E"), (-2, "F")]:
        _due_in(offset, by=rep, name=name)

    weeks = retention.upcoming_purges(today=TODAY, days=30)

    assert [week.count for week in weeks] == [2, 1, 0, 0, 1]
    assert (weeks[0].first, weeks[-1].last) == (TODAY, TODAY + timedelta(days=30))


# --- The owners' digest --------------------------------------------------------------------------


def _with_email(user, email: str) -> None:
    user.email = email
    user.save(update_fields=["email"])


def _due_in(days: int, *, by, name: str) -> Prospect:
    prospect = factories.prospect(by=by, last_name=name)
    Prospect.objects.filter(pk=prospect.pk).update(retention_until=TODAY + timedelta(days=days))
    return prospect


def test_digest_tells_each_owner_of_their_prospects_due_within_the_grace_window(rep, other_rep, mailoutbox):
    _with_email(rep, "rep@loyal.test")
    _with_email(other_rep, "rep2@loyal.test")
    _due_in(10, by=rep, name="Soon")
    _due_in(45, by=rep, name="Later")
    _due_in(29, by=other_rep, name="Other")

    sent = retention.send_retention_digest(today=TODAY)

    assert sent == 2
    bodies = {message.to[0]: message.body for message in mailoutbox}
    assert "Soon" in bodies["rep@loyal.test"] and "Later" not in bodies["rep@loyal.test"]
    assert "Other" in bodies["rep2@loyal.test"] and "Soon" not in bodies["rep2@loyal.test"]


def test_digest_says_what_would_keep_a_prospect(rep, mailoutbox):
    _with_email(rep, "rep@loyal.test")
    _due_in(5, by=rep, name="Soon")

    retention.send_retention_digest(today=TODAY)

    body = mailoutbox[0].body
    assert "a reply" in body
    assert "at most one re-permission message" in body and "consent_request" in body
    assert "/prospects/" in body


def test_digest_leaves_out_held_prospects_and_current_customers(rep, dpo, mailoutbox):
    _with_email(rep, "rep@loyal.test")
    held = _due_in(5, by=rep, name="Held")
    retention.place_legal_hold(
        held, until=timezone.localdate() + timedelta(days=3000), reason="Claim", by=dpo
    )
    customer = _due_in(5, by=rep, name="Customer")
    Prospect.objects.filter(pk=customer.pk).update(is_customer=True)

    sent = retention.send_retention_digest(today=TODAY)

    assert sent == 0 and mailoutbox == []


def test_digest_announces_each_deadline_once_and_again_when_it_moved(rep, mailoutbox):
    _with_email(rep, "rep@loyal.test")
    prospect = _due_in(10, by=rep, name="Soon")

    first = retention.send_retention_digest(today=TODAY)
    again = retention.send_retention_digest(today=TODAY + timedelta(days=1))
    Prospect.objects.filter(pk=prospect.pk).update(retention_until=TODAY + timedelta(days=20))
    moved = retention.send_retention_digest(today=TODAY + timedelta(days=2))

    assert (first, again, moved) == (1, 0, 1)


def test_digest_command_and_task_call_the_same_function(rep, mailoutbox, capsys):
    _with_email(rep, "rep@loyal.test")
    _due_in(10, by=rep, name="First")

    call_command("send_retention_digest", "--today", TODAY.isoformat())
    _due_in(12, by=rep, name="Second")
    with time_machine.travel(at(TODAY), tick=False):
        from_task = send_retention_digest_task.run()

    assert "sent to 1 owners" in capsys.readouterr().out
    assert from_task == 1
    assert ["First" in m.body and "Second" not in m.body for m in mailoutbox] == [True, False]
