"""The DPO's view of retention: upcoming purges, past runs, legal holds (docs/rules.md §2.1; GDPR 5(2))."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from org.roles import Role, role_required
from prospects import purge, retention
from prospects.forms import LegalHoldForm
from prospects.models import Prospect, PurgeRun
from prospects.views import HOLD_IDS, detail_page

CHART_HEIGHT = 120
BAR_STEP = 40


@role_required(Role.DPO)
@require_safe
def purge_overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    held = Prospect.objects.filter(retention_until__lt=today, legal_hold_until__gte=today)
    bars = month_bars(purge.purges_per_month(today=today))
    context = {
        "today": today,
        "grace_days": retention.grace_days(),
        "due_now": Prospect.objects.filter(retention.expired(today)).count(),
        "weeks": retention.upcoming_purges(today=today),
        "runs": PurgeRun.objects.select_related("triggered_by")[:50],
        "bars": bars,
        "chart_width": len(bars) * BAR_STEP,
        "held": held.select_related("legal_hold_placed_by").order_by("legal_hold_until")[:50],
        "held_count": held.count(),
    }
    return render(request, "prospects/purge_overview.html", context)


@role_required(Role.DPO)
@require_safe
def purge_panel(request: HttpRequest) -> HttpResponse:
    """htmx: the short panel of the DPO's home page."""
    today = timezone.localdate()
    context = {
        "due_now": Prospect.objects.filter(retention.expired(today)).count(),
        "upcoming": sum(week.count for week in retention.upcoming_purges(today=today)),
        "grace_days": retention.grace_days(),
        "last_run": PurgeRun.objects.filter(dry_run=False).first(),
    }
    return render(request, "prospects/purge_panel.html", context)


@role_required(Role.DPO, Role.ADMIN)
@require_POST
def legal_hold(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(Prospect, pk=pk)
    form = LegalHoldForm(request.POST, auto_id=HOLD_IDS)
    if form.is_valid():
        try:
            retention.place_legal_hold(prospect, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Legal hold recorded."))
            return redirect(prospect)
    # Refused: the prospect's page again, the hold as typed with its errors at its fields.
    return detail_page(request, prospect, hold_form=form)


def month_bars(series: list[tuple[date, int]]) -> list[dict]:
    """Bar geometry for the server-drawn SVG chart (CSP: no script, no inline style)."""
    top = max((total for _month, total in series), default=0) or 1
    bars = []
    for index, (month, total) in enumerate(series):
        height = round(total * CHART_HEIGHT / top)
        bars.append(
            {
                "month": month,
                "total": total,
                "x": index * BAR_STEP + 4,
                "y": CHART_HEIGHT - height,
                "height": height,
            }
        )
    return bars
