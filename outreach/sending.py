"""Sending a campaign: the outbox is the work, the broker only says when to do it.

``start_sending`` queues the allowed messages and enqueues one task per chunk after
commit. A task sends its chunk in four steps: a handful of queries for the chunk, and
one for each message sent.

1. Claim. One short transaction stamps the chunk's messages that are still queued and
   unclaimed with the task's token, and counts the attempt (PostgreSQL: ``SELECT ... FOR
   UPDATE SKIP LOCKED``, so that two workers holding overlapping chunks split them
   without waiting). A duplicate task finds nothing left to claim. While it works, the
   worker holds a session advisory lock on its token: a claim whose lock is free is a
   dead worker's.
2. Re-check. The gate again, for the whole chunk in one statement
   (``decisions.verdicts_for``): an objection, a withdrawal, a restriction or a retention
   deadline that came after the preview refuses the message, its reason recorded.
3. Send, over one SMTP connection. As soon as the server has accepted a message, one
   UPDATE records it sent, with what it said. A worker killed mid-chunk leaves every
   accepted message recorded, but for the one whose acceptance it never heard. These
   marks are durable commits: even a crash of the database server loses none, so none
   is sent twice (an asynchronous commit doubled the throughput, at that price).
4. Record the chunk's timeline entries and notice proofs in bulk, then release the claim.

``requeue_stalled`` (beat) finishes what a dead worker left: the timeline entries and
notice proofs of the messages it sent, and its unsent messages back to a worker; then it
enqueues again everything queued too long, so that a lost or flushed broker loses
nothing either.

A consent request is recorded sent just before its hand-off (and put back if the hand-off
fails): the database's one-per-person constraint must stop a second campaign's request
before it leaves, not after.

Phone, post, SMS and LinkedIn are never sent by the product (docs/rules.md §1.4: do not
automate LinkedIn): the rep works through the gated checklist and logs each contact.
"""

import contextlib
import logging
import secrets
import smtplib
import traceback
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db import connection as database
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from org.conflicts import StateConflict
from outreach import content, decisions, notices
from outreach.contactability import campaign_situation
from outreach.models import (
    INTERACTION_OF_CHANNEL,
    SENT_BY_PRODUCT,
    Campaign,
    CampaignStatus,
    Message,
    MessageStatus,
    NoticeOutcome,
    NoticeRecord,
)
from outreach.policy import Decision, Reason, Verdict, decide
from prospects import retention, timeline
from prospects.models import Interaction, Notice, Prospect, Source

logger = logging.getLogger(__name__)

SENT, REFUSED, FAILED, SKIPPED = "sent", "refused", "failed", "skipped"
# What a send may raise that a later attempt may not: the message stays queued for a retry.
TRANSIENT = (smtplib.SMTPException, OSError)
# The advisory locks of claims: pg_advisory_lock(hashtext(CLAIM_LOCK), token).
CLAIM_LOCK = "loyal.outreach.claim"


def settings_value(name: str) -> int:
    return int(settings.LOYAL_OUTREACH[name])


# --- Starting ------------------------------------------------------------------------------------


def undo_window() -> timedelta:
    """How long a campaign's sending can be cancelled after it was asked for (LOYAL_SEND_UNDO_SECONDS)."""
    return timedelta(seconds=settings_value("undo_seconds"))


def sends_from(campaign: Campaign) -> datetime | None:
    """When the worker may send the campaign's first message: the end of its undo window."""
    if campaign.send_requested_at is None:
        return None
    return campaign.send_requested_at + undo_window()


def can_cancel(campaign: Campaign, *, now: datetime | None = None) -> bool:
    """Sending by the product, asked for, and still inside the undo window."""
    start = sends_from(campaign)
    return (
        campaign.status == CampaignStatus.SENDING
        and campaign.is_sent_by_product
        and start is not None
        and (now or timezone.now()) < start
    )


