from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from org import confirmation
from org.access import record_access
from org.accounts import display_name
from org.models import AccessAction
from org.roles import EDITORS, EXPORTERS, Role, has_role, role_required
from prospects import (
    customers,
    intake,
    list_export,
    listing,
    lists,
    next_steps,
    ownership,
    pipeline,
    saved_views,
    timeline,
)
from prospects.forms import (
    BulkForm,
    CompleteStepForm,
    DeactivateForm,
    FilterForm,
    InteractionForm,
    LegalHoldForm,
    ListForm,
    NewProspectForm,
    NextStepForm,
    NoteForm,
    Offered,
    SavedViewForm,
    edit_form_for,
)
from prospects.models import NextStep, Prospect, ProspectList, SavedView
from prospects.pipeline_forms import CustomerForm, MoveForm
from prospects.review import prospect_review

ANYONE = (Role.SALES, Role.DPO, Role.ADMIN)
# The legal hold's fields among the prospect page's forms: ids of their own.
HOLD_IDS = "hold-%s"


def _visible(request: HttpRequest):
    return Prospect.objects.visible_to(request.user)


@role_required(*ANYONE)
@require_safe
def prospect_list(request: HttpRequest) -> HttpResponse:
    # The next page's rows alone; a new filter gets the whole workspace (count, rows, selection).
    partial = request.headers.get("HX-Request") and request.headers.get("HX-Target") != "workspace"
    return list_page(request, request.GET, partial=bool(partial))


def list_page(
    request: HttpRequest, data, *, partial: bool = False, view_form: SavedViewForm | None = None
) -> HttpResponse:
    """The list filtered by ``data`` (the page's query, or what a refused "save this view" carried,
    shown again with ``view_form`` as it was typed, its errors at its fields)."""
    owners = ownership.possible_owners(request.user)
    # The forms' owners, lists and stages, read once for the three forms that show them.
    offered = None if partial else Offered.read(owners=owners, lists=_lists(request))
    form = FilterForm(data or None, owners=owners, lists=_lists(request), offered=offered)
    # The list shows neither address: not decrypting 100 tokens a page is a third of its time.
    visible = _visible(request).select_related("company", "owner", "stage").defer("email", "phone")
    queryset = listing.filtered(visible, form.to_filters())
    sort = listing.sort_value(data.get("sort", ""))
    rows, next_cursor = listing.sorted_page(queryset, sort=sort, after=data.get("after", ""))
    query = data.copy()
    query.pop("after", None)
    context = {
        "form": form, "rows": rows, "next_cursor": next_cursor, "query": query.urlencode(),
        "count": listing.count_up_to(queryset), "count_limit": listing.COUNT_LIMIT,
        "carried": _carried(query), "bulk_form": _bulk_form(request, None, offered=offered),
        "sort": sort, "columns": _columns(query, sort), **_workspace(request, form),
    }  # fmt: skip
    if view_form is not None:
        context["view_form"] = view_form
    template = "prospects/prospect_rows.html" if partial else "prospects/prospect_list.html"
    return render(request, template, context, status=400 if view_form is not None else 200)


