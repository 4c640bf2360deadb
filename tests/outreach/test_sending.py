"""Sending a campaign: what the e-mail says, the re-check at send time, exactly-once delivery."""

import re
import smtplib
import zoneinfo
from datetime import datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from consent.models import Route
from consent.recording import withdraw_consent
from outreach import sending
from outreach.decisions import decide_campaign
from outreach.models import CampaignStatus, Message, MessageStatus, NoticeOutcome, NoticeRecord
from outreach.notices import NOTICE_VERSION
from outreach.policy import Decision, Reason
from prospects import saved_views, suppression
from prospects.listing import Filters
from prospects.models import Interaction, Notice, Prospect
from tests import factories
from tests.outreach.conftest import WORK_LINE, informed

pytestmark = pytest.mark.django_db


class FailingBackend(EmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def send(campaign, *, by, capture):
    with capture(execute=True):
        return sending.start_sending(campaign, by=by)


def linkedin_prospect(rep, **fields):
    fields.setdefault("email", "ana.roux@acme.fr")
    evidence = {"profile_url": "https://www.linkedin.com/in/ana-roux"}
    return factories.prospect(
        by=rep,
        first_name="Ana",
        last_name="Roux",
        source_type="linkedin_connection",
        evidence=evidence,
        **fields,
    )


def test_sent_email_carries_the_sender_identity_and_a_working_one_click_unsubscribe(
    rep, client, eager, django_capture_on_commit_callbacks
):
    informed(by=rep, first_name="Luc", email="luc.martin@acme.fr")
    campaign = factories.campaign(by=rep)

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    [email] = mail.outbox
    # The header From is the campaign's sender; the envelope sender is the bounce address.
    assert email.extra_headers["From"] == (
        '"Camille Martin, Acme Solutions" <camille.martin@acme-solutions.example>'
    )
    assert email.from_email == "bounces@loyal.example"
    assert email.to == ["luc.martin@acme.fr"]
    assert email.subject == "Nos solutions d'achat, Luc"
    assert "Bonjour Luc," in email.body
    assert "Camille Martin, Acme Solutions" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<(.+)>", email.extra_headers["List-Unsubscribe"])[1]
    assert link in email.body
    assert client.get(urlsplit(link).path).status_code == 200


def test_first_email_to_a_linkedin_contact_carries_the_french_notice_naming_the_profile(
    rep, eager, django_capture_on_commit_callbacks
):
    prospect = linkedin_prospect(rep)
    campaign = factories.campaign(by=rep)

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert "INFORMATION SUR VOS DONNÉES PERSONNELLES" in email.body
    assert "D'où viennent vos données : votre profil LinkedIn (linkedin.com/in/ana-roux)" in email.body
    assert "VOTRE DROIT D'OPPOSITION" in email.body
    assert "CNIL" in email.body
    source = prospect.sources.get()
    assert (source.notice, source.notice_sent_at is not None) == (Notice.ART14_SENT, True)
    record = NoticeRecord.objects.get(prospect=prospect)
    assert (record.outcome, record.language, record.template_version) == (
        NoticeOutcome.SENT,
        "fr",
        NOTICE_VERSION,
    )
    assert Message.objects.get(campaign=campaign).carried_notice


def test_an_english_broker_prospect_gets_the_english_notice_naming_the_broker(
    rep, eager, django_capture_on_commit_callbacks
):
    factories.prospect(by=rep, email="sam.hill@acme.co.uk", language="en", source_type="broker")
    campaign = factories.campaign(by=rep)

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.subject == "Our purchasing solutions, Jean"
    assert "ABOUT YOUR PERSONAL DATA" in email.body
    assert (
        "Where your data come from: a list rented from ListCo (list L-77, contract C-2026-12)." in email.body
    )
    assert "DONNÉES" not in email.body


def test_the_notice_rides_in_the_first_message_only(rep, eager, django_capture_on_commit_callbacks):
    linkedin_prospect(rep)
    first, second = factories.campaign(by=rep), factories.campaign(by=rep, name="Autumn offer")
    send(first, by=rep, capture=django_capture_on_commit_callbacks)

    send(second, by=rep, capture=django_capture_on_commit_callbacks)

    assert ["DONNÉES PERSONNELLES" in email.body for email in mail.outbox] == [True, False]
    assert Message.objects.get(campaign=second).reason == Reason.OK_B2B_LI


def test_consent_withdrawn_between_preview_and_send_is_refused_at_send_time(
    rep, eager, django_capture_on_commit_callbacks
):
    prospect = factories.prospect(by=rep, email="ana@gmail.com")
    factories.consent(prospect, by=rep)
    # A static list: the previewed outbox is what is sent, each message re-checked.
    campaign = factories.campaign(by=rep, target_list=factories.prospect_list(by=rep, members=[prospect]))
    decide_campaign(campaign)
    previewed = Message.objects.get(campaign=campaign).reason
    withdraw_consent(prospect, purpose_code="b2b_prospecting", channel="email", via=Route.REPLY)

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    message = Message.objects.get(campaign=campaign)
    assert previewed == Reason.OK_CONSENT
    assert (message.status, message.reason, message.refused_at_send) == (
        MessageStatus.REFUSED,
        Reason.REF_CONSENT_WITHDRAWN,
        True,
    )
    assert mail.outbox == []
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_objection_between_preview_and_send_is_refused_at_send_time(
    rep, eager, django_capture_on_commit_callbacks
):
    prospect = informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    decide_campaign(campaign)
    suppression.suppress(prospect, origin="link")

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    assert Message.objects.get(campaign=campaign).reason == Reason.REF_OBJECTION
    assert mail.outbox == []


def test_each_sent_message_leaves_an_outbound_interaction(rep, eager, django_capture_on_commit_callbacks):
    prospect = informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    interaction = Interaction.objects.get(prospect=prospect)
    assert (interaction.type, interaction.direction, interaction.is_voluntary_prospect_contact) == (
        "email_sent",
        "outbound",
        False,
    )
    message = Message.objects.get(campaign=campaign)
    assert (message.status, message.attempts, message.language) == (MessageStatus.SENT, 1, "fr")
    assert "Bonjour Jean" in message.body


def test_refused_recipients_are_recorded_and_never_sent(rep, eager, django_capture_on_commit_callbacks):
    informed(by=rep, email="ana@acme.fr")
    factories.prospect(by=rep, first_name="Zoe", email="zoe@gmail.com")
    campaign = factories.campaign(by=rep)

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert sorted(Message.objects.values_list("status", "reason")) == [
        (MessageStatus.REFUSED, Reason.REF_B2C_NO_CONSENT),
        (MessageStatus.SENT, Reason.OK_B2B_LI),
    ]


def test_delivering_a_chunk_twice_sends_each_message_once(rep):
    for index in range(3):
        informed(by=rep, first_name=f"P{index}", email=f"p{index}@acme.fr")
    campaign = factories.campaign(by=rep)
    sending.start_sending(campaign, by=rep)
    ids = list(Message.objects.values_list("pk", flat=True))

    first = sending.send_chunk(campaign.pk, ids)
    again = sending.send_chunk(campaign.pk, ids)

    assert (first["sent"], again["skipped"]) == (3, 3)
    assert len(mail.outbox) == 3
    assert Interaction.objects.count() == 3


def test_requeue_stalled_hands_messages_still_queued_to_the_worker_again(
    rep, eager, django_capture_on_commit_callbacks
):
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    sending.start_sending(campaign, by=rep)  # The broker loses the task: no callback runs.
    assert Message.objects.get().status == MessageStatus.QUEUED

    with django_capture_on_commit_callbacks(execute=True):
        requeued = sending.requeue_stalled(older_than=timezone.timedelta(0))

    assert requeued == 1
    assert Message.objects.get().status == MessageStatus.SENT
    assert len(mail.outbox) == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_requeue_leaves_recently_queued_messages_alone(rep):
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    sending.start_sending(campaign, by=rep)

    assert sending.requeue_stalled() == 0


def test_a_failing_handoff_stays_queued_then_fails_after_the_last_attempt(rep, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    settings.LOYAL_OUTREACH = {**settings.LOYAL_OUTREACH, "max_attempts": 2}
    prospect = informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    sending.start_sending(campaign, by=rep)
    message = Message.objects.get()

    sending.send_chunk(campaign.pk, [message.pk])
    retried = Message.objects.get()
    sending.send_chunk(campaign.pk, [message.pk])

    assert (retried.status, retried.attempts, retried.last_error) == (
        MessageStatus.QUEUED,
        1,
        "SMTPServerDisconnected",
    )
    assert Message.objects.get().status == MessageStatus.FAILED
    assert not Interaction.objects.filter(prospect=prospect).exists()


def test_a_consent_request_carries_the_permission_link(rep, eager, django_capture_on_commit_callbacks):
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep, kind="consent_request")

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert "Donnez votre accord ici : http://testserver/u/join/" in email.body


# --- Contacts made by hand from the checklist ---


def test_logging_a_call_records_it_and_marks_the_message_logged(rep):
    prospect = informed(by=rep, phone="+33612345678", email="", **WORK_LINE)
    campaign = factories.campaign(by=rep, channel="phone")
    sending.start_sending(campaign, by=rep)
    message = Message.objects.get()

    outcome = sending.log_contact(message, by=rep)

    message.refresh_from_db()
    assert (outcome, message.status, message.logged_by) == (MessageStatus.LOGGED, MessageStatus.LOGGED, rep)
    assert Interaction.objects.get(prospect=prospect).type == "call_outbound"
    assert mail.outbox == []
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def _private_caller_with_consent(rep):
    prospect = informed(by=rep, phone="+33612345678", email="")  # an unknown line is private
    factories.consent(prospect, by=rep, channel="phone")
    campaign = factories.campaign(by=rep, channel="phone")
    sending.start_sending(campaign, by=rep)
    return prospect, Message.objects.get()


@pytest.mark.parametrize(
    ("moment", "logged"),
    [
        ("2026-12-07 11:00", True),  # Monday morning, Paris
        ("2026-12-07 13:30", False),  # lunch break
        ("2026-12-07 20:15", False),
        ("2026-12-12 11:00", False),  # Saturday
        ("2026-12-25 11:00", False),  # Christmas, a Friday
    ],
)
def test_a_call_to_a_private_person_is_checked_for_d223_9_hours_when_it_is_logged(rep, moment, logged):
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    with time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=paris), tick=False):
        prospect, message = _private_caller_with_consent(rep)
        preview = message.decision

        outcome = sending.log_contact(message, by=rep)

    message.refresh_from_db()
    assert preview == Decision.ALLOW  # the preview makes no call: hours are read at the call
    assert (outcome == MessageStatus.LOGGED) is logged
    assert Interaction.objects.filter(prospect=prospect, type="call_outbound").exists() is logged
    if not logged:
        assert (message.reason, "D223-9" in message.legal_reference) == (Reason.REF_HOURS, True)


