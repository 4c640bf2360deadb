import random
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from consent.models import Route
from consent.recording import withdraw_consent
from outreach.models import InboundMessage, ObjectionProposal, UndeliverableAddress
from prospects import suppression, timeline
from prospects.models import ProductCategory, Prospect, Source, SourceType
from tests import factories
from tests.outreach.mailbox_server import make_server

JOB_TITLES = ["Head of purchasing", "Purchasing manager", "CTO", "Directeur des achats", ""]
CHANNELS = ["email", "sms", "phone", "postal", "linkedin_msg"]


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.LOYAL_SITE_URL = "http://testserver"


@pytest.fixture
def mail_server(settings):
    """A Dovecot of the test's own on loopback (IMAP and LMTP), the mailbox Loyal reads."""
    root = Path(tempfile.mkdtemp(prefix="loyal-dovecot-"))
    server = make_server(root)
    server.start()
    settings.LOYAL_MAILBOX = server.settings
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


INFORMED_CARD = {**factories.EVIDENCE["business_card"], "notice_given": True}


# A phone line of unknown kind is private (docs/rules.md §1.2): a rep records a work line.
WORK_LINE = {"audience": "b2b_nominative", "audience_justification": "Work mobile given by the employer"}


def informed(*, by, **fields) -> Prospect:
    """A prospect from a business card handed over with the notice (Art. 13 at collection)."""
    fields.setdefault("evidence", INFORMED_CARD)
    return factories.prospect(by=by, **fields)


def aged(prospect: Prospect, *, days: int, notice: str | None = None) -> Source:
    """Move the prospect's first source ``days`` back in time (and set its notice)."""
    source = prospect.sources.order_by("acquired_at", "pk").first()
    source.acquired_at = timezone.now() - timedelta(days=days)
    if notice is not None:
        source.notice = notice
    source.save()
    return source


def unanswered_contacts(prospect: Prospect, *, count: int, by, days_ago: int = 10) -> None:
    for index in range(count):
        when = timezone.now() - timedelta(days=days_ago, hours=index)
        timeline.record_interaction(prospect, type="email_sent", occurred_at=when, by=by)


def many(*, by, allowed: int, refused: int) -> None:
    """``allowed`` informed purchasing heads and ``refused`` private addresses, written set-based."""
    from org.accounts import team_of
    from prospects.identity import blind_index

    team, now = team_of(by), timezone.now()
    emails = [f"buyer{i}@acme{i}.fr" for i in range(allowed)] + [
        f"someone{i}@gmail.com" for i in range(refused)
    ]
    prospects = Prospect.objects.bulk_create(
        Prospect(
            first_name=f"P{index}",
            last_name="Many",
            job_title="Head of purchasing",
            email=email,
            email_index=blind_index("email", email),
            audience="b2c" if email.endswith("gmail.com") else "b2b_nominative",
            owner=by,
            team=team,
            retention_until=timezone.localdate() + timedelta(days=1000),
        )
        for index, email in enumerate(emails)
    )
    Source.objects.bulk_create(
        Source(
            prospect=p, type="business_card", evidence=INFORMED_CARD, notice="at_collection", acquired_at=now
        )
        for p in prospects
    )


def categories() -> list[ProductCategory]:
    """Three categories: "Software" and "Training" declared similar, "Hardware" apart from both."""
    software, training, hardware = (
        ProductCategory.objects.get_or_create(name=name)[0] for name in ("Software", "Training", "Hardware")
    )
    software.similar_to.add(training)
    return [software, training, hardware]


def random_prospect(rng: random.Random, index: int, *, by) -> Prospect:
    """A prospect with a random mix of every fact the gate reads."""
    source_type = rng.choice([*SourceType.values, "broker", "linkedin_connection"])
    evidence = dict(factories.EVIDENCE[source_type])
    kind = rng.choice(["nominative", "generic", "free"])
    email = {
        "nominative": f"person{index}@acme{index}.fr",
        "generic": f"contact@acme{index}.fr",
        "free": f"person{index}@gmail.com",
    }[kind]
    if source_type in ("linkedin_connection", "linkedin_public_profile"):
        evidence = {"profile_url": f"https://www.linkedin.com/in/person-{index}"}
    prospect = factories.prospect(
        by=by,
        first_name=f"P{index}",
        last_name="Random",
        email=email if rng.random() < 0.9 else "",
        phone=f"+336{index:08d}" if rng.random() < 0.6 else "",
        linkedin_url=evidence.get("profile_url", ""),
        job_title=rng.choice(JOB_TITLES),
        language=rng.choice(["fr", "en"]),
        source_type=source_type,
        evidence=evidence,
        audience_justification="Freelancer's card" if kind == "free" else "",
    )
    _randomise(rng, prospect, by=by)
    return prospect