def cancel_sending(campaign: Campaign, *, by, now: datetime | None = None) -> int:
    """Take the campaign back inside its undo window: nothing was sent, and the worker sends
    nothing of it (its chunks find the campaign no longer sending). It stays previewed, to be
    sent again later; returns how many messages were held back."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not can_cancel(campaign, now=now):
            raise StateConflict(_("The undo window has ended: the worker has started sending this campaign."))
        held = campaign.messages.queued().update(queued_at=None)
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DECIDED, send_requested_at=None)
    logger.info("campaign %s: sending cancelled by user %s, %s messages held", campaign.pk, by.pk, held)
    return held


def start_sending(campaign: Campaign, *, by, now: datetime | None = None) -> int:
    """Queue the campaign's allowed messages and hand them to the worker once the undo window
    has ended; returns how many."""
    now = now or timezone.now()
    if missing := content.missing_facts():
        raise ValidationError(
            _(
                "No campaign can start while the organisation page lacks: %(facts)s. Every message and "
                "notice names the advertiser, the controller, its DPO and the recipients of the data "
                "(CPCE L34-5; GDPR art. 13(1), 14(1))."
            )
            % {"facts": ", ".join(missing)}
        )
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        segment = campaign.target_segment_id is not None and campaign.status == CampaignStatus.DECIDED
        if campaign.status == CampaignStatus.DRAFT or segment:
            # A segment is a saved filter, evaluated when used: the campaign goes to the
            # prospects that match now, each decided again, not to those of the preview.
            decisions.decide_campaign(campaign, now=now)
            campaign.refresh_from_db()
        if campaign.status != CampaignStatus.DECIDED:
            raise StateConflict(_("This campaign is already sending or done."))
        queued = campaign.messages.queued()
        ids = list(queued.values_list("pk", flat=True))
        queued.update(queued_at=now)
        status = CampaignStatus.SENDING if ids else CampaignStatus.DONE
        Campaign.objects.filter(pk=campaign.pk).update(
            status=status, send_requested_at=now, finished_at=None if ids else now
        )
        if campaign.is_sent_by_product:
            enqueue(campaign.pk, ids, countdown=undo_window().total_seconds())
    logger.info("campaign %s: %s messages queued by user %s", campaign.pk, len(ids), by.pk)
    return len(ids)


def enqueue(campaign_id: int, message_ids: list[int], *, countdown: float = 0) -> int:
    """One task per chunk, published only once the transaction that queued them commits, and
    run ``countdown`` seconds later (the undo window; the claim checks it again)."""
    from outreach.tasks import send_chunk

    size = decisions.chunk_size()
    chunks = [message_ids[start : start + size] for start in range(0, len(message_ids), size)]
    for chunk in chunks:
        if countdown > 0:
            transaction.on_commit(
                lambda chunk=chunk: send_chunk.apply_async((campaign_id, chunk), countdown=countdown)
            )
        else:
            send_chunk.delay_on_commit(campaign_id, chunk)
    return len(chunks)


# --- Delivering ----------------------------------------------------------------------------------


@dataclass
class Outgoing:
    message: Message
    prospect: Prospect
    verdict: Verdict

    @property
    def with_notice(self) -> bool:
        return self.verdict.decision == Decision.ALLOW_WITH_NOTICE


def send_chunk(campaign_id: int, message_ids: list[int], *, connection=None) -> dict[str, int]:
    """Send what this task can claim of a chunk; safe to run twice or concurrently (the claim decides).

    ``connection``: the e-mail backend to use, by default a new one (one SMTP connection).
    """
    counts = dict.fromkeys((SENT, REFUSED, FAILED, SKIPPED), 0)
    token = secrets.randbelow(2**31 - 1) + 1
    with _holding(token):
        claimed = _claim(campaign_id, message_ids, token)
        counts[SKIPPED] = len(set(message_ids)) - len(claimed)
        if claimed:
            for outcome, count in _send_claimed(campaign_id, claimed, token, connection=connection).items():
                counts[outcome] += count
    finish_if_done(campaign_id)
    return counts


def deliver(message_id: int, *, connection) -> str:
    """One message, as a chunk of one: what became of it."""
    campaign_id = Message.objects.filter(pk=message_id).values_list("campaign_id", flat=True).first()
    if campaign_id is None:
        return SKIPPED
    counts = send_chunk(campaign_id, [message_id], connection=connection)
    return next(outcome for outcome, count in counts.items() if count)


@contextlib.contextmanager
def _holding(token: int):
    """Hold the claim's advisory lock for as long as this worker works on it (PostgreSQL).

    The lock dies with the worker's database session: ``requeue_stalled`` takes a claim
    whose lock it can take for a dead worker's. SQLite, one process, has the claim's age.
    """
    if database.vendor != "postgresql":
        yield
        return
    with database.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s), %s)", [CLAIM_LOCK, token])
    try:
        yield
    finally:
        with database.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", [CLAIM_LOCK, token])


def _claim(campaign_id: int, message_ids: list[int], token: int) -> list[int]:
    """Stamp the chunk's queued, unclaimed messages with ``token``; their ids.

    Only for a campaign still sending whose undo window has ended: a cancelled campaign, or
    a task run early, claims nothing (``requeue_stalled`` hands the chunk out again later).
    """
    window_ended = timezone.now() - undo_window()
    ready = Campaign.objects.filter(
        pk=campaign_id, status=CampaignStatus.SENDING, send_requested_at__lte=window_ended
    )
    if not ready.exists():
        return []
    with transaction.atomic():
        free = Message.objects.filter(
            pk__in=message_ids, campaign_id=campaign_id, status=MessageStatus.QUEUED, claim__isnull=True
        ).order_by("pk")
        if database.features.has_select_for_update_skip_locked:
            free = free.select_for_update(skip_locked=True)
        ids = list(free.values_list("pk", flat=True))
        if ids:
            Message.objects.filter(pk__in=ids).update(
                claim=token, claimed_at=timezone.now(), attempts=F("attempts") + 1
            )
    return ids


def _send_claimed(campaign_id: int, ids: list[int], token: int, *, connection) -> dict[str, int]:
    now = timezone.now()
    campaign = Campaign.objects.select_related("purpose", "created_by").get(pk=campaign_id)
    messages = list(Message.objects.filter(pk__in=ids).select_related("prospect__company").order_by("pk"))
    verdicts = decisions.verdicts_for(
        campaign, [m.prospect_id for m in messages if m.prospect is not None and m.prospect.email], now=now
    )
    counts = dict.fromkeys((SENT, REFUSED, FAILED), 0)
    given_up, refused, allowed = defaultdict(list), defaultdict(list), []
    for message in messages:
        message.campaign = campaign
        checked = verdicts.get(message.prospect_id)
        if checked is None:
            # Erased since the preview, or the address corrected away.
            given_up["no address" if message.prospect is not None else "erased"].append(message.pk)
        elif not checked[1].allowed:
            refused[checked[1]].append(message.pk)
        else:
            allowed.append(Outgoing(message, message.prospect, checked[1]))
    for reason, pks in given_up.items():
        counts[FAILED] += _give_up_all(pks, reason)
    for verdict, pks in refused.items():
        counts[REFUSED] += _refuse_all(pks, verdict)
    if allowed:
        for outcome, count in _send_allowed(campaign, allowed, token, connection=connection).items():
            counts[outcome] += count
    return counts


def _send_allowed(campaign: Campaign, allowed: list[Outgoing], token: int, *, connection) -> dict[str, int]:
    """Render and hand off each message over one connection; record each as soon as it is accepted."""
    counts = dict.fromkeys((SENT, REFUSED, FAILED), 0)
    sources = first_sources([out.prospect.pk for out in allowed if out.with_notice])
    compose = content.composer(campaign)
    backend = connection or get_connection()
    failures: dict[str, list[int]] = defaultdict(list)
    sent: list[Outgoing] = []
    try:
        opened = _open(backend)
        for index, out in enumerate(allowed):
            if opened is not None:
                failures[opened].extend(o.message.pk for o in allowed[index:])
                break
            try:
                source = sources.get(out.prospect.pk)
                composed = compose(out.prospect, with_notice=out.with_notice, source=source)
                email = content.email_for(out.message, out.prospect, composed, connection=backend)
                outcome = _hand_off(out, email, composed, token)
            except TRANSIENT as error:
                failures[type(error).__name__].append(out.message.pk)
                logger.warning("message %s not sent: %s", out.message.pk, type(error).__name__)
                opened = _reopen(backend)
                continue
            except Exception as error:
                # Anything else will fail the same way next time: give up now, and say so, rather
                # than leave the message queued for ever. The error's text may hold an address or a
                # name: the log keeps its type and where it was raised, never what it says.
                counts[FAILED] += _give_up_all([out.message.pk], type(error).__name__)
                where = "".join(traceback.format_tb(error.__traceback__))
                logger.error("message %s cannot be sent: %s\n%s", out.message.pk, type(error).__name__, where)
                continue
            counts[outcome] += 1
            if outcome == SENT:
                sent.append(out)
    finally:
        with contextlib.suppress(*TRANSIENT):
            backend.close()
        for name, pks in failures.items():
            counts[FAILED] += _record_failures(pks, name)
        record_sent(campaign, [(out.message, out.prospect) for out in sent], token=token, sources=sources)
    return counts


def _open(backend) -> str | None:
    """Open the connection; the error's name if it cannot be."""
    try:
        backend.open()
    except TRANSIENT as error:
        logger.warning("no connection to the mail server: %s", type(error).__name__)
        return type(error).__name__
    return None


