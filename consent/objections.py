"""Recording an objection (GDPR art. 21), whatever route it came by.

``record_objection`` is the one entry point: it writes the Objection row (who recorded
it, when it was received, by which route), adds the person's keyed hashes to the
suppression list so that every later send and every re-import is blocked, and queues
the objection for its recipients (GDPR 19: the source broker when the prospect came
from a rented list, and the other systems), all in one transaction.

After an objection to every channel, a record that nothing else justifies keeping is
reduced to its hash (GDPR 5(1)(c); CNIL MED-2023-040; docs/rules.md §2.3): it is erased
through the purge's deletion core, leaving the suppression hashes, the propagation
entry and the Objection row, unlinked.
"""

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.channels import Channel
from consent.models import Objection, Route
from prospects import propagation, retention, suppression
from prospects.models import Propagation, Prospect, PurgeReason
from prospects.purge import erase_prospects

logger = logging.getLogger(__name__)

REDUCED = gettext_lazy(
    "Objection recorded for every channel. The record was reduced to its keyed hashes on the "
    "suppression list (GDPR art. 5(1)(c)): the person's details are erased, they cannot be recorded "
    "again, and the recipients of their data are told (GDPR art. 19)."
)


def reduced(objection: Objection) -> bool:
    """The objection erased its record: only the hashes and the propagation entry remain."""
    return objection.prospect_id is None


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


def reduces_to_hash(prospect: Prospect, *, today=None) -> bool:
    """After a global objection: is the record reduced to its hash (docs/rules.md §2.1, §2.3)?

    Not for a current customer (the relationship still needs the record), nor while a
    legal hold (GDPR 17(3)(e)) or a restriction (GDPR 18: storage only, the person asked
    that the data be kept) stands.
    """
    today = today or timezone.localdate()
    held = prospect.legal_hold_until is not None and prospect.legal_hold_until >= today
    return not (retention.is_current_customer(prospect) or held or prospect.is_restricted)


def _broker_reference(entry: Propagation) -> dict[str, str]:
    """The rented list the person came from, as the propagation entry read it."""
    return {
        "broker": entry.broker,
        "broker_contract_ref": entry.broker_contract_ref,
        "broker_list_id": entry.broker_list_id,
    }


@transaction.atomic
def record_objection(
    prospect: Prospect, *, channel: str = "", via: str, by=None, received_at: datetime | None = None
) -> Objection:
    """Art. 21(2)-(3): an objection to direct marketing ends it, at once and for good.

    ``channel`` empty means every channel. ``by`` is the user who recorded it, or None
    when the person acted themselves (link, preference page). Idempotent: an objection
    already covering the channel is returned as it is, after re-applying the suppression
    (the identifiers may have been rectified since). A new global objection of a
    record that ``reduces_to_hash`` erases it: the returned objection's ``prospect`` is
    then None. Raises ``Prospect.DoesNotExist`` when the record was erased meanwhile.
    """
    received_at = received_at or timezone.now()
    _check(channel=channel, via=via, received_at=received_at)
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    # docs/rules.md §2.3: applied immediately, keyed hashes only; it outlives the prospect.
    suppression.suppress(prospect, channel=channel, origin=via)
    existing = covering(prospect, channel=channel)
    if existing is not None:
        return existing
    # GDPR 19: queued before any deletion. A broker that told us of the objection needs no telling back.
    told_by_broker = via == Route.BROKER
    [entry_id] = propagation.queue(
        [prospect.pk], event=Propagation.Event.OBJECTION, channel=channel, tell_broker=not told_by_broker
    )
    entry = Propagation.objects.get(pk=entry_id)
    objection = Objection.objects.create(
        prospect=prospect,
        channel=channel,
        received_via=via,
        received_at=received_at,
        recorded_by=by,
        **({} if told_by_broker else _broker_reference(entry)),
    )
    # Identifiers only: never the person's details in the logs (docs/rules.md §6).
    logger.info("objection %s recorded for prospect %s via %s", objection.pk, prospect.pk, via)
    if not channel and reduces_to_hash(prospect):
        _reduce_to_hash(prospect, entry=entry, by=by)
        objection.refresh_from_db()  # Unlinked and scrubbed by the deletion core.
    return objection


def _reduce_to_hash(prospect: Prospect, *, entry: Propagation, by) -> None:
    """GDPR 5(1)(c), MED-2023-040: of a non-customer who objected to everything, keep only the hashes."""
    propagation.mark_erased([entry.pk])
    erase_prospects([prospect.pk], by=by, reason=PurgeReason.OBJECTION, suppress=True)
    logger.info("prospect %s reduced to its hash after objection", prospect.pk)
