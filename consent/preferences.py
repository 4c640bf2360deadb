"""The person's own preference page: object per channel or to everything, withdraw consents.

Both take effect at once (docs/rules.md §2.3: automated on click) and go through the same entry
points as every other route, so each choice leaves its record.
"""

from dataclasses import dataclass

from django.db import transaction

from consent import objections, recording, state
from consent.channels import Channel
from consent.models import ConsentState, Purpose, Route
from prospects import suppression
from prospects.models import Prospect


@dataclass(frozen=True)
class ChannelChoice:
    channel: Channel
    objected: bool


@dataclass(frozen=True)
class ConsentChoice:
    purpose: Purpose
    channel: Channel

    @property
    def key(self) -> str:
        return f"{self.purpose.code}:{self.channel.value}"


def channel_choices(prospect: Prospect) -> list[ChannelChoice]:
    return [
        ChannelChoice(channel, suppression.is_suppressed(prospect, channel=channel)) for channel in Channel
    ]


def valid_consents(prospect: Prospect) -> list[ConsentChoice]:
    """The consents that count today, which the person may withdraw here."""
    purposes = {purpose.code: purpose for purpose in Purpose.objects.all()}
    return [
        ConsentChoice(purposes[code], Channel(channel))
        for (code, channel), current in sorted(state.states_of(prospect).items())
        if current == ConsentState.VALID
    ]


@dataclass(frozen=True)
class Applied:
    recorded: int  # objections and withdrawals recorded
    kept: bool  # False when an objection to everything reduced the record to its hash


@transaction.atomic
def apply_preferences(
    prospect: Prospect, *, object_to: list[str], object_to_all: bool, withdraw: list[str]
) -> Applied:
    """Record the objections and withdrawals the person chose.

    An objection to everything may reduce the record to its hash (consent/objections.py): its
    consents go with it, so nothing is left to withdraw.
    """
    recorded = 0
    if object_to_all:
        objection = objections.record_objection(prospect, channel="", via=Route.PREFERENCES)
        if objections.reduced(objection):
            return Applied(recorded=1, kept=False)
        recorded += 1
    for channel in dict.fromkeys(object_to):
        if channel in Channel.values and not object_to_all:
            objections.record_objection(prospect, channel=channel, via=Route.PREFERENCES)
            recorded += 1
    withdrawable = {choice.key: choice for choice in valid_consents(prospect)}
    for key in dict.fromkeys(withdraw):
        if key in withdrawable:
            choice = withdrawable[key]
            recording.withdraw_consent(
                prospect, purpose_code=choice.purpose.code, channel=choice.channel, via=Route.PREFERENCES
            )
            recorded += 1
    return Applied(recorded=recorded, kept=True)
