"""XSS (issue 9), outreach: a campaign's text, its preview and outcome, and the messages it sent.

Hostile text is written through the campaign form, the campaign is sent to two informed
purchasing heads (one French, one English), and every page showing the campaign or its
messages is read (tests/crm/hostile.py says how).
"""

from collections import Counter
from email.message import EmailMessage

import pytest
from django.utils import timezone
from hypothesis import strategies as st

from outreach import inbound, sending
from outreach.models import Campaign, InboundMessage, MailboxState, Message, MessageStatus
from prospects.models import Prospect
from tests import factories
from tests.crm.hostile import (
    check,
    email,
    emails,
    fill,
    filled,
    logged_in,
    marked,
    marker,
    payloads,
    pk_of,
    post,
    read,
    refused,
    run,
    subject_access_page,
    texts,
)

pytestmark = pytest.mark.slow

TEXT = {"name": 200, "body_fr": 800, "body_en": 800}
ONE_LINE = {"subject_fr": 200, "subject_en": 200, "sender_name": 200}
FIELDS = {
    *(f"outreach.Campaign.{name}" for name in (*TEXT, *ONE_LINE, "sender_email", "target_functions")),
    "outreach.Message.subject",
    "outreach.Message.body",
    "outreach.InboundMessage.excerpt",
    "outreach.InboundMessage.subject",
    "outreach.MailboxState.last_error",
}
SHOWN_ON_DETAIL = {
    "outreach.Campaign.name",
    "outreach.Campaign.sender_name",
    "outreach.Campaign.sender_email",
}
INFORMED = {**factories.EVIDENCE["business_card"], "notice_given": True}


@pytest.fixture
def clients(rep, dpo, admin_user):
    return logged_in(rep=rep, dpo=dpo, admin=admin_user)


def campaign_form(drawn: dict) -> dict:
    functions = [fill(template, marker(), size=100) for template in drawn["functions"]]
    return {
        **filled(drawn["text"], TEXT),
        **filled(drawn["one_line"], ONE_LINE),
        "sender_email": email(drawn["email"]),
        # The offer matches the recipients' job titles through the last line.
        "target_functions": "\n".join([*functions, "purchasing"]),
        "purpose": "b2b_prospecting", "channel": "email", "kind": "promotion",
        "offer_related_to_profession": "on",
    }  # fmt: skip


def test_campaigns_and_the_messages_sent_are_escaped(clients, rep):
    rep_client, outcomes = clients["rep"], Counter()
    strategy = st.fixed_dictionaries(
        {
            "text": texts(TEXT),
            "one_line": texts(ONE_LINE, lines=False),
            "email": emails(),
            "functions": st.lists(payloads(lines=False), min_size=1, max_size=3),
        }
    )

    def example(drawn):
        data = {**campaign_form(drawn), "target_segment": factories.whole_base(by=rep).pk}
        recipients = [
            factories.prospect(by=rep, email=f"{marker()}@acme.example", language=language, evidence=INFORMED)
            for language in ("fr", "en")
        ]
        response = post(rep_client, "/outreach/campaigns/new/", data)
        outcomes[response.status_code] += 1
        if response.status_code != 302:
            typed = {f"outreach.Campaign.{name}": value for name, value in data.items() if marked(value)}
            return refused(response, typed, "/outreach/campaigns/new/")
        campaign = Campaign.objects.get(pk=pk_of(response))
        values = campaign_values(campaign)
        functions = {label for label in values if label.startswith("outreach.Campaign.target_functions")}
        read(rep_client, f"/outreach/campaigns/{campaign.pk}/edit/", values, values)
        read(rep_client, f"/outreach/campaigns/{campaign.pk}/", values, SHOWN_ON_DETAIL | functions)
        read(rep_client, "/outreach/campaigns/", values, {"outreach.Campaign.name"})
        read(clients["dpo"], f"/outreach/campaigns/{campaign.pk}/", values, SHOWN_ON_DETAIL | functions)
        send(rep_client, campaign)
        for prospect in recipients:
            sent = message_values(campaign, prospect)
            check(subject_access_page(clients["admin"], prospect), values | sent, sent, "Art. 15 export")

    run(strategy, example)

    assert outcomes[302] >= 10, outcomes


