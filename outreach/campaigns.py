"""Writing campaigns, and reading their outbox for the preview and the outcome.

A campaign is edited only before it is sent; an edit makes its preview stale, so the
outbox is cleared and the campaign is a draft again until it is decided anew.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from consent.models import Purpose
from org.accounts import team_of
from org.conflicts import StateConflict
from outreach.models import Campaign, CampaignChannel, CampaignKind, CampaignStatus, Message, MessageStatus
from outreach.policy import Decision, Reason
from outreach.reasons import how_to_fix
from prospects.models import ProspectList, SavedView

EDITABLE = (
    "name", "purpose", "channel", "kind", "target_list", "target_segment", "target_functions",
    "offer_related_to_profession", "offer_category", "subject_fr", "body_fr", "subject_en", "body_en",
    "sender_name", "sender_email",
)  # fmt: skip
TARGETS = ("target_list", "target_segment")


def _target_errors(data: dict, *, by) -> dict:
    """A campaign reaches one list or one segment its author may use, and nobody else."""
    chosen = [name for name in TARGETS if data.get(name) is not None]
    if not chosen:
        return {"target_list": [_("Choose the list or the segment this campaign is for.")]}
    if len(chosen) == 2:
        return {"target_segment": [_("Choose a list or a segment, not both.")]}
    chosen_list = data.get("target_list")
    if chosen_list is not None and not (
        isinstance(chosen_list, ProspectList)
        and ProspectList.objects.visible_to(by).filter(pk=chosen_list.pk).exists()
    ):
        return {"target_list": [_("Choose one of your team's lists.")]}
    if (segment := data.get("target_segment")) is not None and not (
        isinstance(segment, SavedView) and SavedView.objects.usable_by(by).filter(pk=segment.pk).exists()
    ):
        return {"target_segment": [_("Choose one of your saved views or one your team shares.")]}
    return {}


def sends_from_verified_domain(address: str) -> bool:
    """The From of a campaign e-mail is in a domain the organisation set up (LOYAL_SENDING_DOMAINS)."""
    domain = address.strip().rpartition("@")[2].lower()
    return bool(domain) and domain in settings.LOYAL_SENDING_DOMAINS


def _clean(fields: Mapping, *, by) -> dict:
    data = {name: fields[name] for name in EDITABLE if name in fields}
    errors = {}
    if any(name in fields for name in TARGETS):
        # The target is one choice: naming one of the two clears the other.
        data.update({name: fields.get(name) for name in TARGETS})
        errors.update(_target_errors(data, by=by))
    if "name" in data and not str(data["name"]).strip():
        errors["name"] = [_("Give the campaign a name.")]
    if "channel" in data and data["channel"] not in CampaignChannel.values:
        errors["channel"] = [_("Choose a channel: email, SMS, phone, post or LinkedIn message.")]
    if "kind" in data and data["kind"] not in CampaignKind.values:
        errors["kind"] = [_("Choose a promotion or a consent request.")]
    if "purpose" in data and not (isinstance(data["purpose"], Purpose) and data["purpose"].is_active):
        errors["purpose"] = [_("Choose a declared purpose.")]
    for name in ("subject_fr", "subject_en", "sender_name"):
        if "\n" in str(data.get(name, "")) or "\r" in str(data.get(name, "")):
            # A line break in a header would let the text add headers of its own.
            errors[name] = [_("Keep this on one line.")]
    if "sender_email" in data and not sends_from_verified_domain(str(data["sender_email"])):
        errors["sender_email"] = [
            _(
                "Send from an address of the organisation's verified sending domains (%(domains)s): "
                "receiving servers check the domain (SPF, DKIM, DMARC), and another one would be "
                "rejected or spoofed."
            )
            % {"domains": ", ".join(settings.LOYAL_SENDING_DOMAINS)}
        ]
    if "target_functions" in data:
        data["target_functions"] = [str(f).strip() for f in data["target_functions"] if str(f).strip()]
    if errors:
        raise ValidationError(errors)
    return data


def create_campaign(*, by, **fields) -> Campaign:
    data = _clean({"target_list": None, "target_segment": None, **fields}, by=by)
    return Campaign.objects.create(created_by=by, team=team_of(by), **data)


@transaction.atomic
def update_campaign(campaign: Campaign, *, by, **fields) -> Campaign:
    """Edit a campaign not yet sent; its preview is dropped (it described the old text)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_editable:
        raise StateConflict({"__all__": [_("A campaign being sent or done can no longer be changed.")]})
    for name, value in _clean(fields, by=by).items():
        setattr(campaign, name, value)
    campaign.status = CampaignStatus.DRAFT
    campaign.decided_at = None
    campaign.save()
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Message._meta.db_table)
        cursor.execute(f"DELETE FROM {table} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608
    return campaign


@dataclass(frozen=True)
class ReasonCount:
    reason: Reason
    decision: Decision
    count: int

    @property
    def how_to_fix(self) -> str:
        return how_to_fix(self.reason)

    @property
    def allowed(self) -> bool:
        return self.decision != Decision.REFUSE


def counts_per_reason(campaign: Campaign) -> list[ReasonCount]:
    """The preview's summary: how many recipients for each decision and reason, refusals first."""
    rows = (
        Message.objects.filter(campaign=campaign)
        .values("reason", "decision")
        .annotate(count=Count("id"))
        .order_by("reason", "decision")
    )
    counts = [ReasonCount(Reason(r["reason"]), Decision(r["decision"]), r["count"]) for r in rows]
    return sorted(counts, key=lambda c: (c.allowed, -c.count, c.reason))


@dataclass(frozen=True)
class StatusCount:
    value: str
    label: str
    count: int


def counts_per_status(campaign: Campaign) -> list[StatusCount]:
    rows = Message.objects.filter(campaign=campaign).values("status").annotate(count=Count("id")).order_by()
    counts = {row["status"]: row["count"] for row in rows}
    return [StatusCount(s.value, str(s.label), counts[s.value]) for s in MessageStatus if s.value in counts]


def recipients_page(campaign: Campaign, *, reason: str = "", after: int = 0, size: int = 50) -> QuerySet:
    """One page of the outbox in id order (keyset: no OFFSET), optionally one reason only."""
    rows = Message.objects.filter(campaign=campaign, pk__gt=after).select_related("prospect__company")
    if reason:
        rows = rows.filter(reason=reason)
    return rows.order_by("pk")[:size]
