"""Forwarding objections and erasures to the brokers whose lists the people came from.

CNIL partner rules, GDPR 19 (docs/rules.md §2.3): a broker that rented us a list keeps the
person on it; an objection or an erasure received here must reach the broker so that it
stops passing the person on. The export reads the broker's pending entries of the
propagation queue (prospects/propagation.py), so a person erased after objecting is still
forwarded. While the record lives the broker gets the address in clear, the only thing it
can act on; once the record is gone it gets what the queue kept, the keyed hashes and its
own list reference. The export is reserved to the administrator and the DPO, and each one
is recorded (who, when, how many) and marks the entries sent.
"""

import csv
import io
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.models import BrokerExport, Objection
from org.access import record_access
from org.models import AccessAction
from org.roles import Role, has_role
from org.spreadsheets import safe_cell
from prospects import propagation
from prospects.models import Recipient

logger = logging.getLogger(__name__)

CSV_HEADER = [
    "broker", "contract_ref", "list_id", "email", "phone", "channel", "objection_received_at", "event",
    "email_hash", "phone_hash", "linkedin_hash",
]  # fmt: skip


def pending_by_broker() -> QuerySet:
    """Rows of {broker, pending}: entries still to forward, per broker."""
    return (
        Recipient.objects.filter(kind=Recipient.Kind.BROKER, status=Recipient.Status.PENDING)
        .values(broker=F("propagation__broker"))
        .annotate(pending=Count("id"))
        .order_by("broker")
    )


def recent_exports(*, limit: int = 50) -> QuerySet:
    return BrokerExport.objects.select_related("exported_by")[:limit]


def _row(recipient: Recipient) -> list[str]:
    """Clear identifiers while the record lives; the kept hashes once it is gone."""
    entry, person = recipient.propagation, recipient.propagation.prospect
    clear = (person.email, person.phone) if person is not None else ("", "")
    hashes = (
        ("", "", "")
        if person is not None
        else (entry.email_digest, entry.phone_digest, entry.linkedin_digest)
    )
    return [
        safe_cell(value)
        for value in (
            entry.broker,
            entry.broker_contract_ref,
            entry.broker_list_id,
            *clear,
            entry.channel or "all",
            timezone.localdate(entry.occurred_at).isoformat(),
            entry.event,
            *hashes,
        )
    ]


@transaction.atomic
def export_for_broker(broker: str, *, by) -> tuple[BrokerExport, str]:
    """The broker's pending entries as CSV; marks them sent now and records the export."""
    if not has_role(by, Role.ADMIN, Role.DPO):
        raise PermissionDenied
    if "\x00" in broker:  # No broker is so named, and PostgreSQL refuses the character in a query.
        raise ValidationError({"broker": [_("No objection is waiting to be forwarded to this broker.")]})
    recipients = list(
        propagation.pending(kind=Recipient.Kind.BROKER)
        .filter(propagation__broker=broker)
        .select_for_update(of=("self",))
        .select_related("propagation__prospect")
    )
    if not recipients:
        raise ValidationError({"broker": [_("No objection is waiting to be forwarded to this broker.")]})
    export = BrokerExport.objects.create(
        broker=broker, exported_by=by, exported_at=timezone.now(), rows=len(recipients)
    )
    propagation.mark_sent(
        [r.pk for r in recipients], by=by, how=f"broker export {export.pk}", at=export.exported_at
    )
    living = [r.propagation.prospect_id for r in recipients if r.propagation.prospect_id]
    Objection.objects.filter(broker=broker, forwarded_in__isnull=True, prospect_id__in=living).update(
        forwarded_in=export
    )
    # CNIL délib. 2021-122: an export of identifiers is logged with who, when and whom.
    record_access(by, living, action=AccessAction.EXPORT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(_row(recipient) for recipient in recipients)
    logger.info("broker export %s: %s entries forwarded by user %s", export.pk, len(recipients), by.pk)
    return export, out.getvalue()
