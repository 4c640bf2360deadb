"""How long a prospect is kept (docs/rules.md §2.1-2.2; CNIL référentiel délib. 2021-131).

The clock starts at the later of collection and the last contact *emanating from the
prospect*. Opens, our own sends, bounces, enrichment, re-imports and edits never move
it: KASPR was sanctioned for a period renewed on each update, CALOGA for resetting it
on e-mail opens (Art. 5(1)(e)).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from prospects.models import Direction, InteractionType, LegalHoldScope, Notice, Prospect, Source
from prospects.provenance import indirect, is_indirect

# §2.2: the prospect's own voluntary acts toward the company reset the clock.
VOLUNTARY_CONTACTS = frozenset(
    {
        InteractionType.EMAIL_CLICK,
        InteractionType.EMAIL_REPLY,
        InteractionType.EMAIL_INBOUND,
        InteractionType.CALL_INBOUND,
        InteractionType.LINKEDIN_MESSAGE_RECEIVED,
        InteractionType.MEETING,
        InteractionType.DEMO_REQUEST,
        InteractionType.FORM_SUBMISSION,
        InteractionType.CONTENT_DOWNLOAD,
        InteractionType.ORDER,
        InteractionType.REPERMISSION_YES,
    }
)
OUTBOUND = frozenset(
    {
        InteractionType.EMAIL_SENT,
        InteractionType.CALL_OUTBOUND,
        InteractionType.VOICEMAIL_LEFT,
        InteractionType.CALL_REFUSED,
        InteractionType.LINKEDIN_MESSAGE_SENT,
        InteractionType.LETTER_SENT,
        InteractionType.SMS_SENT,
    }
)
# Not voluntary (§2.2): opens, bounces, auto-replies, passive platform events, our own edits.
INBOUND_NOT_VOLUNTARY = frozenset(
    {
        InteractionType.EMAIL_OPEN,
        InteractionType.EMAIL_BOUNCE,
        InteractionType.AUTO_REPLY,
        InteractionType.PROFILE_VIEW,
    }
)


def prospect_years() -> int:
    return settings.LOYAL_RETENTION["prospect_years"]


def customer_years() -> int:
    return settings.LOYAL_RETENTION["customer_years"]


def is_voluntary(interaction_type: str) -> bool:
    """LinkedIn connection acceptance counts only if the DPO says so (INTERP, default no)."""
    if interaction_type == InteractionType.LINKEDIN_CONNECTION_ACCEPTED:
        return settings.LOYAL_RETENTION["connection_acceptance_resets"]
    return interaction_type in VOLUNTARY_CONTACTS


def direction_of(interaction_type: str) -> str:
    if interaction_type in OUTBOUND:
        return Direction.OUTBOUND
    if interaction_type in VOLUNTARY_CONTACTS or interaction_type in INBOUND_NOT_VOLUNTARY:
        return Direction.INBOUND
    if interaction_type == InteractionType.LINKEDIN_CONNECTION_ACCEPTED:
        return Direction.INBOUND
    return Direction.NONE


def deadline(
    *,
    collected_at: datetime,
    last_prospect_contact_at: datetime | None,
    customer_relationship_ended_at: date | None = None,
) -> date:
    """The last day the record may be kept."""
    start = max(filter(None, (collected_at, last_prospect_contact_at)))
    end = timezone.localdate(start) + relativedelta(years=prospect_years())
    if customer_relationship_ended_at is not None:
        end = max(end, customer_relationship_ended_at + relativedelta(years=customer_years()))
    return end


def deadline_of(prospect) -> date:
    return deadline(
        collected_at=prospect.collected_at,
        last_prospect_contact_at=prospect.last_prospect_contact_at,
        customer_relationship_ended_at=prospect.customer_relationship_ended_at,
    )


def grace_days() -> int:
    return settings.LOYAL_RETENTION["grace_days"]


# Each rule below has a Python form, for one prospect, and a SQL form, for the purge, the
# gate and the lists, side by side; tests/prospects/test_retention_forms.py checks they agree.


def is_current_customer(prospect) -> bool:
    """A customer's clock starts when the relationship ends (docs/rules.md §2.1): none while it lasts."""
    return prospect.is_customer and prospect.customer_relationship_ended_at is None


def current_customer() -> Q:
    """SQL form of ``is_current_customer``."""
    return Q(is_customer=True, customer_relationship_ended_at__isnull=True)


