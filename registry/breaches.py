"""The breach register (GDPR 33(5)): every personal data breach, notified or not.

33(1): notify the CNIL without undue delay and within 72 hours of becoming aware of the
breach, unless it is unlikely to result in a risk; a later notification, or none, says why.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Breach

NOTIFICATION_DELAY = timedelta(hours=72)


@dataclass(frozen=True)
class BreachReport:
    discovered_at: datetime
    nature: str
    data_concerned: str
    people_concerned: str
    consequences: str
    measures: str
    occurred_at: datetime | None = None
    people_count: int | None = None
    cnil_notified_at: datetime | None = None
    delay_reason: str = ""
    people_informed_at: datetime | None = None


def record_breach(report: BreachReport, *, by) -> Breach:
    errors = _problems(report)
    if errors:
        raise ValidationError(errors)
    return Breach.objects.create(recorded_by=by, **report.__dict__)


def _problems(report: BreachReport) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if report.discovered_at > now:
        errors["discovered_at"] = [_("The breach cannot be discovered in the future.")]
    if report.occurred_at and report.occurred_at > report.discovered_at:
        errors["occurred_at"] = [_("A breach occurs before it is discovered.")]
    if report.cnil_notified_at and report.cnil_notified_at < report.discovered_at:
        errors["cnil_notified_at"] = [_("The CNIL is notified after the breach is discovered.")]
    if _late(report.discovered_at, report.cnil_notified_at, now=now) and not report.delay_reason.strip():
        errors["delay_reason"] = [
            _("Not notified to the CNIL within 72 hours: say why (GDPR 33(1)), e.g. no risk to the people.")
        ]
    return errors


def _late(discovered_at: datetime, notified_at: datetime | None, *, now: datetime) -> bool:
    """Notified more than 72 hours after discovery, or not notified and the 72 hours are over."""
    return (notified_at or now) - discovered_at > NOTIFICATION_DELAY


def record_notification(breach: Breach, *, notified_at: datetime, delay_reason: str = "") -> Breach:
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
    breach.save(update_fields=["cnil_notified_at", "delay_reason"])
    return breach
