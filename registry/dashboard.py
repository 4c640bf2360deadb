"""The DPO's dashboard: a few aggregate queries drawn as bar charts on the server.

Charts are SVG built from numbers computed here; the page holds no script and no
inline style (CSP), only classes and SVG geometry attributes.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, Count, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.models import Message
from prospects import retention, suppression
from prospects.audience import Audience
from prospects.models import Prospect, SourceType
from prospects.purge import purges_per_month
from registry.figures import prospects_by_audience, prospects_by_source

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 300
BAR_SPACE = 320
VALUE_WIDTH = 60
WIDTH = LABEL_WIDTH + BAR_SPACE + VALUE_WIDTH

# docs/rules.md §1.3: the global guards that block every channel, in the gate's order.
BLOCKS = {
    "expired": gettext_lazy("Retention over: purged at the next run"),
    "restricted": gettext_lazy("Restricted (art. 18)"),
    "objected": gettext_lazy("Objected (art. 21)"),
    "open": gettext_lazy("No global block: the channel rules decide"),
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: int
    y: int

    x = LABEL_WIDTH
    height = BAR_HEIGHT

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 6

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * (BAR_HEIGHT + BAR_GAP)

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def chart(key: str, title: str, pairs: list[tuple[str, int]]) -> Chart:
    """Bars scaled to the largest value; a zero stays a zero-width bar with its label."""
    top = max((value for _label, value in pairs), default=0) or 1
    bars = [
        Bar(str(label), value, round(BAR_SPACE * value / top), index * (BAR_HEIGHT + BAR_GAP))
        for index, (label, value) in enumerate(pairs)
    ]
    return Chart(key, title, bars)


def charts(*, today: date | None = None) -> list[Chart]:
    today = today or timezone.localdate()
    return [
        chart("sources", _("Prospects by source"), _labelled(prospects_by_source(), SourceType)),
        chart("audiences", _("Prospects by audience"), _labelled(prospects_by_audience(), Audience)),
        chart("contactability", _("Contactability today"), contactability(today)),
        chart("refusals", _("Messages refused, by reason"), refusals_by_reason()),
        chart(
            "purges",
            _("Prospects removed per month"),
            [(f"{m:%Y-%m}", n) for m, n in purges_per_month(today=today)],
        ),
    ]


def _labelled(counts: dict[str, int], choices) -> list[tuple[str, int]]:
    labels = dict(choices.choices)
    return [(labels.get(code, code), count) for code, count in counts.items()]


def contactability(today: date) -> list[tuple[str, int]]:
    """Prospects by the first global guard that blocks them, in one query."""
    bucket = Case(
        When(retention.expired(today), then=Value("expired")),
        When(restricted_at__isnull=False, then=Value("restricted")),
        When(suppression.objected(), then=Value("objected")),
        default=Value("open"),
        output_field=CharField(),
    )
    rows = Prospect.objects.order_by().annotate(bucket=bucket).values("bucket").annotate(n=Count("pk"))
    counts = {row["bucket"]: row["n"] for row in rows}
    return [(str(label), counts.get(key, 0)) for key, label in BLOCKS.items()]


def refusals_by_reason() -> list[tuple[str, int]]:
    rows = (
        Message.objects.refused().order_by().values("reason").annotate(n=Count("pk")).order_by("-n", "reason")
    )
    labels = dict(Message._meta.get_field("reason").choices)
    return [(f"{row['reason']} · {labels.get(row['reason'], '')}", row["n"]) for row in rows]
