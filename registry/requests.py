"""Data-subject requests: intake, deadline, extension, handling, closing and timeline (GDPR 12).

GDPR 12(3): answer within one month of receipt; the deadline may be extended by two
further months where necessary, and the person must be told of the extension with its
reasons within the first month: the extension records when they were told. 12(4): a
refusal tells the person, without delay and within one month of receipt, its reasons and
that they may lodge a complaint with the CNIL and seek a judicial remedy: the closing
records that they were told. Month arithmetic keeps to the end of the month: a request
received on 31 January is due on 28 (or 29) February.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.dates import shown_date
from prospects.models import Prospect
from registry.activities import REQUEST_LOG_YEARS
from registry.fiche import Text
from registry.models import RequestStatus, SubjectRequest

MAX_EXTENSION_MONTHS = 2
# GDPR 12(4), 77, 79: the two routes a refusal names, in the words the person is given.
REMEDIES = Text(
    "You may lodge a complaint with the CNIL (3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, "
    "https://www.cnil.fr/en/plaintes) and seek a judicial remedy before the courts (GDPR art. 79), in France "
    "the tribunal judiciaire.",
    "Vous pouvez introduire une réclamation auprès de la CNIL (3 place de Fontenoy, TSA 80715, 75334 Paris "
    "Cedex 07, https://www.cnil.fr/fr/plaintes) et former un recours juridictionnel (RGPD art. 79), en "
    "France devant le tribunal judiciaire.",
)


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


def extend(
    request: SubjectRequest,
    *,
    months: int,
    reason: str,
    told_on: date | None,
    today: date | None = None,
) -> SubjectRequest:
    """Push the deadline back by one or two months: within the first month, with the reasons, and
    the date the person was told of both (GDPR 12(3))."""
    today = today or timezone.localdate()
    errors = {}
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        errors["months"] = [_("An extension is one or two more months (GDPR 12(3)).")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the extension: the person is told of it.")]
    if told_on is None:
        errors["told_on"] = [
            _("Give the date the person was told of the extension and its reasons (GDPR 12(3)).")
        ]
    elif not request.received_on <= told_on <= min(request.due_on, today):
        errors["told_on"] = [
            _(
                "The person is told of the extension within one month of receipt, and not in the future "
                "(GDPR 12(3))."
            )
        ]
    if not may_extend(request, today=today):
        errors["__all__"] = [
            _("An open request is extended once, within the first month after receipt (GDPR 12(3)).")
        ]
    if errors:
        raise ValidationError(errors)
    request.extended_until = request.received_on + relativedelta(months=1 + months)
    request.extension_reason = reason.strip()
    request.extended_on = today
    request.extension_told_on = told_on
    request.save(update_fields=["extended_until", "extension_reason", "extended_on", "extension_told_on"])
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
    remedies_told: bool = False,
    response_sha256: str = "",
    today: date | None = None,
) -> SubjectRequest:
    """Answer or refuse; a refusal gives its reasons and the routes of complaint and of court (GDPR 12(4))."""
    errors = {}
    if status not in (RequestStatus.DONE, RequestStatus.REFUSED):
        errors["status"] = [_("Close a request as answered or refused.")]
    if not outcome.strip():
        errors["outcome"] = [_("Say what was done, or why the request is refused.")]
    if status == RequestStatus.REFUSED and not remedies_told:
        errors["remedies_told"] = [
            _(
                "A refusal tells the person they may complain to the CNIL and seek a judicial remedy "
                "(GDPR 12(4)): confirm they were told."
            )
        ]
    if errors:
        raise ValidationError(errors)
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    request.status = status
    request.outcome = outcome.strip()
    request.remedies_told = status == RequestStatus.REFUSED and remedies_told
    request.closed_on = today or timezone.localdate()
    request.handler = request.handler or by
    request.response_sha256 = response_sha256 or request.response_sha256
    request.save(
        update_fields=["status", "outcome", "remedies_told", "closed_on", "handler", "response_sha256"]
    )
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


# --- The timeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    on: date | None
    what: str
    details: tuple[str, ...] = ()
    late: str = ""  # why the date breaks a deadline, if it does


def timeline(request: SubjectRequest) -> list[Event]:
    """What happened to the request and when, with the Art. 12 notes a CNIL audit checks."""
    events = [
        Event(
            request.received_on,
            _("Received by %(channel)s") % {"channel": request.get_channel_display().lower()},
            (_("Due on %(date)s (one month, GDPR 12(3)).") % {"date": shown_date(request.due_on)},),
        )
    ]
    if request.extended_until:
        events.append(_extension(request))
    if request.closed_on:
        events.append(_closing(request))
    for erasure in request.erasures.order_by("at"):
        events.append(Event(timezone.localdate(erasure.at), _("Record erased (GDPR 17)")))
    return events


def _extension(request: SubjectRequest) -> Event:
    told = request.extension_told_on
    details = [
        _("Extended until %(date)s.") % {"date": shown_date(request.extended_until)},
        _("Reasons: %(reasons)s") % {"reasons": request.extension_reason},
        _("The person was told of the extension and its reasons on %(date)s.") % {"date": shown_date(told)}
        if told
        else _("The date the person was told of the extension was not recorded."),
    ]
    late = _("told after the first month (GDPR 12(3))") if told and told > request.due_on else ""
    return Event(request.extended_on, _("Deadline extended (GDPR 12(3))"), tuple(details), late)


def _closing(request: SubjectRequest) -> Event:
    if request.status != RequestStatus.REFUSED:
        return Event(request.closed_on, _("Answered"), (request.outcome,))
    details = [
        _("Reasons given to the person: %(reasons)s") % {"reasons": request.outcome},
        _(
            "The person was told they may lodge a complaint with the CNIL and seek a judicial remedy "
            "(GDPR 12(4))."
        )
        if request.remedies_told
        else _(
            "Not recorded that the person was told of the complaint to the CNIL and of the judicial remedy."
        ),
    ]
    late = _("later than one month after receipt (GDPR 12(4))") if request.closed_on > request.due_on else ""
    return Event(request.closed_on, _("Refused (GDPR 12(4))"), tuple(details), late)
