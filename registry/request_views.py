"""Pages of the data-subject requests and the subject-access export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from org.roles import Role, has_role, role_required
from prospects.identity import InvalidIdentifier
from prospects.models import Prospect
from registry import requests, rights, subject_access
from registry.forms import AssignForm, CloseForm, ExtendForm, IntakeForm, LiftForm, PersonForm, RestrictForm
from registry.models import RequestKind, SubjectRequest
from registry.views import ACCOUNTABLE, attachment

# What an administrator can carry out for each right (docs/design.md, "Who uses it").
ACTIONS = {
    RequestKind.ACCESS: "export",
    RequestKind.PORTABILITY: "export",
    RequestKind.ERASURE: "erase",
    RequestKind.RESTRICTION: "restrict",
    RequestKind.OBJECTION: "object",
}


def _person(form: PersonForm | IntakeForm):
    """The prospect the form's identifiers point at; a malformed one becomes the field's error."""
    try:
        return subject_access.find_person(
            **{name: form.cleaned_data.get(name, "") for name in PersonForm.base_fields}
        )
    except InvalidIdentifier as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


@role_required(*ACCOUNTABLE)
@require_http_methods(["GET", "POST"])
def request_list(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        prospect = _person(form)
        if not form.errors:
            try:
                received = requests.receive(form.to_intake(prospect=prospect), by=request.user)
            except ValidationError as error:
                form.apply_errors(error)
            else:
                return redirect("registry:request", pk=received.pk)
    listed = (
        SubjectRequest.objects.with_deadline().select_related("handler").order_by("-received_on", "-pk")[:200]
    )
    context = {"form": form, "entries": listed, "overdue": requests.overdue()}
    return render(request, "registry/request_list.html", context, status=400 if form.errors else 200)


@role_required(*ACCOUNTABLE)
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject_request = get_object_or_404(SubjectRequest.objects.select_related("prospect", "handler"), pk=pk)
    context = {
        "item": subject_request,
        "action": ACTIONS.get(subject_request.kind) if has_role(request.user, Role.ADMIN) else None,
        "overdue": subject_request.is_open and subject_request.deadline < timezone.localdate(),
        "may_extend": requests.may_extend(subject_request, today=timezone.localdate()),
        "assign_form": AssignForm(initial={"handler": subject_request.handler_id or request.user.pk}),
        "extend_form": ExtendForm(),
        "close_form": CloseForm(),
        "person_form": PersonForm(),
        "restrict_form": RestrictForm(),
        "today": timezone.localdate(),
        "timeline": requests.timeline(subject_request),
        "remedies": (requests.REMEDIES.en, requests.REMEDIES.fr),
    }
    return render(request, "registry/request_detail.html", context)


def _change(request: HttpRequest, pk: int, form_class, apply) -> HttpResponse:
    """Run ``apply(subject_request, form)`` on a valid form; errors come back as messages."""
    subject_request = get_object_or_404(SubjectRequest, pk=pk)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
        apply(subject_request, form)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("registry:request", pk=pk)


@role_required(*ACCOUNTABLE)
@require_POST
def request_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(request, pk, AssignForm, lambda item, form: requests.assign(item, **form.cleaned_data))


@role_required(*ACCOUNTABLE)
@require_POST
def request_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(request, pk, ExtendForm, lambda item, form: requests.extend(item, **form.cleaned_data))


@role_required(*ACCOUNTABLE)
@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(
        request, pk, CloseForm, lambda item, form: requests.close(item, by=request.user, **form.cleaned_data)
    )


@role_required(*ACCOUNTABLE)
@require_POST
def request_link(request: HttpRequest, pk: int) -> HttpResponse:
    def link(item: SubjectRequest, form: PersonForm) -> None:
        prospect = _person(form)
        if form.errors or prospect is None:
            raise ValidationError(
                " ".join(form.non_field_errors()) or _("Nobody in the base has this identifier.")
            )
        requests.link(item, prospect=prospect)

    return _change(request, pk, PersonForm, link)


@role_required(Role.ADMIN)
@require_POST
def request_execute(request: HttpRequest, pk: int) -> HttpResponse:
    """The administrator carries out the right the request exercises, on the linked record."""
    item = get_object_or_404(SubjectRequest.objects.select_related("prospect"), pk=pk)
    action = ACTIONS.get(item.kind)
    if action is None or item.prospect is None:
        raise Http404
    if action == "export":
        package = subject_access.export_subject_data(item.prospect, by=request.user)
        requests.record_response(item, sha256=package.sha256)
        return attachment(package.content, "application/zip", package.filename)
    extra = {"ground": request.POST.get("ground", "")} if action == "restrict" else {}
    try:
        {"erase": rights.erase, "restrict": rights.restrict, "object": rights.object_to_prospecting}[action](
            item.prospect, by=request.user, request=item, **extra
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("registry:request", pk=pk)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def restriction_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """GDPR 18(3): the administrator lifts a restriction once the person was told, and records how."""
    prospect = get_object_or_404(Prospect, pk=pk, restricted_at__isnull=False)
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rights.lift_restriction(prospect, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The restriction is lifted; the person was told first."))
            return redirect(prospect)
    context = {"prospect": prospect, "form": form}
    return render(request, "registry/restriction_lift.html", context, status=400 if form.errors else 200)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def subject_access_export(request: HttpRequest) -> HttpResponse:
    """Find a person by email, phone or LinkedIn address and download everything about them; someone
    erased or who objected, with no record left, gets what their suppression-list fingerprints are."""
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        prospect = _person(form)
        package = None
        if prospect is not None:
            package = subject_access.export_subject_data(prospect, by=request.user)
        elif not form.errors:
            # No record, but the person's fingerprints may be on the suppression list (GDPR recital 26).
            identifiers = {name: form.cleaned_data.get(name, "") for name in PersonForm.base_fields}
            language = "fr" if (translation.get_language() or "").startswith("fr") else "en"
            package = subject_access.export_suppression_answer(**identifiers, language=language)
        if package is not None:
            return attachment(package.content, "application/zip", package.filename)
        if not form.errors:
            form.add_error(
                None,
                _(
                    "Nobody in the base has this identifier and no fingerprint of it is on the suppression "
                    "list: the answer is that no data are held."
                ),
            )
    return render(request, "registry/subject_access.html", {"form": form}, status=400 if form.errors else 200)
