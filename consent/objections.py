"""Recording an objection (GDPR art. 21), whatever route it came by.

``record_objection`` is the one entry point: it writes the Objection row (who recorded
it, when it was received, by which route), adds the person's keyed hashes to the
suppression list so that every later send and every re-import is blocked, and queues
the objection for the broker when the prospect came from a rented list.
"""

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.channels import Channel
from consent.models import Objection, Route
from prospects import suppression
from prospects.models import Prospect, SourceType

logger = logging.getLogger(__name__)


def covering(prospect: Prospect, *, channel: str) -> Objection | None:
    """An objection already recorded that covers ``channel`` (a global one covers all)."""
    scopes = Q(channel="") | Q(channel=channel) if channel else Q(channel="")
    return Objection.objects.filter(scopes, prospect=prospect).order_by("received_at", "id").first()


def _check(*, channel: str, via: str, received_at: datetime) -> None:
    errors = {}
    if channel and channel not in Channel.values:
        errors["channel"] = [_("Choose a known channel, or none for every channel.")]
    if via not in Route.values:
        errors["received_via"] = [_("Say how the objection reached us.")]
    if received_at > timezone.now():
        errors["received_at"] = [_("This date is in the future.")]
    if errors:
        raise ValidationError(errors)


def _broker_reference(prospect: Prospect) -> dict[str, str]:
    """The rented list the person came from, so that the broker can remove them too."""
    source = prospect.sources.filter(type=SourceType.BROKER).order_by("acquired_at", "pk").first()
    if source is None:
        return {}
    evidence = source.evidence
    return {
        "broker": str(evidence.get("broker") or "")[:200],
        "broker_contract_ref": str(evidence.get("contract_ref") or "")[:200],
        "broker_list_id": str(evidence.get("list_id") or "")[:200],
    }


@transaction.atomic
def record_objection(
    prospect: Prospect, *, channel: str = "", via: str, by=None, received_at: datetime | None = None
) -> Objection:
    """Art. 21(2)-(3): an objection to direct marketing ends it, at once and for good.

    ``channel`` empty means every channel. ``by`` is the user who recorded it, or None
    when the person acted themselves (link, preference page). Idempotent: an objection
    already covering the channel is returned as it is, after re-applying the suppression
    (the identifiers may have been rectified since).
    """
    received_at = received_at or timezone.now()
    _check(channel=channel, via=via, received_at=received_at)
    # docs/rules.md §2.3: applied immediately, keyed hashes only; it outlives the prospect.
    suppression.suppress(prospect, channel=channel, origin=via)
    existing = covering(prospect, channel=channel)
    if existing is not None:
        return existing
    # A broker that told us of the objection does not need to be told back.
    broker = _broker_reference(prospect) if via != Route.BROKER else {}
    objection = Objection.objects.create(
        prospect=prospect,
        channel=channel,
        received_via=via,
        received_at=received_at,
        recorded_by=by,
        **broker,
    )
    # Identifiers only: never the person's details in the logs (docs/rules.md §6).
    logger.info("objection %s recorded for prospect %s via %s", objection.pk, prospect.pk, via)
    return objection
