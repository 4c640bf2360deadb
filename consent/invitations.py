"""The sign-up page a rep invites a prospect to: the person gives consent themselves.

Each box is specific to one purpose and one channel, never pre-ticked, and its text is
the wording recorded as proof with its version and hash (GDPR 4(11), 7; EDPB 05/2020).
The choices are confirmed by double opt-in before they count.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.channels import Channel
from consent.models import Action, Consent, Method, Purpose
from consent.recording import Proof, record_consent, send_confirmation
from org.models import Organisation
from prospects import suppression
from prospects.models import Prospect

# Bump whenever the wording below changes: the proof names the version the person saw.
WORDING_VERSION = "invitation-2026-1"
# At most one confirmation e-mail per person and channel in this time: the page is public,
# and its link must not become a way to flood someone's mailbox.
CONFIRMATION_INTERVAL = timedelta(hours=24)


@dataclass(frozen=True)
class Choice:
    purpose: Purpose
    channel: Channel
    wording: str

    @property
    def key(self) -> str:
        return f"{self.purpose.code}:{self.channel.value}"


def controller_name() -> str:
    """The controller the person consents to (GDPR 4(11), 7: consent names its controller)."""
    return Organisation.objects.current().name


def wording_for(purpose: Purpose, channel: Channel) -> str:
    """The sentence next to the box, in the active language; it is what the proof records."""
    return _(
        "I agree that %(controller)s contacts me by %(channel)s for this purpose: %(purpose)s. "
        "I can withdraw this consent at any time, as easily as I gave it, with the link in every "
        "message or on my preference page."
    ) % {"controller": controller_name(), "channel": channel.label.lower(), "purpose": purpose.label}


def offered_channels(prospect: Prospect) -> list[Channel]:
    """The channels the person can be reached on, and has not objected to."""
    offered = [Channel.EMAIL] if prospect.email else []
    if prospect.phone:
        offered += [Channel.PHONE, Channel.SMS]
    if prospect.linkedin_url:
        offered.append(Channel.LINKEDIN_MSG)
    return [channel for channel in offered if not suppression.is_suppressed(prospect, channel=channel)]


def choices_for(prospect: Prospect) -> list[Choice]:
    purposes = Purpose.objects.filter(is_active=True).order_by("code")
    return [
        Choice(purpose, channel, wording_for(purpose, channel))
        for purpose in purposes
        for channel in offered_channels(prospect)
    ]


def asked_recently(prospect: Prospect, *, channels: set[str]) -> set[str]:
    """The channels on which the person was sent a confirmation within CONFIRMATION_INTERVAL."""
    since = timezone.now() - CONFIRMATION_INTERVAL
    pending = Consent.objects.filter(
        prospect=prospect,
        channel__in=channels,
        action=Action.GRANT,
        method=Method.DOUBLE_OPT_IN,
        recorded_at__gte=since,
    )
    return set(pending.values_list("channel", flat=True))


@transaction.atomic
def accept_invitation(
    prospect: Prospect, *, chosen: list[str], issued_by, ip: str | None, user_agent: str
) -> list[Consent]:
    """Record each ticked box as a pending double opt-in grant, then email the confirmation link;
    a channel already asked within CONFIRMATION_INTERVAL is neither recorded nor mailed again."""
    by_key = {choice.key: choice for choice in choices_for(prospect)}
    picked = [by_key[key] for key in dict.fromkeys(chosen) if key in by_key]
    if not picked:
        raise ValidationError({"choices": [_("Tick at least one box, or simply close this page.")]})
    asked = asked_recently(prospect, channels={choice.channel for choice in picked})
    picked = [choice for choice in picked if choice.channel not in asked]
    if not picked:
        # Answered as a first post is, so that the page tells no one whether a mail left.
        return []
    consents = [
        record_consent(
            prospect,
            purpose_code=choice.purpose.code,
            channel=choice.channel,
            proof=Proof(
                method=Method.DOUBLE_OPT_IN,
                wording=choice.wording,
                wording_version=WORDING_VERSION,
                ip=ip,
                user_agent=user_agent,
                collected_by=issued_by,
            ),
            ask_confirmation=False,
        )
        for choice in picked
    ]
    send_confirmation(prospect, consents)
    return consents
