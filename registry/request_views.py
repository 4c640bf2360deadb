"""Pages of the data-subject requests and the subject-access export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consent.objections import reduces_to_hash
from org import confirmation
from org.roles import Role, has_role, role_required
from prospects.identity import InvalidIdentifier
from prospects.models import Prospect, RestrictionGround
from registry import requests, rights, subject_access
from registry.forms import AssignForm, CloseForm, ExtendForm, IntakeForm, LiftForm, PersonForm, RestrictForm
from registry.models import InformedBy, RequestKind, SubjectRequest
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
    return _detail(request, get_object_or_404(SubjectRequest, pk=pk))


# The forms of the request's page (no two share a field name, hence an element id).
FORMS = {
    "assign_form": AssignForm,
    "extend_form": ExtendForm,
    "close_form": CloseForm,
    "person_form": PersonForm,
    "restrict_form": RestrictForm,
}


def _detail(request: HttpRequest, item: SubjectRequest, *, bound=None) -> HttpResponse:
    """The request's page; ``bound`` is a form posted with errors, shown again as it was typed."""
    item = SubjectRequest.objects.select_related("prospect", "handler").get(pk=item.pk)
    forms = {name: form_class() for name, form_class in FORMS.items()}
    forms["assign_form"] = AssignForm(initial={"handler": item.handler_id or request.user.pk})
    if bound is not None:
        forms[next(name for name, form_class in FORMS.items() if type(bound) is form_class)] = bound
    context = {
        "item": item,
        "action": ACTIONS.get(item.kind) if has_role(request.user, Role.ADMIN) else None,
        "overdue": item.is_open and item.deadline < timezone.localdate(),
        "may_extend": requests.may_extend(item, today=timezone.localdate()),
        **forms,
        "today": timezone.localdate(),
        "timeline": requests.timeline(item),
        "remedies": (requests.REMEDIES.en, requests.REMEDIES.fr),
    }
    return render(request, "registry/request_detail.html", context, status=400 if bound is not None else 200)


def _change(request: HttpRequest, pk: int, form_class, apply) -> HttpResponse:
    """Run ``apply(subject_request, form)`` on a valid form; a refused one is shown again, as typed,
    with its errors on its fields."""
    subject_request = get_object_or_404(SubjectRequest, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            apply(subject_request, form)
        except ValidationError as error:
            form.apply_errors(error)
    if form.errors:
        return _detail(request, subject_request, bound=form)
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
        if form.errors:
            return
        if prospect is None:
            raise ValidationError(_("Nobody in the base has this identifier."))
        requests.link(item, prospect=prospect)

    return _change(request, pk, PersonForm, link)


@role_required(Role.ADMIN)
@require_POST
def request_execute(request: HttpRequest, pk: int) -> HttpResponse:
    """The administrator carries out the right the request exercises, on the linked record, once
    they confirmed what it does (an erasure, a restriction or an objection is not undone here)."""
    item = get_object_or_404(SubjectRequest.objects.select_related("prospect"), pk=pk)
    action = ACTIONS.get(item.kind)
    if action is None or item.prospect is None:
        raise Http404
    if action == "export":
        package = subject_access.export_subject_data(item.prospect, by=request.user)
        requests.record_response(item, sha256=package.sha256)
        return attachment(package.content, "application/zip", package.filename)
    extra = {}
    if action == "restrict":
        form = RestrictForm(request.POST)
        if not form.is_valid():
            return _detail(request, item, bound=form)
        extra = {"ground": form.cleaned_data["ground"]}
    if not confirmation.confirmed(request):
        return _ask_to_execute(request, item, action, **extra)
    try:
        {"erase": rights.erase, "restrict": rights.restrict, "object": rights.object_to_prospecting}[action](
            item.prospect, by=request.user, request=item, **extra
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("registry:request", pk=pk)


def _ask_to_execute(
    request: HttpRequest, item: SubjectRequest, action: str, ground: str = ""
) -> HttpResponse:
    """What erasing, restricting or objecting does to this person, asked before it is done."""
    prospect = item.prospect
    names = {"name": prospect.full_name, "number": item.pk}
    told = _("The recipients of the data are told (GDPR art. 19).")
    closes = _("Request #%(number)s is then closed as done.") % names
    back = reverse("registry:request", args=[item.pk])
    if action == "erase":
        held = prospect.hold_scope(today=timezone.localdate())
        return confirmation.ask(
            request,
            title=_("Erase the record"),
            question=_("Erase the record of %(name)s and everything about it, history included, for good?")
            % names,
            details=[
                _(
                    "Its identifiers stay on the suppression list as keyed hashes: "
                    "the person is never recorded again."
                ),
                told,
                closes,
            ],
            warning=_(
                "A legal hold keeps the data it covers, restricted (GDPR art. 17(3)); the rest is erased."
            )
            if held
            else "",
            cancel_url=back,
            button=_("Erase the record"),
        )
    if action == "restrict":
        return confirmation.ask(
            request,
            title=_("Restrict processing"),
            question=_("Restrict processing of the record of %(name)s on the ground: %(ground)s?")
            % {**names, "ground": RestrictionGround(ground).label},
            details=[
                _(
                    "The record is kept, but no one may edit it, contact the person "
                    "or export it, except to them."
                ),
                told,
                closes,
            ],
            cancel_url=back,
            button=_("Restrict processing"),
        )
    return confirmation.ask(
        request,
        title=_("Record the objection"),
        question=_("Record that %(name)s objects to prospecting on every channel?") % names,
        details=[
            _(
                "The person is no longer contacted on any channel, for good; "
                "their identifiers go on the suppression list."
            ),
            told,
            closes,
        ],
        warning=_(
            "The person is not a customer: the record is reduced to its keyed hashes "
            "and its details are erased."
        )
        if reduces_to_hash(prospect)
        else "",
        cancel_url=back,
        button=_("Record the objection"),
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def restriction_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """GDPR 18(3): the administrator lifts a restriction once the person was told, and records how."""
    prospect = get_object_or_404(Prospect, pk=pk, restricted_at__isnull=False)
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = rights.lift_refusal(prospect, **form.cleaned_data)
        if refusal is not None:
            form.apply_errors(refusal)
        elif not confirmation.confirmed(request):
            return _ask_to_lift(request, prospect, form.cleaned_data)
        else:
            try:
                rights.lift_restriction(prospect, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.apply_errors(error)
            else:
                messages.success(request, _("The restriction is lifted; the person was told first."))
                return redirect(prospect)
    context = {"prospect": prospect, "form": form}
    return render(request, "registry/restriction_lift.html", context, status=400 if form.errors else 200)


def _ask_to_lift(request: HttpRequest, prospect: Prospect, data: dict) -> HttpResponse:
    facts = {
        "date": date_format(data["informed_on"], "DATE_FORMAT"),
        "how": InformedBy(data["informed_by"]).label,
        "text": data["text"].strip(),
    }
    return confirmation.ask(
        request,
        title=_("Lift a restriction"),
        question=_("Lift the restriction on the record of %(name)s?") % {"name": prospect.full_name},
        details=[
            _("The person was told on %(date)s (%(how)s): “%(text)s”") % facts,
            _("The record may be edited, contacted and exported again."),
            _("The recipients of the data are told (GDPR art. 19)."),
        ],
        cancel_url=prospect.get_absolute_url(),
        button=_("Lift the restriction"),
    )


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