def _randomise(rng: random.Random, prospect: Prospect, *, by) -> None:
    today = timezone.localdate()
    source = prospect.sources.get()
    source.acquired_at = timezone.now() - timedelta(
        days=rng.choice([0, 5, 29, 30, 31, 45, 400]), hours=rng.random()
    )
    source.notice = rng.choice(["none", "at_collection", "art14_sent"])
    if source.type == "broker" and rng.random() < 0.4:
        source.evidence = {**source.evidence, "information_proof": rng.choice(["", "  "])}
    source.save()
    if rng.random() < 0.15:
        Source.objects.create(
            prospect=prospect, type="web_form_consent", evidence=factories.EVIDENCE["web_form_consent"]
        )
    updates = {}
    if rng.random() < 0.2:
        updates["audience"] = rng.choice(["b2b_generic", "b2b_nominative", "b2c"])
    if rng.random() < 0.15:
        updates["retention_until"] = today - timedelta(days=rng.choice([1, 30]))
        if rng.random() < 0.5:
            updates["legal_hold_until"] = today + timedelta(days=rng.choice([-1, 0, 10]))
    if rng.random() < 0.25:
        updates["is_customer"] = True
        updates["customer_relationship_ended_at"] = rng.choice(
            [
                None,
                today - timedelta(days=100),
                today - timedelta(days=3 * 365 + 1),
                today - timedelta(days=3 * 366),
            ]
        )
        updates["customer_category"] = rng.choice([None, *categories()])
        updates["customer_opt_out_offered"] = rng.random() < 0.7
    if rng.random() < 0.1:
        updates["restricted_at"] = timezone.now()
    if updates:
        Prospect.objects.filter(pk=prospect.pk).update(**updates)
    if rng.random() < 0.15:
        suppression.suppress(prospect, channel=rng.choice(["", *CHANNELS]), origin="link")
    for channel in rng.sample(CHANNELS, k=rng.choice([0, 0, 1, 2])):
        factories.consent(prospect, by=by, channel=channel)
        if rng.random() < 0.3:
            withdraw_consent(
                prospect, purpose_code="b2b_prospecting", channel=channel, via=Route.REPLY, by=by
            )
    outbound = rng.choice([0, 0, 2, 3, 4])
    unanswered_contacts(prospect, count=outbound, by=by, days_ago=rng.choice([5, 89, 91]))
    _calls(rng, prospect, by=by)
    if outbound and rng.random() < 0.3:
        timeline.record_interaction(
            prospect, type="email_reply", occurred_at=timezone.now() - timedelta(days=3), by=by
        )
    _randomise_mailbox(rng, prospect)


def _randomise_mailbox(rng: random.Random, prospect: Prospect) -> None:
    """What the mailbox may have said: a bounced address, a "stop" reply pending or decided."""
    prospect.refresh_from_db()
    if prospect.email_index and rng.random() < 0.15:
        UndeliverableAddress.objects.create(email_index=prospect.email_index, status="5.1.1")
    if rng.random() < 0.2:
        inbound = InboundMessage.objects.create(
            folder="INBOX", uidvalidity=1, uid=prospect.pk, kind="stop", prospect=prospect
        )
        status = rng.choice(["pending", "pending", "dismissed", "confirmed"])
        ObjectionProposal.objects.create(prospect=prospect, inbound=inbound, status=status)


def _calls(rng: random.Random, prospect: Prospect, *, by) -> None:
    """Earlier calls (C. conso D223-9): up to 5 in or out of the 30 days, perhaps a refusal, then
    a reply, so that the frequency cap G9 does not hide the call limits."""
    if rng.random() < 0.6:
        return
    now = timezone.now()
    for index in range(rng.choice([1, 3, 4, 5])):
        when = now - timedelta(days=rng.choice([2, 29, 31]), hours=index)
        timeline.record_interaction(
            prospect, type=rng.choice(["call_outbound", "voicemail_left"]), occurred_at=when, by=by
        )
    if rng.random() < 0.5:
        when = now - timedelta(days=rng.choice([1, 59, 61]))
        timeline.record_interaction(prospect, type="call_refused", occurred_at=when, by=by)
    timeline.record_interaction(prospect, type="email_reply", occurred_at=now - timedelta(hours=1), by=by)
    if rng.random() < 0.7:  # a private person who agreed to be called (C. conso L223-1)
        Prospect.objects.filter(pk=prospect.pk).update(audience="b2c")
        factories.consent(prospect, by=by, channel="phone")