def campaign_values(campaign: Campaign) -> dict[str, str]:
    values = {
        f"outreach.Campaign.{name}": getattr(campaign, name) for name in (*TEXT, *ONE_LINE, "sender_email")
    }
    return values | {
        f"outreach.Campaign.target_functions[{index}]": function
        for index, function in enumerate(campaign.target_functions)
        if marked(function)
    }


def send(client, campaign: Campaign) -> None:
    """Start sending from the page, then do the worker's task on the messages it queued."""
    post(client, f"/outreach/campaigns/{campaign.pk}/send/", {"confirm": "yes"})
    sending.send_chunk(campaign.pk, list(campaign.messages.queued().values_list("pk", flat=True)))


def message_values(campaign: Campaign, prospect: Prospect) -> dict[str, str]:
    message = Message.objects.get(campaign=campaign, prospect=prospect)
    assert message.status == MessageStatus.SENT, (message.status, message.reason)
    language = prospect.language
    return {
        f"outreach.Message.subject[{language}]": message.subject,
        f"outreach.Message.body[{language}]": message.body,
    }


def test_the_excerpt_of_a_stop_reply_is_escaped_on_the_home_page_and_the_prospect(clients, rep):
    rep_client, shown = clients["rep"], Counter()

    def example(drawn):
        prospect = factories.prospect(by=rep, email=f"p{marker()}@acme.example", evidence=INFORMED)
        body = "Stop. " + fill(drawn["excerpt"], marker(), size=200)
        reply = EmailMessage()
        reply["From"], reply["To"], reply["Subject"] = prospect.email, "replies@loyal.example", "Re: offer"
        reply.set_content(body)
        inbound.handle(bytes(reply), folder="INBOX", uidvalidity=1, uid=prospect.pk)
        stored = InboundMessage.objects.get(prospect=prospect)
        assert stored.kind == "stop"
        values = {"outreach.InboundMessage.excerpt": stored.excerpt} if marked(stored.excerpt) else {}
        read(rep_client, "/", values, values)
        read(rep_client, f"/outreach/prospects/{prospect.pk}/contactability/", values, values)
        shown[bool(values)] += 1

    run(st.fixed_dictionaries({"excerpt": payloads()}), example)

    assert shown[True] >= 10, shown


def test_a_replys_subject_and_excerpt_are_escaped_on_the_timeline_and_in_the_export(clients, rep):
    rep_client, admin_client, shown = clients["rep"], clients["admin"], Counter()

    def example(drawn):
        prospect = factories.prospect(by=rep, email=f"p{marker()}@acme.example", evidence=INFORMED)
        reply = EmailMessage()
        reply["From"], reply["To"] = prospect.email, "replies@loyal.example"
        # A header is one line: the payload's line breaks become spaces.
        reply["Subject"] = " ".join(fill(drawn["subject"], marker(), size=150).splitlines())
        reply.set_content(fill(drawn["excerpt"], marker(), size=200))
        inbound.handle(bytes(reply), folder="INBOX", uidvalidity=1, uid=prospect.pk)
        stored = InboundMessage.objects.get(prospect=prospect)
        values = {
            f"outreach.InboundMessage.{name}": getattr(stored, name)
            for name in ("subject", "excerpt")
            if marked(getattr(stored, name))
        }
        read(rep_client, f"/outreach/prospects/{prospect.pk}/mail/", values, values)
        check(subject_access_page(admin_client, prospect), values, values, "subject access")
        shown[len(values)] += 1

    run(st.fixed_dictionaries({"subject": payloads(), "excerpt": payloads()}), example)

    assert shown[2] >= 10, shown


def test_the_mailbox_error_is_escaped_on_the_admin_page(clients, settings):
    # The error's words include what the IMAP server answered: text from outside.
    settings.LOYAL_MAILBOX = {**settings.LOYAL_MAILBOX, "host": "imap.example.com", "user": "replies"}
    admin_client = clients["admin"]

    def example(drawn):
        error = fill(drawn["error"], marker(), size=400)
        MailboxState.objects.update_or_create(
            folder=settings.LOYAL_MAILBOX["folder"],
            defaults={"last_error": error, "last_error_at": timezone.now()},
        )
        values = {"outreach.MailboxState.last_error": error}
        read(admin_client, "/outreach/mailbox/", values, values)

    run(st.fixed_dictionaries({"error": payloads()}), example)
