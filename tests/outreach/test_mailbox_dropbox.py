"""Reps' BCC addresses: a copy of a rep's own mail, delivered over LMTP, logs an e-mail sent."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from org import dropbox
from outreach import mailbox
from outreach.decisions import decide_campaign
from outreach.models import InboundMessage, Message
from prospects.models import Interaction, Prospect
from tests import factories
from tests.outreach.conftest import informed
from tests.outreach.mailbox_server import ADDRESS
from tests.outreach.test_mailbox import PROCESSED, UNMATCHED, mail

REP = "Rep <rep@loyal.example>"


@pytest.fixture
def prospect(rep):
    return informed(by=rep, first_name="Claire", last_name="Martin", email="claire.martin@acme.fr")


def copy(*, to="Claire Martin <claire.martin@acme.fr>", **headers) -> bytes:
    """A rep's one-to-one e-mail as the BCC copy reaches the mailbox: the Bcc header is gone."""
    body = "Bonjour Claire, stop me if this is not for you: here is our offer."
    return mail(sender=REP, subject="Our offer", body=body, **{"To": to, **headers})


def test_the_profile_page_shows_a_stable_bcc_address_the_rep_can_renew(client, rep, settings):
    settings.LOYAL_MAILBOX = {**settings.LOYAL_MAILBOX, "address": "replies@loyal.example"}
    factories.log_in(client, rep)

    first = client.get("/accounts/profile/").content.decode()
    again = client.get("/accounts/profile/").content.decode()
    renewed = client.post("/accounts/profile/", {"dropbox": "rotate"}, follow=True).content.decode()

    shown = re.compile(r'<code id="dropbox-address">replies\+([a-z2-7]{20})@loyal\.example</code>')
    token, same, new = (shown.search(page).group(1) for page in (first, again, renewed))
    assert token == same != new
    assert dropbox.rep_of(new) == rep and dropbox.rep_of(token) is None


def test_no_bcc_address_without_a_mailbox_address_nor_for_a_non_rep(client, rep, settings):
    settings.LOYAL_MAILBOX = {**settings.LOYAL_MAILBOX, "address": ""}
    factories.log_in(client, rep)
    assert "No mailbox is set up for Loyal yet" in client.get("/accounts/profile/").content.decode()

    settings.LOYAL_MAILBOX = {**settings.LOYAL_MAILBOX, "address": "replies@loyal.example"}
    dpo = factories.user(role="dpo", username="dpo")
    client.logout()
    factories.log_in(client, dpo)
    assert "dropbox-address" not in client.get("/accounts/profile/").content.decode()
    assert client.post("/accounts/profile/", {"dropbox": "rotate"}).status_code == 403


def test_tokens_are_random_and_only_a_token_shaped_detail_is_read():
    tokens = {dropbox.new_token() for _ in range(200)}

    assert len(tokens) == 200 and all(dropbox.TOKEN.match(t) for t in tokens)
    assert dropbox.detail_of("loyal+ABCDEFGHIJKLMNOPQRST@loyal.example") == "abcdefghijklmnopqrst"
    assert dropbox.detail_of("loyal+campaign@loyal.example") is None
    assert dropbox.detail_of("loyal@loyal.example") is None


def test_a_bcc_copy_logs_an_email_sent_by_the_rep_for_each_prospect_it_went_to(mail_server, rep, prospect):
    paul = informed(by=rep, first_name="Paul", last_name="Durand", email="paul.durand@acme.fr")
    before = {p.pk: p.retention_until for p in Prospect.objects.all()}
    sent = timezone.now() - timedelta(hours=3)
    raw = copy(Cc="paul.durand@acme.fr, stranger@elsewhere.example", date=sent)

    mail_server.deliver(raw, to=dropbox.address_of(rep), sender="rep@loyal.example")  # the envelope only
    run = mailbox.fetch_mailbox()

    assert run.handled == {"rep_copy": 1}
    logged = Interaction.objects.order_by("prospect_id")
    assert [(i.prospect_id, i.type, i.direction, i.recorded_by) for i in logged] == [
        (prospect.pk, "email_sent", "outbound", rep),
        (paul.pk, "email_sent", "outbound", rep),
    ]
    assert all(abs(i.occurred_at - sent) < timedelta(seconds=1) for i in logged)
    assert not any(i.is_voluntary_prospect_contact for i in logged)
    assert {p.pk: p.retention_until for p in Prospect.objects.all()} == before
    kept = InboundMessage.objects.get()
    # "stop" in the rep's own words is no objection, and nothing of its text is kept.
    assert (kept.kind, kept.rep, kept.prospect, kept.subject, kept.excerpt) == ("rep_copy", rep, None, "", "")
    assert Prospect.objects.count() == 2
    assert (mail_server.count("INBOX"), mail_server.count(PROCESSED)) == (0, 1)


def test_bcc_copies_count_towards_the_frequency_cap_of_the_next_preview(mail_server, rep, prospect):
    campaign = factories.campaign(by=rep)
    decide_campaign(campaign)
    assert Message.objects.get(campaign=campaign).reason != "REF_FREQUENCY_CAP"

    for days in (30, 20, 10):
        raw = copy(date=timezone.now() - timedelta(days=days))
        mail_server.deliver(raw, to=dropbox.address_of(rep))
    assert mailbox.fetch_mailbox().handled == {"rep_copy": 3}
    again = factories.campaign(by=rep)
    decide_campaign(again)

    message = Message.objects.get(campaign=again)
    assert (message.decision, message.reason) == ("refuse", "REF_FREQUENCY_CAP")


def test_a_postfix_x_original_to_carries_the_token_too(mail_server, rep, prospect):
    mail_server.deliver(copy(X_Original_To=dropbox.address_of(rep)))

    assert mailbox.fetch_mailbox().handled == {"rep_copy": 1}
    assert Interaction.objects.get().type == "email_sent"


def test_an_old_or_unknown_token_logs_nothing_and_goes_to_unmatched(mail_server, rep, prospect):
    old = dropbox.address_of(rep)
    dropbox.rotate(rep)
    mail_server.deliver(copy(), to=old)
    mail_server.deliver(copy(), to=dropbox.address_with(dropbox.new_token()))

    run = mailbox.fetch_mailbox()

    assert run.handled == {"unmatched": 2}
    assert not Interaction.objects.exists()
    assert mail_server.count(UNMATCHED) == 2


def test_a_copy_to_no_prospect_of_the_reps_team_is_unmatched(mail_server, rep, prospect):
    south = factories.user(role="sales", username="south", team=factories.team("South"))
    informed(by=south, first_name="Ines", last_name="Garcia", email="ines.garcia@acme.fr")
    mail_server.deliver(copy(to="ines.garcia@acme.fr, nobody@elsewhere.example"), to=dropbox.address_of(rep))

    assert mailbox.fetch_mailbox().handled == {"unmatched": 1}
    assert not Interaction.objects.exists()


def test_a_deactivated_reps_address_logs_nothing(mail_server, rep, prospect):
    address = dropbox.address_of(rep)
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    mail_server.deliver(copy(), to=address)

    assert mailbox.fetch_mailbox().handled == {"unmatched": 1}


def test_a_prospects_reply_that_reaches_the_bcc_address_is_still_their_reply(mail_server, rep, prospect):
    Prospect.objects.filter(pk=prospect.pk).update(collected_at=timezone.now() - timedelta(days=400))
    mail_server.deliver(mail(To=f"Rep <rep@loyal.example>, {dropbox.address_of(rep)}"), to=ADDRESS)

    assert mailbox.fetch_mailbox().handled == {"reply": 1}
    assert Interaction.objects.get().type == "email_reply"
