"""Sending a campaign: the outbox is the work, the broker only says when to do it.

``start_sending`` queues the allowed messages and enqueues one task per chunk after
commit. A task delivers each message in its own transaction: it claims the row with
``UPDATE ... WHERE status = 'queued'`` (a second worker holding a duplicate task
waits for the row, then finds it no longer queued), re-checks the gate for that
person now (consent can be withdrawn between preview and send), records the
refusal or writes the timeline entry, the notice proof and the ``sent`` status, and
hands the e-mail to the backend last, just before COMMIT. A worker killed before
COMMIT leaves the message queued; ``requeue_stalled`` (beat) enqueues what has stayed
queued too long, so a lost or flushed broker loses nothing.

Phone, post, SMS and LinkedIn are never sent by the product (docs/rules.md §1.4: do not
automate LinkedIn): the rep works through the gated checklist and logs each contact.
"""

import logging
import smtplib
import traceback
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach import content, decisions, notices
from outreach.contactability import campaign_situation
from outreach.models import (
    INTERACTION_OF_CHANNEL,
    SENT_BY_PRODUCT,
    Campaign,
    CampaignStatus,
    Message,
    MessageStatus,
)
from outreach.policy import Decision, Reason, Verdict, decide
from prospects import timeline
from prospects.models import Prospect

logger = logging.getLogger(__name__)

SENT, REFUSED, FAILED, SKIPPED = "sent", "refused", "failed", "skipped"
# What a send may raise that a later attempt may not: the message stays queued for a retry.
TRANSIENT = (smtplib.SMTPException, OSError)


def settings_value(name: str) -> int:
    return int(settings.LOYAL_OUTREACH[name])


# --- Starting ------------------------------------------------------------------------------------


def start_sending(campaign: Campaign, *, by, now: datetime | None = None) -> int:
    """Queue the campaign's allowed messages and hand them to the worker; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status == CampaignStatus.DRAFT:
            decisions.decide_campaign(campaign, now=now)
            campaign.refresh_from_db()
        if campaign.status != CampaignStatus.DECIDED:
            raise ValidationError(_("This campaign is already sending or done."))
        queued = campaign.messages.queued()
        ids = list(queued.values_list("pk", flat=True))
        queued.update(queued_at=now)
        status = CampaignStatus.SENDING if ids else CampaignStatus.DONE
        Campaign.objects.filter(pk=campaign.pk).update(
            status=status, send_requested_at=now, finished_at=None if ids else now
        )
        if campaign.is_sent_by_product:
            enqueue(campaign.pk, ids)
    logger.info("campaign %s: %s messages queued by user %s", campaign.pk, len(ids), by.pk)
    return len(ids)


def enqueue(campaign_id: int, message_ids: list[int]) -> int:
    """One task per chunk, published only once the transaction that queued them commits."""
    from outreach.tasks import send_chunk

    size = decisions.chunk_size()
    chunks = [message_ids[start : start + size] for start in range(0, len(message_ids), size)]
    for chunk in chunks:
        send_chunk.delay_on_commit(campaign_id, chunk)
    return len(chunks)


# --- Delivering ----------------------------------------------------------------------------------


def send_chunk(campaign_id: int, message_ids: list[int]) -> dict[str, int]:
    """Deliver each message of a chunk; safe to run twice or concurrently (the claim decides)."""
    counts = dict.fromkeys((SENT, REFUSED, FAILED, SKIPPED), 0)
    connection = get_connection()
    connection.open()
    try:
        for message_id in message_ids:
            counts[deliver(message_id, connection=connection)] += 1
    finally:
        connection.close()
    finish_if_done(campaign_id)
    return counts


def deliver(message_id: int, *, connection) -> str:
    try:
        return _deliver(message_id, connection=connection)
    except TRANSIENT as error:
        _record_failure(message_id, error)
        return FAILED
    except Exception as error:
        # Anything else will fail the same way next time: give up now, and say so, rather
        # than leave the message queued for ever. The error's text may hold an address or a
        # name: the log keeps its type and where it was raised, never what it says.
        _give_up(message_id, type(error).__name__)
        where = "".join(traceback.format_tb(error.__traceback__))
        logger.error("message %s cannot be sent: %s\n%s", message_id, type(error).__name__, where)
        return FAILED


def _give_up(message_id: int, reason: str) -> None:
    Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.FAILED, last_error=reason[:200]
    )


def _deliver(message_id: int, *, connection) -> str:
    with transaction.atomic():
        if not Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
            attempts=F("attempts") + 1
        ):
            return SKIPPED
        message = Message.objects.select_related("campaign__purpose", "campaign__created_by").get(
            pk=message_id
        )
        prospect = Prospect.objects.filter(pk=message.prospect_id).select_related("company").first()
        if prospect is None or not prospect.email:
            # Erased since the preview, or the address corrected away.
            _give_up(message_id, "erased" if prospect is None else "no address")
            return FAILED
        verdict = decide(campaign_situation(message.campaign, prospect))
        if not verdict.allowed:
            record_refusal(message, verdict)
            return REFUSED
        composed = content.compose(
            message.campaign, prospect, with_notice=verdict.decision == Decision.ALLOW_WITH_NOTICE
        )
        email = content.email_for(message, prospect, composed, connection=connection)
        try:
            with transaction.atomic():
                _record_contact(message, prospect, verdict, composed, by=message.campaign.created_by)
        except IntegrityError:
            # Another campaign's consent request reached this person first (one per person, ever).
            record_refusal(message, _repeated_consent_request())
            return REFUSED
        # Last, right before COMMIT: the hand-off is the one step that cannot be rolled back.
        if not connection.send_messages([email]):
            raise smtplib.SMTPException("the backend accepted no message")
    return SENT


def _repeated_consent_request() -> Verdict:
    return Verdict(
        Decision.REFUSE,
        Reason.REF_CONSENT_REQUEST_REPEATED,
        "GDPR 4(11), 7(4); CNIL référentiel gestion commerciale (one re-permission contact)",
    )


def record_refusal(message: Message, verdict: Verdict) -> None:
    """The gate said no at send time: record its decision and why, in place of the preview's."""
    Message.objects.filter(pk=message.pk).update(
        decision=verdict.decision,
        reason=verdict.reason,
        legal_reference=verdict.legal_reference,
        status=MessageStatus.REFUSED,
        refused_at_send=True,
    )


