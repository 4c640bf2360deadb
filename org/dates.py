"""Dates and moments as people read them: the language's format (org/formats), the organisation's
time zone (TIME_ZONE). Pages, e-mails and the exports read by people call these, never
``isoformat()``, which stays for machine-readable files (JSON, the API)."""

from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime


def shown_moment(value: datetime | str | None) -> str:
    """A moment as "7 December 2026, 14:05" (English) or "7 décembre 2026 à 14:05" (French)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


def shown_date(value: date | datetime | str | None) -> str:
    """A day as "7 December 2026" (English) or "7 décembre 2026" (French)."""
    if isinstance(value, str):
        value = parse_date(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")