def test_a_logged_sms_leaves_an_outbound_sms_on_the_timeline(rep):
    prospect = informed(by=rep, phone="+33612345678", email="", **WORK_LINE)
    campaign = factories.campaign(by=rep, channel="sms")
    sending.start_sending(campaign, by=rep)
    message = Message.objects.get()

    sending.log_contact(message, by=rep)

    interaction = Interaction.objects.get(prospect=prospect)
    assert (interaction.type, interaction.direction) == ("sms_sent", "outbound")
    assert not interaction.is_voluntary_prospect_contact


def test_first_call_to_an_indirect_contact_must_carry_the_notice(rep):
    prospect = linkedin_prospect(rep, phone="+33612345678", email="", **WORK_LINE)
    campaign = factories.campaign(by=rep, channel="phone")
    sending.start_sending(campaign, by=rep)
    message = Message.objects.get()
    assert message.decision == Decision.ALLOW_WITH_NOTICE

    with pytest.raises(Exception, match="privacy notice"):
        sending.log_contact(message, by=rep)
    sending.log_contact(message, by=rep, notice_given=True)

    assert prospect.sources.get().notice == Notice.ART14_SENT
    assert NoticeRecord.objects.get(prospect=prospect).channel == "phone"


def test_a_contact_the_gate_now_refuses_cannot_be_logged(rep):
    prospect = informed(by=rep, linkedin_url="https://www.linkedin.com/in/ana", email="")
    campaign = factories.campaign(by=rep, channel="linkedin_msg")
    sending.start_sending(campaign, by=rep)
    suppression.suppress(prospect, channel="linkedin_msg", origin="reply")

    outcome = sending.log_contact(Message.objects.get(), by=rep)

    assert outcome == MessageStatus.REFUSED
    assert Message.objects.get().reason == Reason.REF_OBJECTION
    assert not Interaction.objects.filter(prospect=prospect).exists()