def _reopen(backend) -> str | None:
    with contextlib.suppress(*TRANSIENT):
        backend.close()
    return _open(backend)


def _hand_off(out: Outgoing, email, composed: content.Content, token: int) -> str:
    """Hand one message to the backend, and record it sent right after (a consent request: right before)."""
    message = out.message
    if message.consent_request:
        try:
            with transaction.atomic():
                _mark_sent(message, out.verdict, composed, token)
        except IntegrityError:
            # Another campaign's consent request reached this person first (one per person, ever).
            _refuse_all([message.pk], _repeated_consent_request())
            return REFUSED
    try:
        if not email.connection.send_messages([email]):
            raise smtplib.SMTPException("the backend accepted no message")
    except BaseException:
        if message.consent_request:
            _unmark_sent(message, token)
        raise
    if not message.consent_request:
        _mark_sent(message, out.verdict, composed, token)
    return SENT


# The one statement per message sent: plain SQL, compiled once (an ORM update costs more to build
# than to run here).
MARK_SENT_FIELDS = (
    "status", "decision", "reason", "legal_reference", "language", "subject", "body", "carried_notice",
    "sent_at",
)  # fmt: skip


def _mark_sent_sql() -> str:
    quote = database.ops.quote_name
    columns = [quote(Message._meta.get_field(name).column) for name in MARK_SENT_FIELDS]
    assignments = ", ".join(f"{column} = %s" for column in columns)
    return f"UPDATE {quote(Message._meta.db_table)} SET {assignments} WHERE id = %s AND claim = %s"  # noqa: S608


