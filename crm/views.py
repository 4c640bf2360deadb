from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from org.roles import Role, primary_role
from outreach import proposals
from prospects import agenda, retention
from prospects.forms import CompleteStepForm
from prospects.models import Prospect


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    role = primary_role(request.user)
    template = {
        Role.SALES: "crm/home_sales.html",
        Role.DPO: "crm/home_dpo.html",
        Role.ADMIN: "crm/home_admin.html",
    }.get(role, "crm/home_none.html")
    return render(request, template, home_context(request.user, role))


def home_context(user, role: Role | None) -> dict:
    """What each role's home page shows; the apps add their own panels here as they grow."""
    context: dict = {"role": role}
    if role == Role.SALES:
        mine = Prospect.objects.filter(owner=user)
        context["my_prospects"] = mine.select_related("company").order_by("-created_at", "-id")[:20]
        context["my_count"] = mine.count()
        context["ending_soon"] = retention.due_soon(today=timezone.localdate(), among=mine).count()
        context["grace_days"] = retention.grace_days()
        # The rep's day: their steps and the notices waiting for them (prospects/agenda.py).
        context["day"] = agenda.day_of(user)
        context["day"].stop_replies = list(proposals.pending_for(user)[:200])
        context["complete_form"] = CompleteStepForm()
    return context


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
