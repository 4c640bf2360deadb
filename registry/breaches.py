"""The breach register (GDPR 33(5)): every personal data breach, notified or not.

33(1): notify the CNIL without undue delay and within 72 hours of becoming aware of the
breach, unless it is unlikely to result in a risk; a later notification says why, and a
breach not notified keeps the reasons of that risk assessment. 33(2): a processor alerts
the controller, who is aware from that alert (EDPB Guidelines 9/2022). 33(3): what the
notification gives; 33(4): it may come in phases. 34: the people are told of a high risk,
unless a ground of 34(3) applies. An entry is completed as the facts come in; each change
goes through ``record_breach``, ``update_breach``, ``record_notification`` or
``record_follow_up`` and is kept in the entry's history with who and when.
"""

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Breach, BreachFollowUp, NoCommunicationGround, RiskLevel

NOTIFICATION_DELAY = timedelta(hours=72)
TYPES = ("confidentiality", "integrity", "availability")


@dataclass(frozen=True)
class BreachReport:
    """What is known of a breach; everything but its discovery and description may come later."""

    discovered_at: datetime
    nature: str
    data_concerned: str
    people_concerned: str
    consequences: str
    measures: str
    occurred_at: datetime | None = None
    ended_at: datetime | None = None
    confidentiality: bool = False
    integrity: bool = False
    availability: bool = False
    records_count: int | None = None
    people_count: int | None = None
    processor_name: str = ""
    processor_alerted_at: datetime | None = None
    risk: str = ""
    risk_reasons: str = ""
    cnil_notified_at: datetime | None = None
    cnil_reference: str = ""
    phased: bool = False
    delay_reason: str = ""
    people_informed_at: datetime | None = None
    no_communication_ground: str = ""
    communication_notes: str = ""


REPORT_FIELDS = tuple(field.name for field in fields(BreachReport))


def record_breach(report: BreachReport, *, by) -> Breach:
    report = _stripped(report)
    errors = _problems(report, now=timezone.now())
    if errors:
        raise ValidationError(errors)
    breach = Breach(recorded_by=by, **asdict(report))
    breach._history_user = by
    breach.save()
    return breach