def _mark_sent(message: Message, verdict: Verdict, composed: content.Content, token: int) -> None:
    """Status, verdict and content of one accepted message, committed at once."""
    message.sent_at = timezone.now()
    message.language, message.carried_notice = composed.language, composed.carries_notice
    values = (
        MessageStatus.SENT.value,
        verdict.decision.value,
        verdict.reason.value,
        verdict.legal_reference,
        composed.language,
        composed.subject[:200],
        composed.body,
        composed.carries_notice,
        database.ops.adapt_datetimefield_value(message.sent_at),
    )
    with database.cursor() as cursor:
        cursor.execute(_mark_sent_sql(), [*values, message.pk, token])
        updated = cursor.rowcount
    if not updated:
        logger.error("message %s was sent, but its claim had been taken from this worker", message.pk)


def _unmark_sent(message: Message, token: int) -> None:
    Message.objects.filter(pk=message.pk, claim=token).update(
        status=MessageStatus.QUEUED, subject="", body="", carried_notice=False, sent_at=None
    )


def first_sources(prospect_ids: list[int]) -> dict[int, Source]:
    """Each prospect's first source (``notices.first_source``), in one query."""
    firsts: dict[int, Source] = {}
    if prospect_ids:
        for source in Source.objects.filter(prospect_id__in=prospect_ids).order_by(
            "prospect_id", "acquired_at", "pk"
        ):
            firsts.setdefault(source.prospect_id, source)
    return firsts


