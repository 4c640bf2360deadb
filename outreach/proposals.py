"""Objection proposals: a reply that reads like "stop", decided by a rep.

Until it is decided, the gate treats the prospect as objected on e-mail (decisions.py,
contactability.py). Confirming records an objection received by reply (GDPR 21(3));
dismissing needs a reason, kept with the proposal (GDPR 5(2): the decision is shown).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.channels import Channel
from consent.models import Route
from consent.objections import record_objection
from outreach.models import ObjectionProposal, ProposalStatus
from prospects.timeline import screening_error

MAX_REASON_CHARS = 500


def pending_for(user):
    return (
        ObjectionProposal.objects.visible_to(user)
        .pending()
        .select_related("prospect", "inbound")
        .order_by("created_at")
    )


def _pending(proposal: ObjectionProposal) -> ObjectionProposal:
    locked = ObjectionProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.PENDING:
        raise ValidationError({"status": [_("This proposal was already decided.")]})
    return locked


@transaction.atomic
def confirm_proposal(proposal: ObjectionProposal, *, by) -> ObjectionProposal:
    """The rep reads the reply as an objection: recorded on e-mail, received by reply."""
    proposal = _pending(proposal)
    received = proposal.inbound.sent_at or proposal.created_at
    record_objection(
        proposal.prospect,
        channel=Channel.EMAIL,
        via=Route.REPLY,
        by=by,
        received_at=min(received, timezone.now()),
    )
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.CONFIRMED, by, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal


@transaction.atomic
def dismiss_proposal(proposal: ObjectionProposal, *, reason: str, by) -> ObjectionProposal:
    """The reply did not ask to stop (a quoted footer, "stop by our stand"): say why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why this reply is not an objection.")]})
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError(
            {"reason": [_("Keep the reason under %(count)d characters.") % {"count": MAX_REASON_CHARS}]}
        )
    error = screening_error(reason)
    if error:
        raise ValidationError({"reason": [error]})
    proposal = _pending(proposal)
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.DISMISSED, by, timezone.now()
    proposal.dismiss_reason = reason
    proposal.save(update_fields=["status", "decided_by", "decided_at", "dismiss_reason"])
    return proposal