def is_expired(prospect, *, today: date | None = None) -> bool:
    """Past the deadline, under no running legal hold, not a current customer (§2.1, §2.6)."""
    today = today or timezone.localdate()
    held = prospect.legal_hold_until is not None and prospect.legal_hold_until >= today
    if prospect.company_only:  # no personal data in it: GDPR 5(1)(e) does not apply (§1.2)
        return False
    return prospect.retention_until < today and not held and not is_current_customer(prospect)


def expired(today: date) -> Q:
    """SQL form of ``is_expired``: what the purge deletes, the gate refuses (G1) and lists count."""
    no_hold = Q(legal_hold_until__isnull=True) | Q(legal_hold_until__lt=today)
    not_current_customer = Q(is_customer=False) | Q(customer_relationship_ended_at__isnull=False)
    return Q(retention_until__lt=today) & no_hold & not_current_customer & Q(company_only=False)


def _no_hold(today: date) -> Q:
    return Q(legal_hold_until__isnull=True) | Q(legal_hold_until__lt=today)


def is_purgeable(prospect, *, today: date | None = None) -> bool:
    """Expired and not restricted: what the retention purge deletes (§2.1, §2.6).

    GDPR 18: restricted data are only stored. Under 18(1)(b) or (c) the person wants them
    kept, under 18(1)(a) or (d) they are being checked; either way the purge leaves them
    until the restriction is lifted, then applies the deadline again (INTERP).
    """
    return is_expired(prospect, today=today) and not prospect.is_restricted


def purgeable(today: date) -> Q:
    """SQL form of ``is_purgeable``."""
    return expired(today) & Q(restricted_at__isnull=True)


def held_exchanges_expired(today: date) -> Q:
    """Past the deadline, not a current customer, not yet restricted, under a running legal hold
    that keeps the exchanges only: the purge removes the rest of the record (§2.6: a hold blocks
    the purge of its scope only) and restricts what the hold keeps."""
    running = Q(legal_hold_until__gte=today, legal_hold_scope=LegalHoldScope.EXCHANGES)
    not_current_customer = Q(is_customer=False) | Q(customer_relationship_ended_at__isnull=False)
    return (
        Q(retention_until__lt=today)
        & running
        & not_current_customer
        & Q(restricted_at__isnull=True, company_only=False)
    )


# GDPR 14(3)(a): one month at most after the data were obtained (docs/rules.md §5).
ART14_MONTH = timedelta(days=30)


def is_art14_overdue(prospect, *, now: datetime) -> bool:
    """An indirect source still uninformed a month after it was obtained: the purge deletes it (§5).

    Not under a legal hold, not restricted, not a current customer (informed at the sale, GDPR 13).
    """
    today = timezone.localdate(now)
    if prospect.is_restricted or prospect.hold_scope(today=today) or is_current_customer(prospect):
        return False
    if prospect.company_only:  # GDPR 14 informs persons; a company record names none (§1.2)
        return False
    return any(
        is_indirect(source) and source.notice != Notice.ART14_SENT and source.acquired_at < now - ART14_MONTH
        for source in prospect.sources.all()
    )


def art14_overdue(now: datetime) -> Q:
    """SQL form of ``is_art14_overdue``."""
    late = Source.objects.filter(indirect(), prospect=OuterRef("pk"), acquired_at__lt=now - ART14_MONTH)
    return (
        Exists(late.exclude(notice=Notice.ART14_SENT))
        & Q(restricted_at__isnull=True)
        & _no_hold(timezone.localdate(now))
        & ~current_customer()
        & Q(company_only=False)
    )


def kept_until_of(prospect) -> date:
    """The last day a prospect is kept: its deadline, or a later legal hold."""
    return max(prospect.retention_until, prospect.legal_hold_until or prospect.retention_until)


def kept_until():
    """SQL form of ``kept_until_of``."""
    return Greatest("retention_until", Coalesce("legal_hold_until", "retention_until"))


def is_due_within(prospect, days: int, *, today: date) -> bool:
    """The purge removes this prospect within ``days`` days (its owner is warned: §2.1)."""
    last_day = kept_until_of(prospect)
    return not is_current_customer(prospect) and today <= last_day <= today + timezone.timedelta(days=days)


def due_within(days: int, *, today: date, among=None):
    """SQL form of ``is_due_within``: ``among`` (all prospects by default) with their ``kept_until``."""
    prospects = Prospect.objects.all() if among is None else among
    return (
        prospects.exclude(current_customer())
        .alias(kept=kept_until())
        .filter(kept__gte=today, kept__lte=today + timezone.timedelta(days=days))
        .annotate(kept_until=F("kept"))
    )


def due_soon(*, today: date, among=None):
    """The prospects purged within the grace window: the home page, the list filter, the register."""
    return due_within(grace_days(), today=today, among=among)


