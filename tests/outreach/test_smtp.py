"""Sending through Django's SMTP backend to a real SMTP server on loopback (aiosmtpd).

What each person really received: exactly one message per allowed recipient, with the
sender's identity and a working unsubscribe link, nothing for the refused ones (at
preview or at send time), one SMTP connection per chunk, and a bounded number of
queries per message.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from consent.models import Route
from consent.recording import withdraw_consent
from outreach import sending
from outreach.decisions import decide_campaign
from outreach.models import CampaignStatus, Message, MessageStatus, NoticeRecord
from outreach.policy import Reason
from prospects import suppression
from prospects.models import Interaction, Notice, Prospect, Source
from tests import factories
from tests.outreach.conftest import informed, many
from tests.outreach.smtp import smtp_server

pytestmark = pytest.mark.django_db

SENDER = "Camille Martin, Acme Solutions"


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at an aiosmtpd server on 127.0.0.1."""
    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield inbox


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def send(campaign, *, by, capture):
    with capture(execute=True):
        return sending.start_sending(campaign, by=by)


def linkedin(rep, index: int, **fields) -> Prospect:
    evidence = {"profile_url": f"https://www.linkedin.com/in/person-{index}"}
    return factories.prospect(
        by=rep,
        first_name=f"L{index}",
        last_name="Linked",
        email=f"l{index}@linked{index}.fr",
        source_type="linkedin_connection",
        evidence=evidence,
        **fields,
    )


def test_every_allowed_recipient_gets_one_message_and_the_refused_none(
    rep, smtp, eager, settings, client, django_capture_on_commit_callbacks
):
    settings.LOYAL_OUTREACH = {**settings.LOYAL_OUTREACH, "chunk_size": 4}
    allowed = [informed(by=rep, first_name=f"A{i}", email=f"a{i}@acme{i}.fr") for i in range(5)]
    allowed.append(linkedin(rep, 1))
    private = factories.prospect(by=rep, first_name="Zoe", email="zoe@gmail.com")  # refused at preview
    objecting, withdrawing, restricted, expired = (
        informed(by=rep, first_name=name, email=f"{name.lower()}@late.fr")
        for name in ("Olga", "Wim", "Rita", "Eve")
    )
    factories.consent(withdrawing, by=rep)
    # A static list: the previewed outbox is what is sent, each message re-checked.
    everyone = factories.prospect_list(by=rep, members=Prospect.objects.all())
    campaign = factories.campaign(by=rep, target_list=everyone)
    decide_campaign(campaign)
    # After the preview, before the send: each of these must refuse at send time (docs/rules.md §1).
    suppression.suppress(objecting, origin="link")
    withdraw_consent(withdrawing, purpose_code="b2b_prospecting", channel="email", via=Route.REPLY)
    Prospect.objects.filter(pk=restricted.pk).update(restricted_at=timezone.now())
    Prospect.objects.filter(pk=expired.pk).update(retention_until=timezone.localdate() - timedelta(days=1))

    queued = list(campaign.messages.queued().values_list("pk", "prospect_id"))
    chunks = [queued[start : start + 4] for start in range(0, len(queued), 4)]
    writing = {p.pk for p in allowed}

    send(campaign, by=rep, capture=django_capture_on_commit_callbacks)

    assert len(smtp) == len(allowed)
    for prospect in allowed:
        [received] = smtp.to(prospect.email)
        message = received.message
        assert message["From"] == f'"{SENDER}" <camille.martin@acme-solutions.example>'
        assert SENDER in received.body
        link = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"].strip())[1]
        assert link in received.body
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert client.get(urlsplit(link).path).status_code == 200
    for prospect in (private, objecting, withdrawing, restricted, expired):
        assert smtp.to(prospect.email) == []
    refused = dict(Message.objects.filter(refused_at_send=True).values_list("prospect_id", "reason"))
    assert refused == {
        objecting.pk: Reason.REF_OBJECTION,
        withdrawing.pk: Reason.REF_CONSENT_WITHDRAWN,
        restricted.pk: Reason.REF_RESTRICTED,
        expired.pk: Reason.REF_RETENTION_EXPIRED,
    }
    assert "INFORMATION SUR VOS DONNÉES PERSONNELLES" in smtp.to(allowed[-1].email)[0].body
    assert allowed[-1].sources.get().notice == Notice.ART14_SENT
    assert NoticeRecord.objects.get().prospect_id == allowed[-1].pk
    assert Interaction.objects.filter(type="email_sent").count() == len(allowed)
    assert not Message.objects.filter(claim__isnull=False).exists()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE
    # One SMTP connection per chunk that had someone to write to.
    assert smtp.connections() == sum(any(pid in writing for _pk, pid in chunk) for chunk in chunks)


