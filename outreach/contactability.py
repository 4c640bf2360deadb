"""Whether one prospect may be contacted today, channel by channel, and why.

Reads the prospect's stored facts into the gate's inputs (rules §1.1) and asks
``policy.decide`` for each channel. Campaign-specific inputs take their lawful default
here: an offer related to the person's job, a compliant template.
"""

from dataclasses import dataclass

from django.utils import timezone

from consent.channels import Channel
from consent.state import consent_state
from outreach.policy import ConsentState, Situation, Verdict, decide
from prospects import provenance, retention, suppression
from prospects.models import Notice, Prospect

CHANNELS = (Channel.EMAIL, Channel.LINKEDIN_MSG, Channel.PHONE, Channel.SMS, Channel.POSTAL)


@dataclass(frozen=True)
class ChannelVerdict:
    channel: Channel
    verdict: Verdict


def situation_for(
    prospect: Prospect, channel: str, *, related: bool = True, template_ok: bool = True
) -> Situation:
    source = prospect.sources.order_by("acquired_at", "pk").first()
    notice = source.notice if source else Notice.NONE
    now = timezone.now()
    consent = consent_state(prospect, channel=channel)
    return Situation(
        channel=channel,
        audience=prospect.audience or None,
        source=provenance.policy_source(source.type if source else None, source.evidence if source else {}),
        offer_related_to_profession=related,
        notice=notice,
        acquired_at=timezone.localdate(source.acquired_at) if source else None,
        objection=suppression.is_suppressed(prospect, channel=channel),
        consent=consent,
        # consent.state counts only consents naming us: ours, or a broker's whose form named us.
        consent_by_named_broker=consent == ConsentState.VALID,
        customer_similar=prospect.is_customer,
        customer_relationship_ended_at=prospect.customer_relationship_ended_at,
        retention_expired=retention.is_expired(prospect),
        template_ok=template_ok,
        now=timezone.localdate(now),
        restricted=prospect.is_restricted,
    )


def contactability(prospect: Prospect) -> list[ChannelVerdict]:
    return [ChannelVerdict(channel, decide(situation_for(prospect, channel))) for channel in CHANNELS]