def record_sent(
    campaign: Campaign, sent: list[tuple[Message, Prospect]], *, token: int, sources: dict | None = None
) -> None:
    """What a sent message leaves, for a chunk: timeline entries, notice proofs; then the claim goes.

    Reads what ``_mark_sent`` stored on each message (when, in which language, with the
    notice or not), so that ``requeue_stalled`` finishes a dead worker's chunk the same way.
    """
    if not sent:
        return
    with transaction.atomic():
        _record_interactions(campaign, sent)
        _record_notices(campaign, [(m, p) for m, p in sent if m.carried_notice], sources=sources)
        done = Message.objects.filter(pk__in=[m.pk for m, _p in sent], claim=token)
        done.update(claim=None, claimed_at=None)


def _record_interactions(campaign: Campaign, sent: list[tuple[Message, Prospect]]) -> None:
    kind = INTERACTION_OF_CHANNEL.get(campaign.channel)
    if kind is None:
        return
    summary = _("Campaign #%(id)s") % {"id": campaign.pk}
    by = campaign.created_by
    if retention.is_voluntary(kind):  # Never for what we send; the clock would move.
        for message, prospect in sent:
            when = message.sent_at
            timeline.record_interaction(prospect, type=kind, occurred_at=when, summary=summary, by=by)
        return
    error = timeline.screening_error(summary)
    if error:
        raise ValidationError({"summary": [error]})
    interactions = [
        Interaction(
            prospect=prospect,
            type=kind,
            direction=retention.direction_of(kind),
            is_voluntary_prospect_contact=False,
            occurred_at=message.sent_at,
            summary=summary,
            recorded_by=by,
        )
        for message, prospect in sent
    ]
    Interaction.objects.bulk_create(interactions)


def _record_notices(campaign: Campaign, informed: list[tuple[Message, Prospect]], *, sources) -> None:
    """``notices.record_notice`` for each message that carried the notice, in bulk."""
    if not informed:
        return
    if sources is None:
        sources = first_sources([prospect.pk for _m, prospect in informed])
    updated = []
    records = []
    for message, prospect in informed:
        source = sources.get(prospect.pk)
        if source is not None and source.notice != Notice.ART14_SENT:
            source.notice, source.notice_sent_at = Notice.ART14_SENT, message.sent_at
            updated.append(source)
        records.append(
            NoticeRecord(
                prospect=prospect,
                source=source,
                outcome=NoticeOutcome.SENT,
                channel=campaign.channel,
                language=message.language,
                template_version=notices.NOTICE_VERSION,
                message=message,
                at=message.sent_at,
            )
        )
    if updated:
        bulk_update_with_history(
            updated, Source, ["notice", "notice_sent_at"], default_change_reason="privacy notice sent"
        )
    NoticeRecord.objects.bulk_create(records)


def _give_up(message_id: int, reason: str) -> None:
    _give_up_all([message_id], reason)


