"""Whether one prospect may be contacted today, channel by channel, and why.

Reads the prospect's stored facts into the gate's inputs (docs/rules.md §1.1) and asks
``policy.decide`` for each channel. Campaign-specific inputs take their lawful default
here: an offer related to the person's job, a compliant template. A campaign's
messages are re-checked at send time through ``campaign_situation``, the
one-prospect twin of the bulk decision in ``decisions.py``.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from consent.channels import Channel
from consent.state import DEFAULT_PURPOSE, consent_state
from outreach import calls, frequency
from outreach.models import ADDRESS_FIELD, Message, MessageStatus, ObjectionProposal, UndeliverableAddress
from outreach.policy import ConsentState, Reason, Situation, Verdict, decide
from prospects import customers, provenance, retention, suppression
from prospects.models import Notice, Prospect

# A prospect's page asks about an offer like what the customer bought: the lawful default.
SAME_AS_SALE = object()
# What customers.soft_opt_in found, as the gate's input (docs/rules.md §1.1 customer_similar).
CUSTOMER_GAPS = {
    customers.NO_SALE_CATEGORY: Reason.REF_SOFT_OPTIN_NO_SALE_CATEGORY,
    customers.NO_OFFER_CATEGORY: Reason.REF_SOFT_OPTIN_NO_OFFER_CATEGORY,
    customers.NOT_ANALOGOUS: Reason.REF_SOFT_OPTIN_NOT_ANALOGOUS,
    customers.NO_OPT_OUT: Reason.REF_SOFT_OPTIN_NO_OPT_OUT,
}

CHANNELS = (Channel.EMAIL, Channel.LINKEDIN_MSG, Channel.PHONE, Channel.SMS, Channel.POSTAL)


@dataclass(frozen=True)
class ChannelVerdict:
    channel: Channel
    verdict: Verdict
    reachable: bool = True  # the prospect has an address on this channel


def situation_for(
    prospect: Prospect,
    channel: str,
    *,
    related: bool = True,
    template_ok: bool = True,
    purpose_code: str = DEFAULT_PURPOSE,
    consent_request_repeated: bool = False,
    now: datetime | None = None,
    calling: bool = False,
    analogous=SAME_AS_SALE,
) -> Situation:
    """``calling``: the call is being made now, so its day and hour count (C. conso D223-9)."""
    now = now or timezone.now()
    phone = channel == Channel.PHONE
    today = timezone.localdate(now)
    if analogous is SAME_AS_SALE:
        analogous = frozenset([prospect.customer_category_id]) if prospect.customer_category_id else None
    soft = customers.soft_opt_in(prospect, analogous=analogous)
    source = prospect.sources.order_by("acquired_at", "pk").first()
    notice = source.notice if source else Notice.NONE
    consent = consent_state(prospect, channel=channel, purpose_code=purpose_code)
    return Situation(
        channel=channel,
        audience=prospect.audience or None,
        source=provenance.policy_source(source.type if source else None, source.evidence if source else {}),
        offer_related_to_profession=related,
        notice=notice,
        acquired_at=timezone.localdate(source.acquired_at) if source else None,
        objection=(
            suppression.is_suppressed(prospect, channel=channel) or pending_stop_reply(prospect, channel)
        ),
        consent=consent,
        # consent.state counts only consents naming us: ours, or a broker's whose form named us.
        consent_by_named_broker=consent == ConsentState.VALID,
        customer_similar=soft == customers.SIMILAR,
        customer_gap=CUSTOMER_GAPS.get(soft),
        has_ongoing_contract_related_offer=customers.ongoing_contract(
            prospect, analogous=analogous, today=today
        ),
        customer_relationship_ended_at=prospect.customer_relationship_ended_at,
        retention_expired=retention.is_expired(prospect, today=today),
        template_ok=template_ok,
        now=today,
        restricted=prospect.is_restricted,
        frequency_capped=frequency.is_capped(prospect, now=now),
        consent_request_repeated=consent_request_repeated,
        # GDPR 4(1): only a company record with no person in it is outside the GDPR duties.
        natural_person=not prospect.company_only,
        call_time=timezone.localtime(now).replace(tzinfo=None) if phone and calling else None,
        calls_last_30_days=calls.calls_in_window(prospect, now=now) if phone else 0,
        call_refused_within_60_days=phone and calls.refused_recently(prospect, now=now),
        undeliverable=is_undeliverable(prospect, channel),
    )


def pending_stop_reply(prospect: Prospect, channel: str) -> bool:
    """A "stop" reply awaiting the rep counts as an objection on e-mail (GDPR 21(3); docs/rules.md §2.3)."""
    return channel == Channel.EMAIL and ObjectionProposal.objects.pending().filter(prospect=prospect).exists()


def is_undeliverable(prospect: Prospect, channel: str) -> bool:
    """A permanent delivery failure was reported for the prospect's e-mail address (RFC 3464)."""
    if channel != Channel.EMAIL or not prospect.email_index:
        return False
    return UndeliverableAddress.objects.filter(email_index=prospect.email_index).exists()


def campaign_situation(
    campaign, prospect: Prospect, *, now: datetime | None = None, calling: bool = False
) -> Situation:
    """The gate's inputs for one recipient of ``campaign``: the single-prospect path."""
    repeated = (
        campaign.is_consent_request
        and Message.objects.filter(
            prospect=prospect, consent_request=True, status__in=[MessageStatus.SENT, MessageStatus.LOGGED]
        ).exists()
    )
    return situation_for(
        prospect,
        campaign.channel,
        related=campaign.offer_related_for(prospect),
        template_ok=campaign.template_ok(prospect.language),
        purpose_code=campaign.purpose.code,
        consent_request_repeated=repeated,
        now=now,
        calling=calling,
        analogous=campaign.analogous_categories(),
    )


def contactability(prospect: Prospect) -> list[ChannelVerdict]:
    return [
        ChannelVerdict(
            channel,
            decide(situation_for(prospect, channel)),
            reachable=getattr(prospect, ADDRESS_FIELD[channel]) is not None,
        )
        for channel in CHANNELS
    ]
