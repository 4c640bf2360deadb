"""Pages of next steps: add one to a prospect, change what, when or who, mark one done (and log
what happened)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from org.roles import EDITORS, role_required
from prospects import next_steps, ownership
from prospects.forms import CompleteStepForm, NextStepForm
from prospects.models import NextStep, Prospect
from prospects.views import detail_page


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
    form = NextStepForm(request.POST, owners=ownership.step_owners(request.user, prospect))
    if form.is_valid():
        try:
            next_steps.add_next_step(prospect, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("Next step added."))
            return redirect(prospect)
    # Refused: the prospect's page again, the step as typed with its errors at its fields.
    return detail_page(request, prospect, next_step_form=form)


def _back(request: HttpRequest, default):
    back = request.POST.get("next", "") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return default


def _edit_form(*args, owners, **kwargs) -> NextStepForm:
    """The add form, where the owner is always named: "me" would be ambiguous on someone else's step."""
    form = NextStepForm(*args, owners=owners, **kwargs)
    form.fields["owner"].required = True
    form.fields["owner"].empty_label = None
    return form


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def next_step_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an open step's what, due date or owner; a refused change comes back as typed."""
    step = get_object_or_404(NextStep.objects.visible_to(request.user).select_related("prospect"), pk=pk)
    owners = ownership.step_owners(request.user, step.prospect)
    if step.is_done:
        messages.error(request, _("This step is done; it can no longer be changed."))
        return redirect(step.prospect)
    if request.method == "POST":
        form = _edit_form(request.POST, owners=owners)
        if form.is_valid():
            data = form.cleaned_data
            try:
                next_steps.update_next_step(
                    step, what=data["what"], due_at=data["due_at"], owner=data["owner"], by=request.user
                )
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                messages.success(request, _("Next step changed."))
                return redirect(_back(request, step.prospect.get_absolute_url()))
    else:
        form = _edit_form(
            initial={"what": step.what, "due_at": step.due_at, "owner": step.owner_id}, owners=owners
        )
    back = _back(request, step.prospect.get_absolute_url())
    status = 400 if form.errors else 200
    return render(
        request, "prospects/next_step_edit.html", {"form": form, "step": step, "back": back}, status=status
    )


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
    return redirect(_back(request, step.prospect.get_absolute_url()))
