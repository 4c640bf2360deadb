"""The mailbox job against a real Dovecot: each message delivered over LMTP, then fetched."""

import html
import io
import json
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from consent.models import Objection
from outreach import inbound, mailbox, proposals
from outreach.decisions import decide_campaign
from outreach.models import InboundMessage, MailboxState, Message, ObjectionProposal, UndeliverableAddress
from prospects.models import Interaction, Prospect
from tests import factories
from tests.outreach.conftest import informed

PROCESSED, UNMATCHED, UNREADABLE = "Loyal/Processed", "Loyal/Unmatched", "Loyal/Unreadable"


@pytest.fixture
def prospect(rep):
    return informed(by=rep, first_name="Claire", last_name="Martin", email="claire.martin@acme.fr")


def mail(*, sender="Claire Martin <Claire.Martin@acme.fr>", subject="Re: Spring offer", body="", **headers):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = headers.pop("To", "replies@loyal.example")
    message["Subject"] = subject
    message["Date"] = format_datetime(headers.pop("date", timezone.now() - timedelta(hours=2)))
    message["Message-ID"] = make_msgid(domain="acme.fr")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body or "Thank you, let us talk next week.\n\n> On Monday Loyal wrote:\n> offer")
    return bytes(message)


def dsn(*, recipient="claire.martin@acme.fr", status="5.1.1", style="postfix") -> bytes:
    """A delivery-status notification (RFC 3464), as Postfix or Gmail words it."""
    if style == "gmail":
        sender, subject = (
            "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "Delivery Status Notification",
        )
        human, reporting = (
            f"Address not found: your message wasn't delivered to {recipient}.",
            "googlemail.com",
        )
    else:
        sender, subject = "MAILER-DAEMON@mx.loyal.example (Mail Delivery System)", "Undelivered Mail"
        human, reporting = "This is the mail system at host mx.loyal.example.", "mx.loyal.example"
    date = format_datetime(timezone.now() - timedelta(minutes=5))
    text = f"""From: {sender}
To: replies@loyal.example
Subject: {subject}
Date: {date}
Message-ID: {make_msgid(domain="mx.loyal.example")}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=utf-8

{human}

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; {reporting}
Arrival-Date: {date}

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {"failed" if status.startswith("5") else "delayed"}
Status: {status}
Diagnostic-Code: smtp; 550 {status} The email account that you tried to reach does not exist

--BOUNDARY
Content-Type: text/rfc822-headers

From: Loyal <sales@loyal.example>
To: {recipient}
Subject: Spring offer

--BOUNDARY--
"""
    return text.replace("\n", "\r\n").encode()


def test_a_reply_moves_retention_to_three_years_from_its_date(mail_server, prospect):
    Prospect.objects.filter(pk=prospect.pk).update(collected_at=timezone.now() - timedelta(days=400))
    replied = timezone.now() - timedelta(days=2)
    mail_server.deliver(mail(date=replied))

    run = mailbox.fetch_mailbox()

    assert run.handled == {"reply": 1}
    reply = Interaction.objects.get(prospect=prospect, type="email_reply")
    assert reply.is_voluntary_prospect_contact is True
    assert abs(reply.occurred_at - replied) < timedelta(seconds=1)
    prospect.refresh_from_db()
    assert prospect.retention_until == timezone.localdate(replied) + relativedelta(years=3)
    kept = InboundMessage.objects.get()
    assert (kept.kind, kept.prospect_id, kept.interaction_id) == ("reply", prospect.pk, reply.pk)
    assert kept.subject == "Re: Spring offer"
    assert kept.excerpt == "Thank you, let us talk next week."
    assert (mail_server.count("INBOX"), mail_server.count(PROCESSED)) == (0, 1)


def test_the_excerpt_and_subject_are_stored_encrypted(mail_server, prospect):
    mail_server.deliver(mail(body="Call me on Tuesday about the quote"))

    mailbox.fetch_mailbox()

    with connection.cursor() as cursor:
        cursor.execute("SELECT subject, excerpt FROM outreach_inboundmessage")
        subject, excerpt = cursor.fetchone()
    assert "Spring" not in subject and "Tuesday" not in excerpt
    assert InboundMessage.objects.get().excerpt == "Call me on Tuesday about the quote"


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"X_Autoreply": "yes"},
        {"Precedence": "auto_reply"},
        {"subject": "Réponse automatique : absente jusqu'au 5 janvier"},
        {"subject": "Out of Office: back on Monday"},
    ],
)
def test_an_auto_reply_is_logged_but_never_moves_retention(mail_server, prospect, headers):
    before = Prospect.objects.get(pk=prospect.pk).retention_until
    mail_server.deliver(mail(**headers))

    run = mailbox.fetch_mailbox()

    assert run.handled == {"auto_reply": 1}
    logged = Interaction.objects.get(prospect=prospect)
    assert (logged.type, logged.is_voluntary_prospect_contact) == ("auto_reply", False)
    assert Prospect.objects.get(pk=prospect.pk).retention_until == before
    assert mail_server.count(PROCESSED) == 1


