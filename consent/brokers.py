"""Forwarding objections to the brokers whose lists the people came from (CNIL partner rules).

A broker that rented us a list keeps the person on it; an objection received here must
reach the broker so that it stops passing the person on. The broker can only act on the
address itself, so the export holds identifiers in clear: it is reserved to the
administrator and the DPO, and each export is recorded (who, when, how many) and stamps
the forwarding date on the objections it carried.
"""

import csv
import io
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.models import BrokerExport, Objection
from org.access import record_access
from org.models import AccessAction
from org.roles import Role, has_role
from org.spreadsheets import safe_cell

logger = logging.getLogger(__name__)

CSV_HEADER = ["broker", "contract_ref", "list_id", "email", "phone", "channel", "objection_received_at"]


def pending_by_broker() -> QuerySet:
    """Rows of {broker, pending}: objections still to forward, per broker."""
    return (
        Objection.objects.awaiting_broker().values("broker").annotate(pending=Count("id")).order_by("broker")
    )


def recent_exports(*, limit: int = 50) -> QuerySet:
    return BrokerExport.objects.select_related("exported_by")[:limit]


@transaction.atomic
def export_for_broker(broker: str, *, by) -> tuple[BrokerExport, str]:
    """The broker's pending objections as CSV; marks them forwarded now and records the export."""
    if not has_role(by, Role.ADMIN, Role.DPO):
        raise PermissionDenied
    if "\x00" in broker:  # No broker is so named, and PostgreSQL refuses the character in a query.
        raise ValidationError({"broker": [_("No objection is waiting to be forwarded to this broker.")]})
    pending = (
        Objection.objects.awaiting_broker()
        .filter(broker=broker)
        .select_for_update(of=("self",))
        .select_related("prospect")
        .order_by("received_at", "id")
    )
    objections = list(pending)
    if not objections:
        raise ValidationError({"broker": [_("No objection is waiting to be forwarded to this broker.")]})
    export = BrokerExport.objects.create(
        broker=broker, exported_by=by, exported_at=timezone.now(), rows=len(objections)
    )
    Objection.objects.filter(pk__in=[objection.pk for objection in objections]).update(forwarded_in=export)
    # CNIL délib. 2021-122: an export of identifiers is logged with who, when and whom.
    record_access(by, [o.prospect_id for o in objections if o.prospect_id], action=AccessAction.EXPORT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for objection in objections:
        person = objection.prospect
        writer.writerow(
            [
                safe_cell(value)
                for value in (
                    objection.broker,
                    objection.broker_contract_ref,
                    objection.broker_list_id,
                    person.email,
                    person.phone,
                    objection.channel or "all",
                    timezone.localdate(objection.received_at).isoformat(),
                )
            ]
        )
    logger.info("broker export %s: %s objections forwarded by user %s", export.pk, len(objections), by.pk)
    return export, out.getvalue()
