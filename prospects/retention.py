"""How long a prospect is kept (rules §2.1-2.2; CNIL référentiel délib. 2021-131).

The clock starts at the later of collection and the last contact *emanating from the
prospect*. Opens, our own sends, bounces, enrichment, re-imports and edits never move
it: KASPR was sanctioned for a period renewed on each update, CALOGA for resetting it
on e-mail opens (Art. 5(1)(e)).
"""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from prospects.models import Direction, InteractionType

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
        InteractionType.LINKEDIN_MESSAGE_SENT,
        InteractionType.LETTER_SENT,
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


def is_expired(prospect, *, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    held = prospect.legal_hold_until is not None and prospect.legal_hold_until >= today
    return prospect.retention_until < today and not held