def test_auto_submitted_no_is_a_real_reply(mail_server, prospect):
    mail_server.deliver(mail(Auto_Submitted="no"))

    assert mailbox.fetch_mailbox().handled == {"reply": 1}


@pytest.mark.parametrize("style", ["postfix", "gmail"])
def test_a_permanent_bounce_makes_the_next_preview_refuse_the_address(mail_server, rep, prospect, style):
    mail_server.deliver(dsn(style=style))
    campaign = factories.campaign(by=rep)

    run = mailbox.fetch_mailbox()
    decide_campaign(campaign)

    assert run.handled == {"bounce_permanent": 1}
    assert UndeliverableAddress.objects.get().status == "5.1.1"
    message = Message.objects.get(campaign=campaign, prospect=prospect)
    assert (message.decision, message.reason) == ("refuse", "REF_UNDELIVERABLE")
    assert not Interaction.objects.filter(prospect=prospect).exists()


def test_a_temporary_bounce_is_only_logged(mail_server, rep, prospect):
    mail_server.deliver(dsn(status="4.2.2"))
    campaign = factories.campaign(by=rep)

    run = mailbox.fetch_mailbox()
    decide_campaign(campaign)

    assert run.handled == {"bounce_temporary": 1}
    assert not UndeliverableAddress.objects.exists()
    assert Message.objects.get(campaign=campaign).reason != "REF_UNDELIVERABLE"


@pytest.mark.parametrize(
    "body",
    [
        "Bonjour, merci de ne plus m'écrire.",
        "Ne m'écrivez plus s'il vous plaît",
        "Je souhaite me désinscrire de vos envois",
        "Retirez-moi de votre liste.",
        "Please unsubscribe me.",
        "STOP",
    ],
)
def test_a_stop_reply_makes_a_proposal_the_gate_honours_on_email(mail_server, rep, prospect, body):
    mail_server.deliver(mail(body=body))
    campaign = factories.campaign(by=rep)
    sms = factories.campaign(by=rep, channel="sms")

    run = mailbox.fetch_mailbox()
    decide_campaign(campaign)

    assert run.handled == {"stop": 1}
    proposal = ObjectionProposal.objects.get(prospect=prospect)
    assert proposal.status == "pending"
    assert Message.objects.get(campaign=campaign).reason == "REF_OBJECTION"
    assert not Objection.objects.exists()
    assert Interaction.objects.get(prospect=prospect).type == "email_reply"
    decide_campaign(sms)
    assert not Message.objects.filter(campaign=sms, reason="REF_OBJECTION").exists()


def test_our_own_footer_quoted_in_a_reply_is_not_a_stop(mail_server, prospect):
    body = "Sounds good, see you Thursday.\n\nOn Monday Loyal wrote:\n> To unsubscribe, click here."
    mail_server.deliver(mail(body=body))

    assert mailbox.fetch_mailbox().handled == {"reply": 1}
    assert not ObjectionProposal.objects.exists()


def test_confirming_a_proposal_records_an_objection_by_reply(mail_server, rep, prospect):
    mail_server.deliver(mail(body="ne plus recevoir vos mails"))
    mailbox.fetch_mailbox()
    proposal = ObjectionProposal.objects.get()

    proposals.confirm_proposal(proposal, by=rep)

    objection = Objection.objects.get(prospect=prospect)
    assert (objection.channel, objection.received_via) == ("email", "reply")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("confirmed", rep)
    with pytest.raises(ValidationError) as error:
        proposals.confirm_proposal(proposal, by=rep)
    assert "status" in error.value.message_dict


def test_dismissing_a_proposal_needs_a_reason_and_lifts_the_block(mail_server, rep, prospect):
    mail_server.deliver(mail(body="Stop by our booth on Tuesday!"))
    mailbox.fetch_mailbox()
    proposal = ObjectionProposal.objects.get()
    campaign = factories.campaign(by=rep)

    with pytest.raises(ValidationError) as error:
        proposals.dismiss_proposal(proposal, reason="  ", by=rep)
    assert "reason" in error.value.message_dict
    proposals.dismiss_proposal(proposal, reason="An invitation to their stand, not a refusal", by=rep)
    decide_campaign(campaign)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.dismiss_reason) == (
        "dismissed",
        "An invitation to their stand, not a refusal",
    )
    assert Message.objects.get(campaign=campaign).reason != "REF_OBJECTION"
    assert not Objection.objects.exists()


