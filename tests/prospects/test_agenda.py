"""A rep's day (home page and daily e-mail): steps by local day, Art. 14 notices, one digest a day."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from consent.objections import record_objection
from crm.celery import app as celery_app
from org.models import Profile
from prospects import agenda, next_steps, ownership
from prospects.models import Prospect
from prospects.tasks import send_day_digests_task
from tests import factories

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# 23:30 in Paris on 1 December: in UTC still the same day, and half an hour of it left in Paris.
NOW = datetime(2026, 12, 1, 22, 30, tzinfo=ZoneInfo("UTC"))


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def at_paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        yield


def test_the_day_sorts_open_steps_by_the_organisations_calendar_day(rep, other_rep, paris):
    prospect = factories.prospect(by=rep)
    late = factories.next_step(prospect, by=rep, what="late", due_at=at_paris(1, 0, 30) - timedelta(hours=1))
    tonight = factories.next_step(prospect, by=rep, what="tonight", due_at=at_paris(1, 23, 45))
    tomorrow = factories.next_step(prospect, by=rep, what="tomorrow", due_at=at_paris(2, 0, 15))
    in_a_week = factories.next_step(prospect, by=rep, what="week", due_at=at_paris(8, 23, 0))
    factories.next_step(prospect, by=rep, what="later", due_at=at_paris(9, 0, 30))
    factories.next_step(prospect, by=rep, what="theirs", due_at=at_paris(1, 12), owner=other_rep)
    done = factories.next_step(prospect, by=rep, what="done", due_at=at_paris(1, 9))
    next_steps.complete_next_step(done, by=rep)

    day = agenda.day_of(rep, now=NOW)

    assert day.today == datetime(2026, 12, 1).date()
    assert day.overdue == [late]
    assert day.due_today == [tonight]
    assert day.this_week == [tomorrow, in_a_week]


def test_notices_due_are_the_reps_indirect_prospects_without_an_address_the_job_can_use(rep, paris):
    acquired = NOW - timedelta(days=25)
    with time_machine.travel(acquired, tick=False):
        linkedin = {"linkedin_url": "https://www.linkedin.com/in/ana-lopez", "email": ""}
        no_email = factories.prospect(
            by=rep, first_name="Ana", source_type="linkedin_connection",
            evidence={"profile_url": linkedin["linkedin_url"]}, **linkedin,
        )  # fmt: skip
        objected = factories.prospect(by=rep, first_name="Bea", email="bea@acme.fr", source_type="broker")
        mailable = factories.prospect(by=rep, first_name="Cy", email="cy@acme.fr", source_type="broker")
        factories.prospect(by=rep, first_name="Dan", email="", phone="+33612345678")  # a business card
    with time_machine.travel(NOW - timedelta(days=5), tick=False):
        recent = factories.prospect(
            by=rep, first_name="Eli", email="", phone="+33612345679", source_type="broker"
        )
    record_objection(objected, channel="email", via="letter", by=rep)

    due = agenda.notices_due(rep, now=NOW)

    assert [source.prospect for source in due] == [no_email, objected]
    assert due[0].due_at == acquired + timedelta(days=30)
    assert mailable not in [source.prospect for source in due] and recent not in due


def opt_in(user, *, email: str) -> None:
    user.email = email
    user.save(update_fields=["email"])
    Profile.objects.filter(user=user).update(day_digest=True)


def test_the_digest_goes_once_a_day_to_each_opted_in_rep_with_something_on_their_day(rep, other_rep, paris):
    opt_in(rep, email="rep@loyal.example")
    opt_in(other_rep, email="rep2@loyal.example")  # nothing on their day
    silent = factories.user(role="sales", username="quiet")
    prospect = factories.prospect(by=rep, first_name="Zoe")
    factories.next_step(prospect, by=rep, what="Call Zoe", due_at=at_paris(1, 16))
    factories.next_step(prospect, by=silent, what="Their step", due_at=at_paris(1, 16), owner=silent)

    first = agenda.send_day_digests(now=NOW)
    again = agenda.send_day_digests(now=NOW + timedelta(minutes=20))

    assert (first, again) == (1, 0)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rep@loyal.example"]
    assert "Call Zoe" in mail.outbox[0].body and "16:00" in mail.outbox[0].body
    assert f"/prospects/{prospect.pk}/" in mail.outbox[0].body


def test_the_next_day_brings_the_next_digest(rep, paris):
    opt_in(rep, email="rep@loyal.example")
    factories.next_step(factories.prospect(by=rep), by=rep, due_at=at_paris(1, 10))

    agenda.send_day_digests(now=NOW - timedelta(hours=10))
    agenda.send_day_digests(now=NOW + timedelta(days=1))

    assert len(mail.outbox) == 2
    assert "Overdue" in mail.outbox[1].body


def test_a_failed_send_leaves_the_day_unmarked_for_the_next_run(rep, paris, settings):
    opt_in(rep, email="rep@loyal.example")
    factories.next_step(factories.prospect(by=rep), by=rep, due_at=at_paris(1, 10))
    settings.EMAIL_BACKEND = "tests.prospects.test_agenda.RefusingBackend"

    with pytest.raises(ConnectionRefusedError):
        agenda.send_day_digests(now=NOW)

    assert Profile.objects.get(user=rep).day_digest_sent_on is None


def test_an_inactive_rep_or_one_without_an_address_gets_no_digest(rep, other_rep, paris):
    opt_in(rep, email="")
    opt_in(other_rep, email="rep2@loyal.example")
    for owner in (rep, other_rep):
        factories.next_step(factories.prospect(by=owner, first_name=owner.username), by=owner, due_at=NOW)
    other_rep.is_active = False
    other_rep.save(update_fields=["is_active"])

    assert agenda.send_day_digests(now=NOW) == 0
    assert mail.outbox == []


def test_the_command_sends_the_digest(rep, capsys):
    opt_in(rep, email="rep@loyal.example")
    factories.next_step(factories.prospect(by=rep), by=rep)

    call_command("send_day_digests")

    assert "Day digest sent to 1 reps." in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_a_rep_opts_in_on_their_profile_page(rep_client, rep):
    page = rep_client.get("/accounts/profile/")

    response = rep_client.post("/accounts/profile/", {"day_digest": "on"})

    assert 'name="day_digest"' in page.content.decode()
    assert response.status_code == 302
    assert Profile.objects.get(user=rep).day_digest is True
    rep_client.post("/accounts/profile/", {})
    assert Profile.objects.get(user=rep).day_digest is False


def test_only_a_rep_may_ask_for_the_digest(admin_client, admin_user):
    page = admin_client.get("/accounts/profile/")

    response = admin_client.post("/accounts/profile/", {"day_digest": "on"})

    assert page.status_code == 200 and 'name="day_digest"' not in page.content.decode()
    assert response.status_code == 403
    assert not Profile.objects.filter(user=admin_user, day_digest=True).exists()


def test_beat_sends_the_day_digest_every_morning_and_a_redelivery_sends_nothing_more(rep, paris):
    scheduled = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}
    opt_in(rep, email="rep@loyal.example")
    factories.next_step(factories.prospect(by=rep), by=rep)

    sent = [send_day_digests_task.apply().get() for _ in range(2)]

    schedule = scheduled["prospects.tasks.send_day_digests_task"]
    assert send_day_digests_task.acks_late and "prospects.tasks.send_day_digests_task" in celery_app.tasks
    assert schedule.day_of_week == set(range(7)) and schedule.hour == {7}
    assert sent == [1, 0] and len(mail.outbox) == 1


def test_a_step_on_a_prospect_given_to_another_team_leaves_the_day(rep, admin_user, paris):
    south = factories.user(role="sales", username="south", team=factories.team("South"))
    prospect = factories.prospect(by=rep)
    factories.next_step(prospect, by=rep, due_at=at_paris(1, 12))
    ownership.assign_owner(Prospect.objects.filter(pk=prospect.pk), owner=south, by=admin_user)

    day = agenda.day_of(rep, now=NOW)

    assert day.is_empty
