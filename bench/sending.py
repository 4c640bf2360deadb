"""Sending case: a campaign's e-mails handed to a real SMTP server on loopback by two processes.

Ours: two processes (forked, each with its own database connection; one on SQLite) take the
campaign's chunks from a shared queue, as two workers take tasks from the broker, and
run ``outreach.sending.send_chunk`` on each: claim, the gate's re-check, rendering
(the privacy notice for a tenth of them), one SMTP connection per chunk through
Django's SMTP backend, one UPDATE per accepted message, the chunk's timeline entries and
notice proofs in bulk. Raw: two processes hand the same number of messages, built by
Django's ``EmailMessage``, to the same server over one smtplib connection each, and
record each with one plain ``UPDATE`` through psycopg: the floor of "send each message
and record it". Raw sends the very texts ours rendered (read back from ours' outbox), so
that both hand the server the same bytes, and commits its marks as ours does.

The server is aiosmtpd in a thread of this process; it counts what it accepts, and ours
must have delivered each message exactly once, or the timing compares nothing. At most
``CAP`` messages: past that the case measures the same thing for longer. Besides the
suite's line the case prints ``# sending: ...`` with messages per second and queries
per message (target: at least 500 messages per second, at most 2 queries per message).
"""

import contextlib
import logging
import multiprocessing
import smtplib
import socket
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import connection, connections, transaction
from django.utils import timezone

from bench.database import current
from bench.result import Result
from consent.models import Purpose
from org import accounts
from org.models import Profile, Team
from org.roles import Role
from outreach import content, decisions, sending
from outreach.models import Campaign, CampaignStatus, Message, MessageStatus, NoticeRecord
from prospects.identity import blind_index
from prospects.models import Interaction, Notice, Prospect, SavedView, Source

CAP = 20_000
PROCESSES = 2  # on PostgreSQL; SQLite takes one writer at a time, so one process there


def processes() -> int:
    return PROCESSES if connection.vendor == "postgresql" else 1


ROUNDS = 2
TARGET = 3.0  # ours at most 3 times the floor
TARGET_PER_SECOND, TARGET_QUERIES = 500, 2.0
INFORMED = {"name_on_card": "Bench", "event": "Salon 2026", "notice_given": True}


def run(rows: int) -> Result:
    """Send ``min(rows, CAP)`` messages both ways (best of ``ROUNDS``), check, clean up."""
    count = min(rows, CAP)
    tag = f"send{time.monotonic_ns()}"
    owner = _owner(tag)
    quiet = logging.getLogger("mail.log")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # aiosmtpd logs every line it reads at DEBUG.
    try:
        with _server() as (inbox, port), _smtp_settings(port):
            _seed(count, owner=owner, tag=tag)
            ours, raw = _campaign(owner, "ours"), _campaign(owner, "raw")
            _warm_up(ours)
            ours_times, raw_times, queries = [], [], []
            for _round in range(ROUNDS):  # Alternated, best of each: a shared machine is noisy.
                inbox.clear()
                seconds, spent = _send_ours(ours)
                _check(ours, inbox, count)
                ours_times.append(seconds)
                queries.append(spent)
                raw_times.append(_send_raw(raw, ours, port))
                _reset(ours, raw)
        ours_seconds, raw_seconds = min(ours_times), min(raw_times)
        per_message = min(queries) / count
        sys.stdout.write(
            f"# sending: messages={count} processes={processes()} ours={count / ours_seconds:.0f}/s "
            f"raw={count / raw_seconds:.0f}/s queries_per_message={per_message:.2f} "
            f"target>={TARGET_PER_SECOND}/s queries<={TARGET_QUERIES:g}\n"
        )
        sys.stdout.flush()
    finally:
        quiet.setLevel(level)
        _cleanup(owner)
    return Result(ours_seconds=ours_seconds, raw_seconds=raw_seconds, target=TARGET)


# --- The SMTP server --------------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler: counts what it accepts, by Message-ID."""

    def __init__(self):
        self.ids: Counter = Counter()
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\r\n", 40):
            if line.lower().startswith(b"message-id:"):
                with self._lock:
                    self.ids[line.split(b":", 1)[1].strip().decode()] += 1
                break
        return "250 OK"

    def clear(self) -> None:
        with self._lock:
            self.ids.clear()


@contextlib.contextmanager
def _server():
    from aiosmtpd.controller import Controller  # a development tool: imported only when the case runs

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@contextlib.contextmanager
def _smtp_settings(port: int):
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_HOST_USER")
    saved = {name: getattr(settings, name) for name in names}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)


# --- Data ---------------------------------------------------------------------------------------


def _owner(tag: str):
    team = Team.objects.create(name=tag)
    return accounts.create_user(username=tag, password=None, role=Role.SALES, team=team)