def test_an_unknown_sender_creates_nothing_and_goes_to_unmatched(mail_server, prospect):
    mail_server.deliver(mail(sender="someone@elsewhere.example"))

    run = mailbox.fetch_mailbox()

    assert run.handled == {"unmatched": 1}
    assert Prospect.objects.count() == 1
    assert not Interaction.objects.exists()
    kept = InboundMessage.objects.get()
    assert (kept.prospect, kept.subject, kept.excerpt) == (None, "", "")
    assert (mail_server.count(UNMATCHED), mail_server.count("INBOX")) == (1, 0)


def test_a_malformed_message_goes_to_unreadable(mail_server, prospect):
    mail_server.deliver(b"this is no mail\r\nat all, no headers\r\n\r\n\xff\xfe")
    mail_server.deliver(b"Subject: no sender\r\n\r\nbody\r\n")

    run = mailbox.fetch_mailbox()

    assert run.handled == {"unreadable": 2}
    assert mail_server.count(UNREADABLE) == 2
    assert not Interaction.objects.exists()


def test_an_oversized_message_is_set_aside_unread(mail_server, prospect, monkeypatch):
    monkeypatch.setattr(inbound, "MAX_MESSAGE_BYTES", 2000)
    mail_server.deliver(mail(body="x" * 5000))

    run = mailbox.fetch_mailbox()

    assert run.handled == {"unreadable": 1}
    assert mail_server.count(UNREADABLE) == 1
    assert not Interaction.objects.exists()


def test_each_message_is_handled_once_across_two_runs(mail_server, prospect):
    mail_server.deliver(mail())

    mailbox.fetch_mailbox()
    mail_server.deliver(mail(body="One more thing"))
    second = mailbox.fetch_mailbox()
    third = mailbox.fetch_mailbox()

    assert (second.handled, third.handled) == ({"reply": 1}, {})
    assert Interaction.objects.filter(type="email_reply").count() == 2
    assert MailboxState.objects.get(folder="INBOX").last_uid == 2


def test_a_crash_between_commit_and_move_never_logs_twice(mail_server, prospect):
    raw = mail()
    mail_server.deliver(raw)
    # The worker died after committing the interaction and before moving the message.
    with mail_server.client() as client:
        uidvalidity = client.select_folder("INBOX")[b"UIDVALIDITY"]
    inbound.handle(raw, folder="INBOX", uidvalidity=uidvalidity, uid=1)

    run = mailbox.fetch_mailbox()

    assert run.handled == {"reply": 1}
    assert Interaction.objects.filter(type="email_reply").count() == 1
    assert (mail_server.count("INBOX"), mail_server.count(PROCESSED)) == (0, 1)


def test_the_same_message_id_under_a_new_uid_is_not_logged_again(mail_server, prospect):
    raw = mail()
    mail_server.deliver(raw)
    mailbox.fetch_mailbox()
    mail_server.deliver(raw)

    mailbox.fetch_mailbox()

    assert Interaction.objects.filter(type="email_reply").count() == 1
    assert mail_server.count(PROCESSED) == 2


def test_with_the_server_down_nothing_is_lost_and_the_error_is_kept(mail_server, prospect):
    mail_server.deliver(mail())
    mail_server.stop()

    with pytest.raises(mailbox.MailboxUnavailable):
        mailbox.fetch_mailbox()

    state = MailboxState.objects.get(folder="INBOX")
    assert "could not be reached" in state.last_error
    assert state.last_success_at is None
    mail_server.start()
    run = mailbox.fetch_mailbox()
    assert run.handled == {"reply": 1}
    state.refresh_from_db()
    assert (state.last_error, state.waiting) == ("", 0)
    assert state.last_success_at is not None


def test_a_wrong_password_is_reported_in_words(mail_server, settings, db):
    settings.LOYAL_MAILBOX = {**mail_server.settings, "password": "wrong"}

    with pytest.raises(mailbox.MailboxUnavailable):
        mailbox.fetch_mailbox()

    assert MailboxState.objects.get().last_error == "The mailbox refused the user or password."


def test_without_a_mailbox_the_job_does_nothing(settings, db):
    settings.LOYAL_MAILBOX = {**settings.LOYAL_MAILBOX, "host": ""}

    assert mailbox.fetch_mailbox() is None
    assert not MailboxState.objects.exists()