def _record_contact(
    message: Message, prospect: Prospect, verdict: Verdict, composed, *, by, status=None
) -> None:
    """The message went (or the rep made the contact): status, content, timeline, notice proof."""
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


def _record_failure(message_id: int, error: Exception) -> None:
    """A failed hand-off: counted, and given up after ``max_attempts`` (then status failed)."""
    last = settings_value("max_attempts") - 1
    Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        attempts=F("attempts") + 1,
        last_error=type(error).__name__[:200],
        status=Case(
            When(attempts__gte=last, then=Value(MessageStatus.FAILED)), default=Value(MessageStatus.QUEUED)
        ),
    )
    logger.warning("message %s not sent: %s", message_id, type(error).__name__)


def finish_if_done(campaign_id: int) -> bool:
    """A sending campaign with nothing left queued is done."""
    pending = Message.objects.filter(campaign=OuterRef("pk"), status=MessageStatus.QUEUED)
    return bool(
        Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING)
        .exclude(Exists(pending))
        .update(status=CampaignStatus.DONE, finished_at=timezone.now())
    )


# --- Recovering from a lost broker ---------------------------------------------------------------


def stall_after() -> timedelta:
    return timedelta(minutes=settings_value("stall_minutes"))


def requeue_stalled(*, older_than: timedelta | None = None, now: datetime | None = None) -> int:
    """Enqueue again every message still queued after ``older_than``; returns how many.

    A duplicate of a task still in the broker costs a claim that finds nothing: the
    outbox, not the broker, says what remains to be sent.
    """
    now = now or timezone.now()
    cutoff = now - (stall_after() if older_than is None else older_than)
    total = 0
    for campaign_id in (
        Campaign.objects.sending().filter(channel__in=SENT_BY_PRODUCT).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            stalled = Message.objects.filter(
                campaign_id=campaign_id, status=MessageStatus.QUEUED, queued_at__lte=cutoff
            )
            ids = list(stalled.order_by("pk").values_list("pk", flat=True))
            stalled.update(queued_at=now)
            enqueue(campaign_id, ids)
        total += len(ids)
        finish_if_done(campaign_id)
    if total:
        logger.info("requeued %s stalled messages", total)
    return total


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
            raise ValidationError(_("This contact is not on the checklist any more."))
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
    verdict = decide(campaign_situation(message.campaign, prospect))
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