@role_required(*EXPORTERS)
@require_safe
def prospect_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The list as filtered, as a file (team leads and admins; logged once per export)."""
    if fmt not in list_export.FORMATS:
        raise Http404
    query = request.GET.copy()
    query.pop("after", None)
    back = f"{reverse('prospects:list')}?{query.urlencode()}"
    form = FilterForm(request.GET, owners=ownership.possible_owners(request.user), lists=_lists(request))
    if not form.is_valid():
        # An unreadable filter must not widen to the whole base: nothing is exported.
        problems = "; ".join(f"{form[name].label}: {' '.join(e)}" for name, e in form.errors.items())
        refused = _("Nothing was exported, the filter is not valid: %(problems)s")
        messages.error(request, refused % {"problems": problems})
        return redirect(back)
    filters = form.to_filters()
    try:
        made = list_export.export_list(
            listing.filtered(_visible(request), filters), filters=filters, fmt=fmt, by=request.user
        )
    except list_export.TooManyRows as error:
        messages.error(request, str(error))
        return redirect(back)
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


# The list's columns: a heading, and the SORTS key of those that sort the list.
COLUMNS = (
    (_lazy("Name"), "name"), (_lazy("Company"), "company"), (_lazy("Job title"), ""),
    (_lazy("Audience"), ""), (_lazy("Stage"), "stage"), (_lazy("Owner"), "owner"),
    (_lazy("Last contact"), "last_contact"), (_lazy("Kept until"), "retention"),
    (_lazy("Created"), "created"),
)  # fmt: skip


def _columns(query, sort: str) -> list[dict]:
    """Each heading, with the link that sorts by it (the filter kept) and its aria-sort."""
    kept = query.copy()
    kept.pop("sort", None)
    base = kept.urlencode()
    columns = []
    for label, key in COLUMNS:
        column = {"label": label, "href": "", "aria_sort": ""}
        if key:
            link = urlencode({"sort": listing.sort_link(key, sort)})
            column["href"] = f"?{base}&{link}" if base else f"?{link}"
            if sort.removeprefix("-") == key:
                column["aria_sort"] = "descending" if sort.startswith("-") else "ascending"
        columns.append(column)
    return columns


def _workspace(request: HttpRequest, form: FilterForm) -> dict:
    """The saved views the user may apply (own, and the team's shared), and the list being shown."""
    views = SavedView.objects.usable_by(request.user).select_related("created_by")
    in_list = form.cleaned_data.get("in_list") if form.is_valid() else None
    return {
        "saved_views": [(view, saved_views.query_of(view)) for view in views],
        "view_form": SavedViewForm(),
        "in_list": in_list,
    }


def _lists(request: HttpRequest):
    return ProspectList.objects.visible_to(request.user)


def _carried(query) -> list[tuple[str, str]]:
    """The filter's parameters, carried by the bulk action's forms as hidden fields."""
    skipped = {"after", "csrfmiddlewaretoken", *BulkForm.base_fields}
    return [(name, value) for name, values in query.lists() if name not in skipped for value in values]


def _bulk_form(request: HttpRequest, data, *, offered: Offered | None = None) -> BulkForm:
    owners = ownership.possible_owners(request.user).filter(is_active=True)
    return BulkForm(data, lists=_lists(request), owners=owners, offered=offered)


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Confirm (GET, with how many rows it touches), then apply (POST) a bulk action, set-based."""
    data = request.POST if request.method == "POST" else request.GET
    filters = FilterForm(data, owners=ownership.possible_owners(request.user), lists=_lists(request))
    form = _bulk_form(request, data)
    context = {"form": form, "carried": _carried(data), "query": urlencode(_carried(data))}
    if not form.is_valid():
        return render(request, "prospects/bulk_confirm.html", context, status=400)
    rows = listing.selected(_visible(request), filters=filters.to_filters(), ids=form.ids())
    if request.method == "GET":
        return render(request, "prospects/bulk_confirm.html", {**context, "count": rows.count()})
    try:
        done = _apply(form, rows, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(f"{reverse('prospects:list')}?{context['query']}")


def _apply(form: BulkForm, rows, *, by) -> str:
    data = form.cleaned_data
    if data["action"] == BulkForm.ADD_TO_LIST:
        added = lists.add_to_list(data["to_list"], prospects=rows, by=by)
        return _("%(count)d prospects added to %(list)s.") % {"count": added, "list": data["to_list"]}
    if data["action"] == BulkForm.ADD_NEXT_STEP:
        added = next_steps.add_next_steps(
            rows, what=data["step_what"], due_at=data["step_due_at"], owner=data["step_owner"], by=by
        )
        return _("Next step added to %(count)d prospects.") % {"count": added}
    if data["action"] == BulkForm.SET_STAGE:
        moved = pipeline.move_many(rows, data["to_stage"], by=by)
        return _("%(count)d prospects moved to %(stage)s.") % {"count": moved, "stage": data["to_stage"]}
    moved = ownership.assign_owner(rows, owner=data["new_owner"], by=by)
    return _("%(count)d prospects given to %(owner)s.") % {"count": moved, "owner": data["new_owner"]}


@role_required(*ANYONE)
@require_http_methods(["GET", "POST"])
def list_index(request: HttpRequest) -> HttpResponse:
    """The team's static lists, and a new one (editors only)."""
    if request.method == "POST" and not has_role(request.user, *EDITORS):
        raise PermissionDenied
    form = ListForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            made = lists.create_list(name=form.cleaned_data["name"], by=request.user)
        except ValidationError as error:
            form.add_error("name", error.message_dict.get("name", error.messages))
        else:
            messages.success(request, _("List created."))
            return redirect(made)
    rows = _lists(request).annotate(size=Count("members"))
    context = {"form": form, "lists": rows, "can_edit": has_role(request.user, *EDITORS)}
    return render(request, "prospects/list_index.html", context, status=400 if form.errors else 200)


@role_required(*EDITORS)
@require_POST
def add_one_to_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The prospect page's "add to a list"."""
    prospect = get_object_or_404(_visible(request), pk=pk)
    picked = request.POST.get("to_list", "")
    chosen = _lists(request).filter(pk=int(picked)).first() if picked.isdigit() else None
    if chosen is None:
        messages.error(request, _("Choose one of your team's lists."))
        return redirect(prospect)
    lists.add_to_list(chosen, prospects=_visible(request).filter(pk=prospect.pk), by=request.user)
    messages.success(request, _("Added to %(list)s.") % {"list": chosen})
    return redirect(prospect)


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
    prospect = get_object_or_404(_visible(request).select_related("company", "owner", "stage"), pk=pk)
    return detail_page(request, prospect)


def detail_page(request: HttpRequest, prospect: Prospect, **refused) -> HttpResponse:
    """The prospect's page; ``refused`` holds a form posted with errors (``note_form=...``), shown
    again as it was typed, with its errors on its fields."""
    record_access(request.user, [prospect.pk], action=AccessAction.VIEW)
    context = prospect_review(prospect, viewer=request.user)
    context.update(
        next_steps=prospect.next_steps.select_related("owner").order_by("done_at", "due_at", "id")[:100],
        next_step_form=NextStepForm(owners=ownership.step_owners(request.user, prospect)),
        complete_form=CompleteStepForm(),
        interaction_form=InteractionForm(),
        note_form=NoteForm(),
        can_edit=has_role(request.user, *EDITORS),
        lists=_lists(request),
        on_lists=lists.lists_of(prospect, viewer=request.user),
        hold_form=LegalHoldForm(auto_id=HOLD_IDS),
        move_form=MoveForm(initial={"stage": prospect.stage_id}),
        customer_form=CustomerForm(
            initial={name: getattr(prospect, name) for name in customers.CUSTOMER_FIELDS}
        ),
    )
    context.update(refused)
    return render(request, "prospects/prospect_detail.html", context, status=400 if refused else 200)


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
        return detail_page(request, prospect, interaction_form=form)
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
        # The refused note keeps its text, to be edited rather than typed again.
        return detail_page(request, prospect, note_form=form)
    return redirect(prospect)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def rep_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    rep = get_object_or_404(get_user_model(), pk=user_id, is_active=True, groups__name=Role.SALES)
    form = DeactivateForm(request.POST or None, rep=rep)
    count = Prospect.objects.filter(owner=rep).count()
    if request.method == "POST" and form.is_valid():
        successor = form.cleaned_data["successor"]
        if not confirmation.confirmed(request):
            facts = {
                "name": display_name(rep),
                "successor": display_name(successor),
                "count": count,
                "steps": NextStep.objects.open().filter(owner=rep).count(),
            }
            return confirmation.ask(
                request,
                title=_("Deactivate a sales rep"),
                question=ngettext(
                    "Deactivate %(name)s and hand %(count)d prospect to %(successor)s?",
                    "Deactivate %(name)s and hand %(count)d prospects to %(successor)s?",
                    count,
                )
                % facts,
                details=[
                    _("%(name)s can no longer log in: their sessions and API tokens end at once.") % facts,
                    ngettext(
                        "%(steps)d open next step goes to %(successor)s too.",
                        "%(steps)d open next steps go to %(successor)s too.",
                        facts["steps"],
                    )
                    % facts,
                ],
                cancel_url=reverse("users"),
                button=_("Deactivate and hand over"),
            )
        moved = ownership.deactivate_rep(rep, successor=successor, by=request.user)
        messages.success(
            request,
            _("%(name)s can no longer log in; %(count)d prospects handed over.")
            % {"name": rep, "count": moved},
        )
        return redirect("users")
    return render(request, "prospects/rep_deactivate.html", {"form": form, "rep": rep, "count": count})