def test_the_command_reads_the_mailbox_once(mail_server, prospect):
    mail_server.deliver(mail())
    out = io.StringIO()

    call_command("fetch_mailbox", stdout=out)

    assert out.getvalue().strip() == "reply: 1; waiting: 0"
    assert Interaction.objects.filter(type="email_reply").count() == 1


def test_the_admin_page_shows_the_error_and_then_the_success(mail_server, prospect, client, admin_user):
    mail_server.deliver(mail())
    mail_server.stop()
    with pytest.raises(mailbox.MailboxUnavailable):
        mailbox.fetch_mailbox()
    factories.log_in(client, admin_user)

    down = client.get("/outreach/mailbox/").content.decode()
    mail_server.start()
    mailbox.fetch_mailbox()
    up = client.get("/outreach/mailbox/").content.decode()

    assert "could not be reached at 127.0.0.1" in down
    assert '<dd id="mailbox-last-success">never</dd>' in down
    assert '<dd id="mailbox-last-error">none</dd>' in up
    assert '<li data-kind="reply">Reply from a prospect: 1</li>' in up


def test_a_multipart_message_without_its_boundary_is_unreadable(mail_server, prospect):
    raw = (
        b"From: claire.martin@acme.fr\r\nSubject: Re: offer\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="missing"\r\n\r\nno parts here\r\n'
    )
    mail_server.deliver(raw)

    assert mailbox.fetch_mailbox().handled == {"unreadable": 1}
    assert not Interaction.objects.exists()
    assert mail_server.count(UNREADABLE) == 1


def test_a_reply_threads_to_the_campaign_message_it_answers(mail_server, rep, prospect):
    other = informed(by=rep, first_name="Paul", last_name="Durand", email="paul.durand@acme.fr")
    campaign = factories.campaign(by=rep)
    decide_campaign(campaign)
    ours, theirs = (Message.objects.get(campaign=campaign, prospect=p) for p in (prospect, other))
    mail_server.deliver(mail(In_Reply_To=f"<loyal.{campaign.pk}.{ours.pk}@loyal.example>"))
    mail_server.deliver(mail(References=f"<loyal.{campaign.pk}.{theirs.pk}@loyal.example>", body="Other"))

    mailbox.fetch_mailbox()

    first, second = InboundMessage.objects.order_by("uid")
    assert first.answers == ours
    assert second.answers is None  # a thread to someone else's message names nobody
    assert second.prospect == prospect


def test_the_timeline_shows_the_replys_subject_and_excerpt_decrypted(mail_server, client, rep, prospect):
    campaign = factories.campaign(by=rep, name="Spring offer 2027")
    decide_campaign(campaign)
    ours = Message.objects.get(campaign=campaign, prospect=prospect)
    mail_server.deliver(mail(In_Reply_To=f"<loyal.{campaign.pk}.{ours.pk}@loyal.example>"))
    mail_server.deliver(mail(sender="someone@elsewhere.example", subject="Not theirs"))
    mailbox.fetch_mailbox()
    factories.log_in(client, rep)

    page = client.get(f"/prospects/{prospect.pk}/").content.decode()
    part = client.get(f"/outreach/prospects/{prospect.pk}/mail/").content.decode()

    assert f'hx-get="/outreach/prospects/{prospect.pk}/mail/"' in page
    assert part.count('<li class="mail-message" data-kind="reply">') == 1
    assert '<dd class="mail-subject">Re: Spring offer</dd>' in part
    assert '<blockquote class="excerpt">Thank you, let us talk next week.</blockquote>' in part
    assert "answers the campaign “Spring offer 2027”" in part
    assert "Not theirs" not in part


def test_the_subject_access_export_shows_the_reply_decrypted_and_labelled(mail_server, admin_user, prospect):
    from registry.subject_access import export_subject_data
    from tests.registry.test_subject_access import open_package

    mail_server.deliver(mail(body="Merci de ne plus m'écrire."))
    mailbox.fetch_mailbox()

    files = open_package(export_subject_data(prospect, by=admin_user).content)
    data = json.loads(files["data.json"])["data"]
    page = html.unescape(files["index.html"])

    [kept] = data["outreach.InboundMessage"]
    assert (kept["kind"], kept["subject"]) == ("stop", "Re: Spring offer")
    assert kept["excerpt"] == "Merci de ne plus m'écrire."
    assert data["outreach.ObjectionProposal"][0]["status"] == "pending"
    for label in ("Message lu dans la boîte aux lettres", "Objet", "Ses mots (280 caractères au plus)"):
        assert label in page
    assert "Merci de ne plus m'écrire." in page
