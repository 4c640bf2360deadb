"""Staff pages: the consent panel of a prospect and its actions, the suppression report, broker forwarding."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consent import brokers, objections, recording, review, suppression_report
from consent.forms import ConsentForm, ObjectionForm, WithdrawalForm
from org import confirmation
from org.roles import EDITORS, Role, has_role, role_required
from prospects.models import Prospect

ANYONE = (Role.SALES, Role.DPO, Role.ADMIN)
OVERSEERS = (Role.DPO, Role.ADMIN)


def _prospect(request: HttpRequest, pk: int) -> Prospect:
    return get_object_or_404(Prospect.objects.visible_to(request.user), pk=pk)


# The panel's three forms, each under its own prefix: on the prospect page no two share an element id.
FORMS = {"objection_form": ObjectionForm, "consent_form": ConsentForm, "withdrawal_form": WithdrawalForm}
PREFIXES = {ObjectionForm: "objection", ConsentForm: "consent", WithdrawalForm: "withdrawal"}


def _panel_context(request: HttpRequest, prospect: Prospect, *, bound=None) -> dict:
    context = review.consent_review(prospect, viewer=request.user, can_edit=has_role(request.user, *EDITORS))
    if context["can_edit"]:
        context.update({name: form_class(prefix=PREFIXES[form_class]) for name, form_class in FORMS.items()})
        if bound is not None:
            context[next(name for name, form_class in FORMS.items() if type(bound) is form_class)] = bound
    return context


def _posted(request: HttpRequest, form_class):
    return form_class(request.POST, prefix=PREFIXES[form_class])


def _refused(request: HttpRequest, prospect: Prospect, form) -> HttpResponse:
    """A refused panel form, on a page of its own: what was typed, and each error on its field."""
    context = _panel_context(request, prospect, bound=form) | {"prospect": prospect}
    return render(request, "consent/panel_page.html", context, status=400)


@role_required(*ANYONE)
@require_GET
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx panel of the prospect page: consent and objection history with proof, and actions."""
    return render(request, "consent/panel.html", _panel_context(request, _prospect(request, pk)))


@role_required(*EDITORS)
@require_POST
def objection_add(request: HttpRequest, pk: int) -> HttpResponse:
    """An objection received by phone, letter or reply, recorded once the rep confirmed what it does."""
    prospect, form = _prospect(request, pk), _posted(request, ObjectionForm)
    if not form.is_valid():
        return _refused(request, prospect, form)
    data = form.cleaned_data
    if not confirmation.confirmed(request):
        return _ask_to_object(request, prospect, form)
    try:
        objection = objections.record_objection(
            prospect,
            channel=data["channel"],
            via=data["received_via"],
            by=request.user,
            received_at=form.moment(),
        )
    except ValidationError as problem:
        form.apply_errors(problem)
        return _refused(request, prospect, form)
    if objections.reduced(objection):
        # GDPR 5(1)(c): the record is gone; its page would be a 404.
        messages.success(request, str(objections.REDUCED))
        return redirect("prospects:list")
    messages.success(request, _("Objection recorded: this person is no longer contacted on that channel."))
    return redirect(prospect)


def _ask_to_object(request: HttpRequest, prospect: Prospect, form: ObjectionForm) -> HttpResponse:
    data = form.cleaned_data
    facts = {
        "name": prospect.full_name,
        "channel": dict(form.fields["channel"].choices)[data["channel"]],
        "via": dict(form.fields["received_via"].choices)[data["received_via"]],
        "date": date_format(timezone.localtime(form.moment()), "DATE_FORMAT"),
    }
    question = (
        _("Record that %(name)s objects to prospecting on every channel?")
        if not data["channel"]
        else _("Record that %(name)s objects to prospecting by %(channel)s?")
    )
    return confirmation.ask(
        request,
        title=_("Record the objection"),
        question=question % facts,
        details=[
            _("Received via %(via)s on %(date)s.") % facts,
            _(
                "The person is no longer contacted on that channel, for good; their identifiers go on the "
                "suppression list."
            ),
            _("The recipients of the data are told (GDPR art. 19)."),
        ],
        warning=str(objections.REDUCED)
        if not data["channel"] and objections.reduces_to_hash(prospect)
        else "",
        cancel_url=prospect.get_absolute_url(),
        button=_("Record the objection"),
    )


@role_required(*EDITORS)
@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    prospect, form = _prospect(request, pk), _posted(request, ConsentForm)
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
            form.apply_errors(problem)
    if form.errors:
        return _refused(request, prospect, form)
    messages.success(request, _("Consent recorded with its proof."))
    return redirect(prospect)


@role_required(*EDITORS)
@require_POST
def withdrawal_add(request: HttpRequest, pk: int) -> HttpResponse:
    prospect, form = _prospect(request, pk), _posted(request, WithdrawalForm)
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
            form.apply_errors(problem)
    if form.errors:
        return _refused(request, prospect, form)
    messages.success(request, _("Withdrawal recorded: the consent no longer counts."))
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