def test_a_chunk_of_fifty_costs_at_most_two_queries_per_message(
    rep, smtp, django_assert_max_num_queries, settings
):
    settings.LOYAL_OUTREACH = {**settings.LOYAL_OUTREACH, "chunk_size": 50}
    many(by=rep, allowed=45, refused=5)
    indirect = list(Prospect.objects.filter(last_name="Many", audience="b2b_nominative")[:10])
    for prospect in indirect:  # Ten first messages carry the Art. 14 notice: their proof is written too.
        evidence = {"profile_url": f"https://www.linkedin.com/in/p-{prospect.pk}"}
        Source.objects.filter(prospect=prospect).update(
            type="linkedin_connection", notice="none", evidence=evidence
        )
    campaign = factories.campaign(by=rep)
    sending.start_sending(campaign, by=rep)
    ids = list(Message.objects.filter(campaign=campaign).values_list("pk", flat=True))
    assert len(ids) == 50

    with django_assert_max_num_queries(2 * len(ids)):
        counts = sending.send_chunk(campaign.pk, ids)

    assert counts == {"sent": 45, "refused": 0, "failed": 0, "skipped": 5}
    assert len(smtp) == 45 and smtp.connections() == 1
    assert NoticeRecord.objects.count() == 10
    assert Source.objects.filter(notice=Notice.ART14_SENT).count() == 10
    assert Interaction.objects.count() == 45


def test_a_message_sent_by_a_worker_that_died_before_recording_it_is_recorded_not_sent_again(
    rep, smtp, eager, monkeypatch, django_capture_on_commit_callbacks
):
    prospects = [informed(by=rep, first_name=f"D{i}", email=f"d{i}@dead{i}.fr") for i in range(3)]
    prospects.append(linkedin(rep, 2))
    campaign = factories.campaign(by=rep)
    sending.start_sending(campaign, by=rep)
    ids = list(Message.objects.filter(campaign=campaign).values_list("pk", flat=True))

    def die(*args, **kwargs):
        raise SystemExit("killed between the hand-offs and the chunk's records")

    with monkeypatch.context() as patched:
        patched.setattr(sending, "record_sent", die)
        with pytest.raises(SystemExit):
            sending.send_chunk(campaign.pk, ids)
    assert len(smtp) == 4
    assert Message.objects.filter(status=MessageStatus.SENT, claim__isnull=False).count() == 4
    assert not Interaction.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sending.requeue_stalled(older_than=timedelta(0))

    assert len(smtp) == 4, "a message already accepted by the server was sent again"
    assert Interaction.objects.filter(type="email_sent").count() == 4
    assert NoticeRecord.objects.get().prospect_id == prospects[-1].pk
    assert prospects[-1].sources.get().notice == Notice.ART14_SENT
    assert not Message.objects.filter(claim__isnull=False).exists()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_a_claim_taken_by_a_dead_worker_goes_back_to_the_queue_and_is_sent_once(
    rep, smtp, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for index in range(3):
        informed(by=rep, first_name=f"C{index}", email=f"c{index}@claimed{index}.fr")
    campaign = factories.campaign(by=rep)
    sending.start_sending(campaign, by=rep)
    ids = list(Message.objects.values_list("pk", flat=True))
    # A worker claimed the chunk and died before sending anything (its lock died with it).
    Message.objects.filter(pk__in=ids).update(claim=12345, claimed_at=timezone.now() - timedelta(minutes=1))
    assert sending.send_chunk(campaign.pk, ids)["skipped"] == 3

    with django_capture_on_commit_callbacks(execute=True):
        requeued = sending.requeue_stalled(older_than=timedelta(0))

    assert requeued == 3
    assert sorted(smtp.outbox_ids()) == sorted(ids)
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 3


def test_the_server_refusing_a_message_keeps_it_queued_for_a_retry_and_the_others_go(rep, smtp, settings):
    informed(by=rep, first_name="Ok", email="ok@acme.fr")
    bounced = informed(by=rep, first_name="Full", email="full@acme.fr")
    campaign = factories.campaign(by=rep)
    sending.start_sending(campaign, by=rep)
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    accept = smtp.handle_DATA

    async def refuse_one(server, session, envelope):
        if "full@acme.fr" in envelope.rcpt_tos:
            return "452 Mailbox full"
        return await accept(server, session, envelope)

    smtp.handle_DATA = refuse_one

    counts = sending.send_chunk(campaign.pk, ids)

    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert [r.recipients for r in smtp.received] == [("ok@acme.fr",)]
    retried = Message.objects.get(prospect=bounced)
    assert (retried.status, retried.attempts, retried.last_error) == (
        MessageStatus.QUEUED,
        1,
        "SMTPDataError",
    )
