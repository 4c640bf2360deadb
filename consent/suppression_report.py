"""What the DPO may see of the suppression list: its size and where it came from, in counts only.

The list is purpose-limited (CNIL liste repoussoir, docs/rules.md §2.3) and its keyed hashes are
still pseudonymised personal data (Recital 26): no digest, prospect or identifier ever
leaves this module, only totals by origin, identifier kind, channel and month.
"""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from consent.channels import Channel
from prospects.models import Suppression


@dataclass(frozen=True)
class SuppressionSummary:
    total: int
    by_origin: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_month: list[tuple[object, int]]


def _channel_label(value: str) -> str:
    if value == Suppression.ALL_CHANNELS:
        return _("All channels")
    return Channel(value).label if value in Channel.values else value


LABELS = {
    "origin": lambda value: Suppression.Origin(value).label if value in Suppression.Origin.values else value,
    "kind": lambda value: Suppression.Kind(value).label if value in Suppression.Kind.values else value,
    "channel": _channel_label,
}


def _counted(field: str) -> list[tuple[str, int]]:
    rows = Suppression.objects.values(field).annotate(count=Count("id")).order_by("-count", field)
    return [(str(LABELS[field](row[field])), row["count"]) for row in rows]


def summarise() -> SuppressionSummary:
    months = (
        Suppression.objects.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-month")
    )
    return SuppressionSummary(
        total=Suppression.objects.count(),
        by_origin=_counted("origin"),
        by_kind=_counted("kind"),
        by_channel=_counted("channel"),
        by_month=[(row["month"], row["count"]) for row in months],
    )