def _seed(count: int, *, owner, tag: str) -> None:
    """``count`` purchasing heads from business cards, a tenth of them from LinkedIn, not yet informed."""
    now, today = timezone.now(), timezone.localdate()
    team = Profile.objects.get(user=owner).team
    with transaction.atomic():
        for start in range(0, count, 2000):
            prospects = Prospect.objects.bulk_create(
                Prospect(
                    first_name=f"P{i}",
                    last_name="Bench",
                    job_title="Head of purchasing",
                    email=f"p{i}.{tag}@company{i}.fr",
                    email_index=blind_index("email", f"p{i}.{tag}@company{i}.fr"),
                    audience="b2b_nominative",
                    owner=owner,
                    team=team,
                    retention_until=today + timedelta(days=1000),
                )
                for i in range(start, min(count, start + 2000))
            )
            Source.objects.bulk_create(
                Source(
                    prospect=p,
                    type="linkedin_connection" if p.pk % 10 == 0 else "business_card",
                    evidence={"profile_url": f"https://www.linkedin.com/in/p{p.pk}"}
                    if p.pk % 10 == 0
                    else INFORMED,
                    notice="none" if p.pk % 10 == 0 else "at_collection",
                    acquired_at=now,
                )
                for p in prospects
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # Fresh statistics, as after any bulk load.


def _whole_base(owner) -> SavedView:
    """The segment of the owner's whole team: the bench decides the team's every prospect."""
    team = Profile.objects.get(user=owner).team
    view, _created = SavedView.objects.get_or_create(
        name="Bench base", filters={}, shared=True, team=team, created_by=owner
    )
    return view


def _campaign(owner, name: str) -> Campaign:
    """Decided and sending, its messages queued, as ``start_sending`` leaves it (without a broker)."""
    campaign = Campaign.objects.create(
        name=name,
        purpose=Purpose.objects.get(code="b2b_prospecting"),
        channel="email",
        target_functions=["purchasing"],
        offer_related_to_profession=True,
        subject_fr="Nos solutions d'achat, {first_name}",
        body_fr="Bonjour {first_name},\n\nNotre offre pour les acheteurs de {company}.",
        subject_en="Our purchasing solutions, {first_name}",
        body_en="Hello {first_name},\n\nOur offer for the buyers of {company}.",
        sender_name="Bench Sender, Bench Co",
        sender_email="sender@bench.example",
        created_by=owner,
        team=Profile.objects.get(user=owner).team,
        target_segment=_whole_base(owner),
    )
    decisions.decide_campaign(campaign)
    now = timezone.now()
    campaign.messages.queued().update(queued_at=now)
    # Asked for one undo window ago (outreach/sending.py): the workers may send at once.
    asked = now - sending.undo_window()
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING, send_requested_at=asked)
    return campaign


def _warm_up(campaign: Campaign) -> None:
    """What a long-lived worker has done before its first task, done once before forking: the URL
    configuration imported, the templates compiled, the host name looked up (both sides use them)."""
    message = campaign.messages.select_related("prospect__company").first()
    message.campaign = campaign
    composed = content.composer(campaign)(
        message.prospect, with_notice=True, source=message.prospect.sources.first()
    )
    content.email_for(message, message.prospect, composed).message().as_bytes()
    DNS_NAME.get_fqdn()


def _chunks(campaign: Campaign) -> list[list[int]]:
    ids = list(campaign.messages.queued().order_by("pk").values_list("pk", flat=True))
    size = decisions.chunk_size()
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# --- The two sides ------------------------------------------------------------------------------


def _in_processes(work, chunks: list[list[int]]) -> tuple[float, int]:
    """Run ``work(chunk) -> queries`` in ``processes()`` forked processes sharing ``chunks``.

    Returns the wall time from the moment both are ready to the last one's end, and the
    queries they made.
    """
    context = multiprocessing.get_context("fork")
    queue, results, ready, go = context.Queue(), context.Queue(), context.Semaphore(0), context.Event()
    for chunk in chunks:
        queue.put(chunk)
    count = processes()
    for _ in range(count):
        queue.put(None)
    connections.close_all()  # Each process opens its own.
    workers = [context.Process(target=_process, args=(work, queue, results, ready, go)) for _ in range(count)]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.acquire()
    started = time.monotonic()
    go.set()
    outcomes = [results.get(timeout=3600) for _ in workers]
    for worker in workers:
        worker.join()
    errors = [outcome for outcome in outcomes if isinstance(outcome, str)]
    if errors:
        raise RuntimeError(f"a sending process failed: {errors[0]}")
    return max(end for end, _queries in outcomes) - started, sum(queries for _end, queries in outcomes)


def _process(work, queue, results, ready, go) -> None:
    try:
        counter = _Counter()
        with connection.execute_wrapper(counter):
            connection.ensure_connection()
            ready.release()
            go.wait()
            while (chunk := queue.get()) is not None:
                work(chunk)
        results.put((time.monotonic(), counter.queries))
    except BaseException as error:
        results.put(f"{type(error).__name__}: {error}")
        raise
    finally:
        connections.close_all()