def update_breach(breach: Breach, report: BreachReport, *, by) -> Breach:
    """Complete or correct an entry; the history keeps what it said before, who changed it and when."""
    report = _stripped(report)
    errors = _problems(report, now=timezone.now())
    if breach.follow_ups.exists() and not report.cnil_notified_at:
        errors.setdefault("cnil_notified_at", []).append(
            _("Complementary notifications were sent: the initial notification stays recorded.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Breach.objects.select_for_update().get(pk=breach.pk)
        for name, value in asdict(report).items():
            setattr(locked, name, value)
        locked._history_user = by
        locked.save()
    return locked


def record_notification(
    breach: Breach,
    *,
    notified_at: datetime,
    delay_reason: str = "",
    reference: str = "",
    phased: bool = False,
    by=None,
) -> Breach:
    """The CNIL was notified after the breach was recorded; a late notification says why."""
    errors = {}
    if notified_at < breach.discovered_at or notified_at > timezone.now():
        errors["cnil_notified_at"] = [_("The notification falls between the discovery and now.")]
    reason = delay_reason.strip() or breach.delay_reason
    if _late(breach.discovered_at, notified_at, now=timezone.now()) and not reason:
        errors["delay_reason"] = [_("Notified later than 72 hours: say why (GDPR 33(1)).")]
    if errors:
        raise ValidationError(errors)
    breach.cnil_notified_at = notified_at
    breach.delay_reason = reason
    breach.cnil_reference = reference.strip() or breach.cnil_reference
    breach.phased = phased or breach.phased
    breach._history_user = by
    breach.save(update_fields=["cnil_notified_at", "delay_reason", "cnil_reference", "phased"])
    return breach


def record_follow_up(
    breach: Breach, *, notified_at: datetime, summary: str, completes: bool, by
) -> BreachFollowUp:
    """GDPR 33(4): information sent to the CNIL after the initial notification."""
    errors = {}
    if breach.cnil_notified_at is None:
        errors["__all__"] = [_("Record the initial notification first: a complementary one follows it.")]
    elif not breach.cnil_notified_at <= notified_at <= timezone.now():
        errors["notified_at"] = [_("A complementary notification falls between the initial one and now.")]
    if not summary.strip():
        errors["summary"] = [_("Say what the complementary notification adds (GDPR 33(4)).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        follow_up = BreachFollowUp.objects.create(
            breach=breach,
            notified_at=notified_at,
            summary=summary.strip(),
            completes=completes,
            recorded_by=by,
        )
        if not breach.phased:
            breach.phased = True
            breach._history_user = by
            breach.save(update_fields=["phased"])
    return follow_up


# --- The rules ------------------------------------------------------------------------------------


def _stripped(report: BreachReport) -> BreachReport:
    """Texts stripped, with the line breaks a browser posts (CR LF) stored as LF."""
    values = asdict(report).items()
    return BreachReport(
        **{k: v.replace("\r\n", "\n").strip() if isinstance(v, str) else v for k, v in values}
    )


def _problems(report: BreachReport, *, now: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in ("nature", "data_concerned", "people_concerned", "consequences", "measures"):
        if not getattr(report, name):
            add(
                name,
                _("Required: the register documents the facts, effects and remedial action (GDPR 33(5))."),
            )
    _check_dates(report, now=now, add=add)
    _check_notification(report, now=now, add=add)
    _check_communication(report, add=add)
    return errors


def _check_dates(report: BreachReport, *, now: datetime, add) -> None:
    if report.discovered_at > now:
        add("discovered_at", _("The breach cannot be discovered in the future."))
    if report.occurred_at and report.occurred_at > report.discovered_at:
        add("occurred_at", _("A breach occurs before it is discovered."))
    if report.ended_at and report.occurred_at and report.ended_at < report.occurred_at:
        add("ended_at", _("A breach ends after it occurs."))
    if report.processor_alerted_at:
        if report.processor_alerted_at < report.discovered_at:
            add(
                "discovered_at",
                _(
                    "The processor's alert made the controller aware: the 72 hours run from it "
                    "(GDPR 33(2)); set the awareness to the alert at the latest."
                ),
            )
        if report.processor_alerted_at > now:
            add("processor_alerted_at", _("The processor's alert cannot be in the future."))
        if not report.processor_name:
            add("processor_name", _("Name the processor that sent the alert (GDPR 33(2))."))


def _check_notification(report: BreachReport, *, now: datetime, add) -> None:
    notified = report.cnil_notified_at
    if notified and notified < report.discovered_at:
        add("cnil_notified_at", _("The CNIL is notified after the breach is discovered."))
    if notified and notified > now:
        add("cnil_notified_at", _("The notification cannot be in the future."))
    if not notified and (report.cnil_reference or report.phased):
        add(
            "cnil_notified_at",
            _("A notification number or a phased notification needs the date of notification."),
        )
    if not notified and report.risk == RiskLevel.UNLIKELY:
        if not report.risk_reasons:
            add(
                "risk_reasons",
                _(
                    "Not notified because unlikely to result in a risk: give the reasons of that assessment "
                    "(GDPR 33(1), 33(5))."
                ),
            )
        return
    if notified and _late(report.discovered_at, notified, now=now) and not report.delay_reason:
        add("delay_reason", _("Notified later than 72 hours: Art. 33(1) requires the reasons for the delay."))
    elif not notified and _late(report.discovered_at, None, now=now) and not report.delay_reason:
        add(
            "delay_reason",
            _(
                "Not notified to the CNIL within 72 hours: say why (GDPR 33(1)), or assess the risk as "
                "unlikely and give the reasons."
            ),
        )


def _check_communication(report: BreachReport, *, add) -> None:
    ground = report.no_communication_ground
    if ground and ground not in NoCommunicationGround.values:
        add("no_communication_ground", _("Choose one of the grounds of art. 34(3)."))
    if report.people_informed_at and report.people_informed_at < report.discovered_at:
        add("people_informed_at", _("The people are told after the breach is discovered."))
    if report.people_informed_at and ground in (
        NoCommunicationGround.UNINTELLIGIBLE,
        NoCommunicationGround.MEASURES,
    ):
        add(
            "no_communication_ground",
            _("The people were told: a ground for not telling them does not apply."),
        )
    if (report.people_informed_at or ground) and not report.communication_notes:
        add(
            "communication_notes",
            _(
                "Say what the people were told and how, or why art. 34(3) spares telling them "
                "(GDPR 34(2)-(3))."
            ),
        )


def _late(discovered_at: datetime, notified_at: datetime | None, *, now: datetime) -> bool:
    """Notified more than 72 hours after discovery, or not notified and the 72 hours are over."""
    return (notified_at or now) - discovered_at > NOTIFICATION_DELAY


# --- What an entry still lacks ------------------------------------------------------------------


def notification_deadline(breach: Breach) -> datetime:
    return breach.discovered_at + NOTIFICATION_DELAY


def open_items(breach: Breach) -> list[str]:
    """What the entry or the notification still lacks, in plain words, for the DPO to follow up."""
    items = []
    if not any(getattr(breach, name) for name in TYPES):
        items.append(_("Type of breach: confidentiality, integrity or availability."))
    if breach.people_count is None or breach.records_count is None:
        items.append(_("Approximate numbers of people and of records concerned (art. 33(3)(a))."))
    if not breach.risk:
        items.append(
            _("Risk assessment: decides the notification (art. 33(1)) and telling the people (art. 34(1)).")
        )
    elif breach.risk != RiskLevel.UNLIKELY and breach.cnil_notified_at is None:
        deadline = timezone.localtime(notification_deadline(breach)).strftime("%Y-%m-%d %H:%M")
        items.append(
            _("Notification to the CNIL, due by %(deadline)s (art. 33(1)).") % {"deadline": deadline}
        )
    if breach.cnil_notified_at and not breach.cnil_reference:
        items.append(_("The CNIL's notification number."))
    if breach.phased and not any(follow_up.completes for follow_up in breach.follow_ups.all()):
        items.append(_("Complementary notification still due (art. 33(4))."))
    if breach.risk == RiskLevel.HIGH and not (breach.people_informed_at or breach.no_communication_ground):
        items.append(_("Telling the people, or the art. 34(3) ground for not telling them."))
    return items
