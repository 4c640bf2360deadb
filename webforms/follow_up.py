"""What a form brought in: submissions per day by outcome, prospects, and the live forms.

Counts only: the tallies hold no person, and the prospects are counted from their sources'
evidence (``form_id``), so that a purge or an erasure, which deletes the sources, lowers
the count with them (GDPR 5(1)(e)).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone

from prospects.models import Source, SourceType
from webforms.models import FormTally, Outcome, WebForm

WEB_FORM_TYPES = (SourceType.WEB_FORM_NOTICE, SourceType.WEB_FORM_CONSENT)
DAYS_SHOWN = 30


@dataclass(frozen=True)
class Day:
    day: date
    counts: dict[str, int]  # by outcome, every outcome present

    @property
    def cells(self) -> list[int]:
        return [self.counts[outcome] for outcome in Outcome.values]


def days(form: WebForm, *, today: date | None = None) -> list[Day]:
    """The last DAYS_SHOWN days with a submission, newest first."""
    today = today or timezone.localdate()
    rows = FormTally.objects.filter(form=form, day__gt=today - timedelta(days=DAYS_SHOWN))
    by_day: dict[date, dict[str, int]] = {}
    for row in rows.order_by("-day"):
        by_day.setdefault(row.day, dict.fromkeys(Outcome.values, 0))[row.outcome] = row.count
    return [Day(day, counts) for day, counts in by_day.items()]


def prospects_brought_in(form: WebForm) -> int:
    sources = Source.objects.filter(type__in=WEB_FORM_TYPES, evidence__form_id=form.slug)
    return sources.values("prospect").distinct().count()


def _brought_in_by_slug(slugs: list[str]) -> dict[str, int]:
    sources = Source.objects.filter(type__in=WEB_FORM_TYPES, evidence__form_id__in=slugs)
    rows = sources.values("evidence__form_id").annotate(n=Count("prospect", distinct=True))
    return {row["evidence__form_id"]: row["n"] for row in rows}


def overview() -> list[tuple[WebForm, int]]:
    """Every form with the prospects it brought in (one query for the counts)."""
    forms = list(WebForm.objects.all())
    counts = _brought_in_by_slug([form.slug for form in forms])
    return [(form, counts.get(form.slug, 0)) for form in forms]


def live_forms() -> dict[str, int]:
    """The live forms as collection channels (docs/rules.md §3): "name (/f/slug/)" to prospects."""
    forms = list(WebForm.objects.filter(is_live=True))
    counts = _brought_in_by_slug([form.slug for form in forms])
    return {f"{form.name} (/f/{form.slug}/)": counts.get(form.slug, 0) for form in forms}