def test_emails_are_sent_by_the_product_not_logged(rep):
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    sending.start_sending(campaign, by=rep)

    with pytest.raises(Exception, match="sent by the product"):
        sending.log_contact(Message.objects.get(), by=rep)


def test_a_message_that_cannot_be_sent_is_given_up_not_left_queued(rep):
    prospect = informed(by=rep, email="ana.lopes@acme.fr")
    campaign = factories.campaign(by=rep, channel="email")
    sending.start_sending(campaign, by=rep)
    Prospect.objects.filter(pk=prospect.pk).update(email="", email_index=None)
    message = Message.objects.get()

    outcome = sending.deliver(message.pk, connection=mail.get_connection())

    message.refresh_from_db()
    assert (outcome, message.status, message.last_error) == ("failed", MessageStatus.FAILED, "no address")
    assert mail.outbox == []


def test_logging_a_contact_with_an_erased_prospect_gives_it_up_and_finishes(rep):
    informed(by=rep, phone="+33612345678", email="", **WORK_LINE)
    campaign = factories.campaign(by=rep, channel="phone")
    sending.start_sending(campaign, by=rep)
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(prospect=None)

    outcome = sending.log_contact(message, by=rep)

    message.refresh_from_db()
    campaign.refresh_from_db()
    assert (outcome, message.status, campaign.status) == ("failed", MessageStatus.FAILED, CampaignStatus.DONE)


