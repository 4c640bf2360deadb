"""Staff pages: the consent panel of a prospect and its actions, the suppression report, broker forwarding."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consent import brokers, objections, recording, review, suppression_report
from consent.forms import ConsentForm, ObjectionForm, WithdrawalForm
from org.roles import EDITORS, Role, has_role, role_required
from prospects.models import Prospect

ANYONE = (Role.SALES, Role.DPO, Role.ADMIN)
OVERSEERS = (Role.DPO, Role.ADMIN)


def _prospect(request: HttpRequest, pk: int) -> Prospect:
    return get_object_or_404(Prospect.objects.visible_to(request.user), pk=pk)


def _report(request: HttpRequest, form, error: ValidationError | None, success: str) -> None:
    """Outcome of a panel action, shown on the prospect page it returns to."""
    problems = [str(m) for errors in form.errors.values() for m in errors]
    if error is not None:
        problems += [str(m) for errors in error.message_dict.values() for m in errors]
    if problems:
        messages.error(request, " ".join(problems))
    else:
        messages.success(request, success)


@role_required(*ANYONE)
@require_GET
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx panel of the prospect page: consent and objection history with proof, and actions."""
    prospect = _prospect(request, pk)
    context = review.consent_review(prospect, viewer=request.user, can_edit=has_role(request.user, *EDITORS))
    if context["can_edit"]:
        context.update(
            objection_form=ObjectionForm(), consent_form=ConsentForm(), withdrawal_form=WithdrawalForm()
        )
    return render(request, "consent/panel.html", context)


@role_required(*EDITORS)
@require_POST
def objection_add(request: HttpRequest, pk: int) -> HttpResponse:
    prospect, form, error, objection = _prospect(request, pk), ObjectionForm(request.POST), None, None
    if form.is_valid():
        data = form.cleaned_data
        try:
            objection = objections.record_objection(
                prospect,
                channel=data["channel"],
                via=data["received_via"],
                by=request.user,
                received_at=form.moment(),
            )
        except ValidationError as problem:
            error = problem
    if objection is not None and objections.reduced(objection):
        # GDPR 5(1)(c): the record is gone; its page would be a 404.
        messages.success(request, str(objections.REDUCED))
        return redirect("prospects:list")
    _report(
        request, form, error, _("Objection recorded: this person is no longer contacted on that channel.")
    )
    return redirect(prospect)


@role_required(*EDITORS)
@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    prospect, form, error = _prospect(request, pk), ConsentForm(request.POST), None
    if form.is_valid():
        data = form.cleaned_data
        try:
            recording.record_consent(
                prospect,
                purpose_code=data["purpose"].code,
                channel=data["channel"],
                proof=form.to_proof(),
                by=request.user,
            )
        except ValidationError as problem:
            error = problem
    _report(request, form, error, _("Consent recorded with its proof."))
    return redirect(prospect)


@role_required(*EDITORS)
@require_POST
def withdrawal_add(request: HttpRequest, pk: int) -> HttpResponse:
    prospect, form, error = _prospect(request, pk), WithdrawalForm(request.POST), None
    if form.is_valid():
        data = form.cleaned_data
        try:
            recording.withdraw_consent(
                prospect,
                purpose_code=data["purpose"].code,
                channel=data["channel"],
                via=data["received_via"],
                by=request.user,
                given_at=form.moment(),
            )
        except ValidationError as problem:
            error = problem
    _report(request, form, error, _("Withdrawal recorded: the consent no longer counts."))
    return redirect(prospect)


@role_required(*OVERSEERS)
@require_GET
def suppression_summary(request: HttpRequest) -> HttpResponse:
    """The suppression list in counts only: it can never be read back into identities."""
    summary = suppression_report.summarise()
    tables = [
        (_("By origin"), summary.by_origin),
        (_("By identifier"), summary.by_kind),
        (_("By channel"), summary.by_channel),
    ]
    return render(request, "consent/suppression_summary.html", {"summary": summary, "tables": tables})


@role_required(*OVERSEERS)
@require_GET
def broker_queue(request: HttpRequest) -> HttpResponse:
    context = {"pending": brokers.pending_by_broker(), "exports": brokers.recent_exports()}
    return render(request, "consent/broker_queue.html", context)


@role_required(*OVERSEERS)
@require_POST
def broker_export(request: HttpRequest) -> HttpResponse:
    """Download a broker's pending objections (identifiers in clear) and record the forwarding."""
    try:
        export, text = brokers.export_for_broker(request.POST.get("broker", ""), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("consent:brokers")
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="objections-{export.pk}-{export.exported_at:%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
