"""Data-subject requests: intake, deadline, extension, handling and closing (GDPR 12).

GDPR 12(3): answer within one month of receipt; the deadline may be extended by two
further months where necessary, and the person must be told of the extension with its
reasons within the first month. Month arithmetic keeps to the end of the month: a
request received on 31 January is due on 28 (or 29) February.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prospects.models import Prospect
from registry.activities import REQUEST_LOG_YEARS
from registry.models import RequestStatus, SubjectRequest

MAX_EXTENSION_MONTHS = 2


def due_date(received_on: date) -> date:
    """One month after receipt, clamped to the end of a shorter month (GDPR 12(3))."""
    return received_on + relativedelta(months=1)


@dataclass(frozen=True)
class Intake:
    kind: str
    received_on: date
    channel: str
    identity_check: str = ""
    prospect: Prospect | None = None


def receive(intake: Intake, *, by) -> SubjectRequest:
    """Log a request as it arrives; its deadline is computed, never typed."""
    if intake.received_on > timezone.localdate():
        raise ValidationError({"received_on": [_("A request cannot be received in the future.")]})
    return SubjectRequest.objects.create(
        kind=intake.kind,
        received_on=intake.received_on,
        channel=intake.channel,
        identity_check=intake.identity_check.strip(),
        prospect=intake.prospect,
        due_on=due_date(intake.received_on),
        recorded_by=by,
    )


def may_extend(request: SubjectRequest, *, today: date) -> bool:
    """GDPR 12(3): once, while the request is open, within the first month."""
    return request.is_open and request.extended_until is None and today <= request.due_on


def extend(request: SubjectRequest, *, months: int, reason: str, today: date | None = None) -> SubjectRequest:
    """Push the deadline back by one or two months; only within the first month, with a reason."""
    today = today or timezone.localdate()
    errors = {}
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        errors["months"] = [_("An extension is one or two more months (GDPR 12(3)).")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the extension: the person is told of it.")]
    if not may_extend(request, today=today):
        errors["__all__"] = [
            _("An open request is extended once, within the first month after receipt (GDPR 12(3)).")
        ]
    if errors:
        raise ValidationError(errors)
    request.extended_until = request.received_on + relativedelta(months=1 + months)
    request.extension_reason = reason.strip()
    request.extended_on = today
    request.save(update_fields=["extended_until", "extension_reason", "extended_on"])
    return request


def assign(request: SubjectRequest, *, handler) -> SubjectRequest:
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    request.handler = handler
    request.status = RequestStatus.IN_PROGRESS
    request.save(update_fields=["handler", "status"])
    return request


def link(request: SubjectRequest, *, prospect: Prospect) -> SubjectRequest:
    """Tie the request to the person's record once they are found (by email, phone or LinkedIn)."""
    request.prospect = prospect
    request.save(update_fields=["prospect"])
    return request


def close(
    request: SubjectRequest,
    *,
    status: str,
    outcome: str,
    by,
    response_sha256: str = "",
    today: date | None = None,
) -> SubjectRequest:
    """Answer or refuse; a refusal gives its reasons and the right to complain (GDPR 12(4))."""
    if status not in (RequestStatus.DONE, RequestStatus.REFUSED):
        raise ValidationError({"status": [_("Close a request as answered or refused.")]})
    if not outcome.strip():
        raise ValidationError({"outcome": [_("Say what was done, or why the request is refused.")]})
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    request.status = status
    request.outcome = outcome.strip()
    request.closed_on = today or timezone.localdate()
    request.handler = request.handler or by
    request.response_sha256 = response_sha256 or request.response_sha256
    request.save(update_fields=["status", "outcome", "closed_on", "handler", "response_sha256"])
    return request


def record_response(request: SubjectRequest, *, sha256: str) -> None:
    """docs/rules.md §4.2: keep the fingerprint of what was delivered."""
    SubjectRequest.objects.filter(pk=request.pk).update(response_sha256=sha256)


def overdue(today: date | None = None):
    today = today or timezone.localdate()
    return SubjectRequest.objects.overdue(today).select_related("handler").order_by("deadline_on", "pk")


@transaction.atomic
def purge_closed(*, today: date | None = None) -> int:
    """Delete the requests closed more than ``REQUEST_LOG_YEARS`` ago (docs/rules.md §2.1, INTERP)."""
    today = today or timezone.localdate()
    limit = today - relativedelta(years=REQUEST_LOG_YEARS)
    deleted, _by_model = SubjectRequest.objects.filter(closed_on__lt=limit).delete()
    return deleted