def test_a_segment_is_evaluated_again_at_send_time_and_each_member_decided_again(
    rep, eager, django_capture_on_commit_callbacks
):
    ana = informed(by=rep, first_name="Ana", last_name="Martin", email="ana.martin@acme.fr")
    hugo = informed(by=rep, first_name="Hugo", last_name="Martin", email="hugo.martin@acme.fr")
    informed(by=rep, first_name="Zoe", last_name="Petit", email="zoe.petit@acme.fr")
    segment = saved_views.save_view(name="The Martins", filters=Filters(q="Martin"), by=rep)
    campaign = factories.campaign(by=rep, target_segment=segment)
    decide_campaign(campaign)
    previewed = set(campaign.messages.values_list("prospect_id", flat=True))
    # Between preview and send: Ana leaves the segment, Luc joins it, Hugo objects.
    Prospect.objects.filter(pk=ana.pk).update(last_name="Roux")
    luc = informed(by=rep, first_name="Luc", last_name="Martin", email="luc.martin@acme.fr")
    suppression.suppress(hugo, origin="link")

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    assert previewed == {ana.pk, hugo.pk}
    outcome = dict(campaign.messages.values_list("prospect_id", "reason"))
    assert outcome == {hugo.pk: Reason.REF_OBJECTION, luc.pk: Reason.OK_B2B_LI}
    assert [email.to for email in mail.outbox] == [["luc.martin@acme.fr"]]


def test_a_campaign_on_a_list_reaches_only_its_members(rep, eager, django_capture_on_commit_callbacks):
    ana = informed(by=rep, first_name="Ana", email="ana@acme.fr")
    informed(by=rep, first_name="Luc", email="luc@acme.fr")
    campaign = factories.campaign(by=rep, target_list=factories.prospect_list(by=rep, members=[ana]))

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    assert list(campaign.messages.values_list("prospect_id", flat=True)) == [ana.pk]
    assert [email.to for email in mail.outbox] == [["ana@acme.fr"]]