class _Counter:
    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def _send_ours(campaign: Campaign) -> tuple[float, int]:
    def work(chunk):
        sending.send_chunk(campaign.pk, chunk)

    return _in_processes(work, _chunks(campaign))


def _send_raw(campaign: Campaign, ours: Campaign, port: int) -> float:
    """The floor: the very texts ours rendered (read back from its outbox), handed over by smtplib,
    each recorded by one plain UPDATE with what it said."""
    mark = "?" if connection.vendor == "sqlite" else "%s"
    columns = ("sent_at", "subject", "body", "language", "carried_notice")
    assignments = ", ".join(f"{column} = {mark}" for column in columns)
    update = f"UPDATE {Message._meta.db_table} SET status = 'sent', {assignments} WHERE id = {mark}"

    def work(chunk):
        # The addresses are encrypted: read through the model, as any code that sends must.
        rows = Message.objects.filter(pk__in=chunk).values_list("pk", "prospect_id", "prospect__email")
        texts = {
            prospect_id: text
            for prospect_id, *text in Message.objects.filter(
                campaign=ours, prospect_id__in=[prospect_id for _pk, prospect_id, _email in rows]
            ).values_list("prospect_id", "subject", "body", "language", "carried_notice")
        }
        with current().raw() as raw, contextlib.closing(smtplib.SMTP("127.0.0.1", port)) as smtp:
            if connection.vendor == "sqlite":
                raw.isolation_level = None  # autocommit
            else:
                raw.autocommit = True
            for pk, prospect_id, address in rows:
                subject, body, language, notice = texts[prospect_id]
                email = EmailMessage(
                    subject=subject,
                    body=body,
                    from_email=f"{campaign.sender_name} <{campaign.sender_email}>",
                    to=[address],
                    headers={"Message-ID": f"<raw.{campaign.pk}.{pk}@bench>", "Content-Language": language},
                )
                smtp.sendmail(email.from_email, email.to, email.message().as_bytes(linesep="\r\n"))
                now = connection.ops.adapt_datetimefield_value(timezone.now())
                raw.execute(update, [now, subject, body, language, notice, pk])

    seconds, _queries = _in_processes(work, _chunks(campaign))
    return seconds


# --- Checks and cleanup ---------------------------------------------------------------------------


def _check(campaign: Campaign, inbox: Inbox, count: int) -> None:
    """Every message of ours was accepted exactly once by the server, and recorded sent."""
    mine = {key: n for key, n in inbox.ids.items() if key.startswith(f"<loyal.{campaign.pk}.")}
    sent = Message.objects.filter(campaign=campaign, status=MessageStatus.SENT).count()
    if len(mine) != count or set(mine.values()) != {1} or sent != count:
        raise AssertionError(
            f"sending bench: {len(mine)} distinct messages accepted of {count}, "
            f"{sum(mine.values())} in all, {sent} recorded sent"
        )


def _reset(ours: Campaign, raw: Campaign) -> None:
    """Both outboxes queued again, ours' timeline entries and notice proofs gone."""
    mine = Prospect.objects.filter(owner=ours.created_by)
    NoticeRecord.objects.filter(message__campaign=ours).delete()
    Interaction.objects.filter(prospect__in=mine).delete()
    Source.objects.filter(prospect__in=mine, type="linkedin_connection").update(
        notice=Notice.NONE, notice_sent_at=None
    )
    Message.objects.filter(campaign__in=[ours, raw]).update(
        status=MessageStatus.QUEUED, sent_at=None, attempts=0, claim=None, claimed_at=None
    )
    Campaign.objects.filter(pk__in=[ours.pk, raw.pk]).update(status=CampaignStatus.SENDING, finished_at=None)


def _cleanup(owner) -> None:
    """Remove every row the case wrote, children first, in plain deletes (no history, no signals)."""
    q = connection.ops.quote_name
    mine = f"SELECT id FROM {q(Prospect._meta.db_table)} WHERE owner_id = %s"
    campaigns = f"SELECT id FROM {q(Campaign._meta.db_table)} WHERE created_by_id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {q(NoticeRecord._meta.db_table)} WHERE prospect_id IN ({mine})", [owner.pk]
        )
        cursor.execute(
            f"DELETE FROM {q(Message._meta.db_table)} WHERE campaign_id IN ({campaigns})", [owner.pk]
        )
        cursor.execute(f"DELETE FROM {q(Campaign._meta.db_table)} WHERE created_by_id = %s", [owner.pk])
        for model in (Interaction, Source.history.model, Source):
            cursor.execute(f"DELETE FROM {q(model._meta.db_table)} WHERE prospect_id IN ({mine})", [owner.pk])
        cursor.execute(f"DELETE FROM {q(Prospect._meta.db_table)} WHERE owner_id = %s", [owner.pk])
        team = Profile.objects.get(user=owner).team
        SavedView.objects.filter(created_by=owner).delete()
        Profile.objects.filter(user=owner).delete()
        owner.delete()
        team.delete()