def _give_up_all(message_ids: list[int], reason: str) -> int:
    return Message.objects.filter(pk__in=message_ids, status=MessageStatus.QUEUED).update(
        status=MessageStatus.FAILED, last_error=reason[:200], claim=None, claimed_at=None
    )


def _repeated_consent_request() -> Verdict:
    return Verdict(
        Decision.REFUSE,
        Reason.REF_CONSENT_REQUEST_REPEATED,
        "GDPR 4(11), 7(4); CNIL référentiel gestion commerciale (one re-permission contact)",
    )


def record_refusal(message: Message, verdict: Verdict) -> None:
    """The gate said no at send time: record its decision and why, in place of the preview's."""
    _refuse_all([message.pk], verdict)


def _refuse_all(message_ids: list[int], verdict: Verdict) -> int:
    return Message.objects.filter(pk__in=message_ids).update(
        decision=verdict.decision,
        reason=verdict.reason,
        legal_reference=verdict.legal_reference,
        status=MessageStatus.REFUSED,
        refused_at_send=True,
        claim=None,
        claimed_at=None,
    )


def _record_contact(
    message: Message, prospect: Prospect, verdict: Verdict, composed, *, by, status=None
) -> None:
    """The rep made the contact (checklist): status, content, timeline, notice proof."""
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        status=status or MessageStatus.SENT,
        decision=verdict.decision,
        reason=verdict.reason,
        legal_reference=verdict.legal_reference,
        language=composed.language,
        subject=composed.subject[:200],
        body=composed.body,
        carried_notice=composed.carries_notice,
        sent_at=now,
        logged_by=by if status == MessageStatus.LOGGED else None,
    )
    interaction = INTERACTION_OF_CHANNEL.get(message.campaign.channel)
    if interaction is not None:
        summary = _("Campaign #%(id)s") % {"id": message.campaign_id}
        timeline.record_interaction(prospect, type=interaction, occurred_at=now, summary=summary, by=by)
    if composed.carries_notice:
        notices.record_notice(
            prospect, channel=message.campaign.channel, language=composed.language, message=message, now=now
        )


def _record_failures(message_ids: list[int], error_name: str) -> int:
    """Failed hand-offs (the attempt counted at the claim): queued again, failed after ``max_attempts``."""
    last = settings_value("max_attempts")
    return Message.objects.filter(pk__in=message_ids, status=MessageStatus.QUEUED).update(
        last_error=error_name[:200],
        claim=None,
        claimed_at=None,
        status=Case(
            When(attempts__gte=last, then=Value(MessageStatus.FAILED)), default=Value(MessageStatus.QUEUED)
        ),
    )


def finish_if_done(campaign_id: int) -> bool:
    """A sending campaign with nothing left queued or half-recorded (still claimed) is done."""
    pending = Message.objects.filter(
        Q(status=MessageStatus.QUEUED) | Q(claim__isnull=False), campaign=OuterRef("pk")
    )
    return bool(
        Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING)
        .exclude(Exists(pending))
        .update(status=CampaignStatus.DONE, finished_at=timezone.now())
    )


# --- Recovering from a lost broker or a dead worker ----------------------------------------------


def stall_after() -> timedelta:
    return timedelta(minutes=settings_value("stall_minutes"))


