"""What the consent panel of a prospect page shows: history with proof, current state, invitation."""

from consent import invitations, links, state
from consent.channels import Channel
from consent.models import Purpose
from prospects.models import Prospect


def consent_review(prospect: Prospect, *, viewer, can_edit: bool) -> dict:
    purposes = {purpose.code: purpose for purpose in Purpose.objects.all()}
    current = [
        (purposes[code], Channel(channel), value)
        for (code, channel), value in sorted(state.states_of(prospect).items())
    ]
    can_invite = can_edit and bool(prospect.email) and bool(invitations.offered_channels(prospect))
    return {
        "prospect": prospect,
        "can_edit": can_edit,
        "current": current,
        "consents": prospect.consents.select_related(
            "purpose", "collected_by", "recorded_by", "confirmation"
        )[:200],
        "objections": prospect.objections.select_related("recorded_by", "forwarded_in")[:200],
        "invitation_url": links.invitation_url(prospect, issued_by=viewer) if can_invite else "",
    }
