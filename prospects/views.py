from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from org.access import record_access
from org.models import AccessAction
from org.roles import EDITORS, Role, has_role, role_required
from prospects import intake, listing, ownership, timeline
from prospects.forms import (
    DeactivateForm,
    FilterForm,
    InteractionForm,
    NewProspectForm,
    NoteForm,
    edit_form_for,
)
from prospects.models import Prospect
from prospects.review import prospect_review

ANYONE = (Role.SALES, Role.DPO, Role.ADMIN)


def _visible(request: HttpRequest):
    return Prospect.objects.visible_to(request.user)


@role_required(*ANYONE)
@require_safe
def prospect_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, owners=ownership.possible_owners(request.user))
    # The list shows neither address: not decrypting 100 tokens a page is a third of its time.
    visible = _visible(request).select_related("company", "owner").defer("email", "phone")
    queryset = listing.filtered(visible, form.to_filters())
    rows, next_cursor = listing.page(queryset, after=request.GET.get("after", ""))
    query = request.GET.copy()
    query.pop("after", None)
    context = {"form": form, "rows": rows, "next_cursor": next_cursor, "query": query.urlencode()}
    template = (
        "prospects/prospect_rows.html"
        if request.headers.get("HX-Request")
        else "prospects/prospect_list.html"
    )
    return render(request, template, context)


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def prospect_create(request: HttpRequest) -> HttpResponse:
    form = NewProspectForm(request.POST or None, initial={"source_type": request.GET.get("source_type", "")})
    if request.method == "POST" and form.is_valid():
        try:
            prospect = intake.create_prospect(form.to_data(), source=form.to_source(), by=request.user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Prospect recorded."))
            return redirect(prospect)
    status = 400 if form.errors else 200
    return render(request, "prospects/prospect_form.html", {"form": form, "creating": True}, status=status)


@role_required(*EDITORS)
@require_safe
def evidence_fields(request: HttpRequest) -> HttpResponse:
    """htmx: the evidence fields of the chosen source type."""
    form = NewProspectForm(initial={"source_type": request.GET.get("source_type", "")})
    return render(request, "prospects/evidence_fields.html", {"form": form})


@role_required(*ANYONE)
@require_safe
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(_visible(request).select_related("company", "owner"), pk=pk)
    record_access(request.user, [prospect.pk], action=AccessAction.VIEW)
    context = prospect_review(prospect, viewer=request.user)
    context.update(
        interaction_form=InteractionForm(), note_form=NoteForm(), can_edit=has_role(request.user, *EDITORS)
    )
    return render(request, "prospects/prospect_detail.html", context)


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def prospect_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(_visible(request), pk=pk)
    form = edit_form_for(prospect, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intake.update_prospect(prospect, form.to_data(), by=request.user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(prospect)
    status = 400 if form.errors else 200
    return render(
        request, "prospects/prospect_form.html", {"form": form, "prospect": prospect}, status=status
    )


@role_required(*EDITORS)
@require_POST
def interaction_add(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(_visible(request), pk=pk)
    form = InteractionForm(request.POST)
    if form.is_valid():
        try:
            timeline.record_interaction(prospect, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
    if form.errors:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect(prospect)


@role_required(*EDITORS)
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(_visible(request), pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            timeline.add_note(prospect, text=form.cleaned_data["text"], by=request.user)
        except ValidationError as error:
            form.add_error("text", error.message_dict.get("text", error.messages))
    if form.errors:
        messages.error(request, " ".join(form.errors.get("text", [])))
    return redirect(prospect)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def rep_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    rep = get_object_or_404(get_user_model(), pk=user_id, is_active=True, groups__name=Role.SALES)
    form = DeactivateForm(request.POST or None, rep=rep)
    if request.method == "POST" and form.is_valid():
        moved = ownership.deactivate_rep(rep, successor=form.cleaned_data["successor"], by=request.user)
        messages.success(
            request,
            _("%(name)s can no longer log in; %(count)d prospects handed over.")
            % {"name": rep, "count": moved},
        )
        return redirect("users")
    count = Prospect.objects.filter(owner=rep).count()
    return render(request, "prospects/rep_deactivate.html", {"form": form, "rep": rep, "count": count})
