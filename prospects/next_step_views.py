"""Pages of next steps: add one to a prospect, mark one done (and log what happened)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from org.roles import EDITORS, role_required
from prospects import next_steps, ownership
from prospects.forms import CompleteStepForm, NextStepForm
from prospects.models import NextStep, Prospect


def step_owners(viewer, prospect: Prospect):
    """Who may own a step on ``prospect``: the active reps of its team the viewer may choose."""
    return ownership.possible_owners(viewer).filter(is_active=True, profile__team_id=prospect.team_id)


def _report(request: HttpRequest, form) -> None:
    problems = [f"{form[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
                for name, errors in form.errors.items()]  # fmt: skip
    messages.error(request, "; ".join(problems))


def _errors_onto(form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


@role_required(*EDITORS)
@require_POST
def next_step_add(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(Prospect.objects.visible_to(request.user), pk=pk)
    form = NextStepForm(request.POST, owners=step_owners(request.user, prospect))
    if form.is_valid():
        try:
            next_steps.add_next_step(prospect, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("Next step added."))
    if form.errors:
        _report(request, form)
    return redirect(prospect)


@role_required(*EDITORS)
@require_POST
def next_step_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a step done; with a type, the interaction it was for goes on the timeline too."""
    step = get_object_or_404(NextStep.objects.visible_to(request.user).select_related("prospect"), pk=pk)
    form = CompleteStepForm(request.POST)
    if form.is_valid():
        try:
            next_steps.complete_next_step(step, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("Step done."))
    if form.errors:
        _report(request, form)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(step.prospect)