def requeue_stalled(*, older_than: timedelta | None = None, now: datetime | None = None) -> int:
    """Finish dead workers' claims, then enqueue again every message still queued after
    ``older_than``; returns how many messages went back to a worker.

    A duplicate of a task still in the broker costs a claim that finds nothing: the
    outbox, not the broker, says what remains to be sent.
    """
    now = now or timezone.now()
    cutoff = now - (stall_after() if older_than is None else older_than)
    released = release_dead_claims(claimed_before=cutoff)
    total = 0
    for campaign_id in (
        Campaign.objects.sending().filter(channel__in=SENT_BY_PRODUCT).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            stalled = Message.objects.filter(campaign_id=campaign_id, status=MessageStatus.QUEUED).filter(
                Q(queued_at__lte=cutoff) | Q(pk__in=released), claim__isnull=True
            )
            ids = list(stalled.order_by("pk").values_list("pk", flat=True))
            stalled.update(queued_at=now)
            enqueue(campaign_id, ids)
        total += len(ids)
        finish_if_done(campaign_id)
    if total:
        logger.info("requeued %s stalled messages", total)
    return total


def release_dead_claims(*, claimed_before: datetime) -> list[int]:
    """Finish the claims of dead workers: record what they sent, free what they did not.

    PostgreSQL: a claim is dead when its advisory lock is free (its worker's session
    ended), whatever its age; a live worker's is never taken. SQLite: when it is older
    than ``claimed_before``. Returns the ids of the unsent messages set free.
    """
    freed: list[int] = []
    tokens = Message.objects.filter(claim__isnull=False).order_by().values_list("claim", flat=True).distinct()
    for token in list(tokens):
        with _if_dead(token, claimed_before=claimed_before) as dead:
            if dead:
                freed += _release(token)
    return freed


@contextlib.contextmanager
def _if_dead(token: int, *, claimed_before: datetime):
    if database.vendor != "postgresql":
        yield not Message.objects.filter(claim=token, claimed_at__gt=claimed_before).exists()
        return
    with database.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)", [CLAIM_LOCK, token])
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with database.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", [CLAIM_LOCK, token])


def _release(token: int) -> list[int]:
    claimed = Message.objects.filter(claim=token)
    sent = list(claimed.filter(status=MessageStatus.SENT).select_related("campaign__created_by", "prospect"))
    by_campaign: dict[int, list] = defaultdict(list)
    for message in sent:
        by_campaign[message.campaign_id].append(message)
    for messages in by_campaign.values():
        campaign = messages[0].campaign
        record_sent(campaign, [(m, m.prospect) for m in messages if m.prospect is not None], token=token)
    freed = list(claimed.filter(status=MessageStatus.QUEUED).values_list("pk", flat=True))
    claimed.update(claim=None, claimed_at=None)
    logger.warning("dead worker's claim %s: %s sent recorded, %s queued again", token, len(sent), len(freed))
    return freed


# --- Contacts made by the rep (phone, post, SMS, LinkedIn) -----------------------------------------


def log_contact(message: Message, *, by, notice_given: bool = False) -> str:
    """The rep made the contact on the checklist: re-check the gate, then record it."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("campaign__purpose", "campaign__created_by")
            .get(pk=message.pk)
        )
        if message.status != MessageStatus.QUEUED or message.campaign.status != CampaignStatus.SENDING:
            raise StateConflict(_("This contact is not on the checklist any more."))
        if message.campaign.is_sent_by_product:
            raise ValidationError(_("E-mails are sent by the product, not logged by hand."))
        prospect = Prospect.objects.select_related("company").filter(pk=message.prospect_id).first()
        if prospect is None:
            _give_up(message.pk, "erased")  # erased since the preview (Art. 17)
            outcome = FAILED
        else:
            outcome = _log_checked(message, prospect, by=by, notice_given=notice_given)
    finish_if_done(message.campaign_id)
    return outcome


def _log_checked(message: Message, prospect: Prospect, *, by, notice_given: bool) -> str:
    # Logged as it is made: a call's day and hour are checked now (C. conso D223-9).
    verdict = decide(campaign_situation(message.campaign, prospect, calling=True))
    if not verdict.allowed:
        record_refusal(message, verdict)
        return REFUSED
    with_notice = verdict.decision == Decision.ALLOW_WITH_NOTICE
    if with_notice and not notice_given:
        message_text = _("This first contact must carry the privacy notice: give it, then log it.")
        raise ValidationError({"notice_given": [message_text]})
    composed = content.compose(message.campaign, prospect, with_notice=with_notice)
    _record_contact(message, prospect, verdict, composed, by=by, status=MessageStatus.LOGGED)
    return MessageStatus.LOGGED