@transaction.atomic
def place_legal_hold(
    prospect: Prospect, *, until: date, reason: str, by, scope: str = LegalHoldScope.RECORD
) -> Prospect:
    """Keep a prospect past its deadline until ``until`` (e.g. a claim: GDPR 17(3)(e), 18(1)(c)).

    The hold is recorded with who placed it and when, its scope, and in the history. It
    never moves ``retention_until``: when the hold ends the normal deadline applies again.
    It blocks the purge, and an erasure keeps its scope only (docs/rules.md §2.6).
    """
    reason = reason.strip()
    errors = {}
    if scope not in LegalHoldScope.values:
        errors["scope"] = [_("Choose what the legal hold keeps: the whole record or the exchanges.")]
    if not reason:
        errors["reason"] = [_("Say why the record must be kept: a legal hold needs a reason.")]
    limit = Prospect._meta.get_field("legal_hold_reason").max_length
    for check in (MaxLengthValidator(limit), ProhibitNullCharactersValidator()):
        try:
            check(reason)
        except ValidationError as error:
            errors.setdefault("reason", []).extend(error.messages)
    if until <= timezone.localdate():
        errors["until"] = [_("A legal hold must end in the future.")]
    if errors:
        raise ValidationError(errors)
    locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
    locked.legal_hold_until = until
    locked.legal_hold_reason = reason
    locked.legal_hold_placed_by = by
    locked.legal_hold_placed_at = timezone.now()
    locked.legal_hold_scope = scope
    locked._history_user = by
    locked._change_reason = "legal hold"
    fields = [
        "legal_hold_until",
        "legal_hold_reason",
        "legal_hold_placed_by",
        "legal_hold_placed_at",
        "legal_hold_scope",
    ]
    locked.save(update_fields=[*fields, "updated_at"])
    for name in fields:
        setattr(prospect, name, getattr(locked, name))
    return prospect


def send_retention_digest(*, today: date | None = None) -> int:
    """Tell each owner which of their prospects the purge removes within the grace window.

    Each deadline is announced once: a prospect comes back only when its last day
    changed (a reply restarted the clock, a hold was placed) and nears again. The
    digest says what would keep one (docs/rules.md §2.1: one re-permission contact at term).
    Returns the number of emails sent.
    """
    today = today or timezone.localdate()
    due = (
        due_soon(today=today)
        .exclude(retention_warned_for=F("kept_until"))
        .filter(owner__is_active=True)
        .exclude(owner__email="")
        .select_related("owner", "company")
        .order_by("owner_id", "kept_until", "id")
    )
    by_owner: dict = {}
    for prospect in due:
        by_owner.setdefault(prospect.owner, []).append(prospect)
    connection = get_connection()
    for owner, prospects in by_owner.items():
        _digest_email(owner, prospects, connection=connection).send()
        Prospect.objects.filter(pk__in=[p.pk for p in prospects]).update(retention_warned_for=kept_until())
    return len(by_owner)


def _digest_email(owner, prospects: list[Prospect], *, connection) -> EmailMessage:
    context = {
        "owner": owner,
        "prospects": prospects,
        "grace_days": grace_days(),
        "years": prospect_years(),
        "site_url": settings.LOYAL_SITE_URL.rstrip("/"),
    }
    subject = ngettext(
        "Loyal: %(count)d prospect will be deleted within %(days)d days",
        "Loyal: %(count)d prospects will be deleted within %(days)d days",
        len(prospects),
    ) % {"count": len(prospects), "days": grace_days()}
    body = render_to_string("prospects/retention_digest.txt", context)
    return EmailMessage(subject=subject, body=body, to=[owner.email], connection=connection)


@dataclass(frozen=True)
class Week:
    """Prospects whose last day falls in [first, last]: the purge deletes them the day after."""

    first: date
    last: date
    count: int


def upcoming_purges(*, today: date | None = None, days: int | None = None) -> list[Week]:
    """Counts of prospects leaving within ``days`` (default: the grace window), week by week."""
    today = today or timezone.localdate()
    days = grace_days() if days is None else days
    per_day = dict(
        due_within(days, today=today)
        .values("kept_until")
        .annotate(n=Count("pk"))
        .values_list("kept_until", "n")
    )
    weeks = []
    for start in range(0, days + 1, 7):
        first = today + timezone.timedelta(days=start)
        last = min(first + timezone.timedelta(days=6), today + timezone.timedelta(days=days))
        count = sum(n for day, n in per_day.items() if first <= day <= last)
        weeks.append(Week(first=first, last=last, count=count))
    return weeks
