"""The pipeline pages: the board, a move, a customer's facts, and the admin's stages and categories."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from org.roles import EDITORS, Role, has_role, role_required
from prospects import customers, pipeline
from prospects.models import ProductCategory, Prospect, Stage
from prospects.pipeline_forms import CategoryForm, CustomerForm, MoveForm, StageForm
from prospects.views import detail_page

ANYONE = (Role.SALES, Role.DPO, Role.ADMIN)
# The newest of each column; the list page, filtered by stage, shows the rest.
COLUMN_SIZE = 50


def _visible(request: HttpRequest):
    return Prospect.objects.visible_to(request.user)


@role_required(*ANYONE)
@require_safe
def board(request: HttpRequest) -> HttpResponse:
    """One column per stage, newest first: one range of the (team, stage, created_at) index each."""
    visible = _visible(request).select_related("company").defer("email", "phone")
    stages = pipeline.stages()
    can_move = has_role(request.user, *EDITORS)
    columns = [
        (
            stage,
            list(visible.filter(stage=stage).order_by("-created_at", "-pk")[:COLUMN_SIZE]),
            _stage_options(stages, stage) if can_move else "",
        )
        for stage in stages
    ]
    unstaged = list(visible.filter(stage__isnull=True).order_by("-created_at", "-pk")[:COLUMN_SIZE])
    context = {
        "columns": columns,
        "unstaged": unstaged,
        "unstaged_options": _stage_options(stages, None) if can_move and unstaged else "",
        "can_move": can_move,
        "move_form": MoveForm(),
    }
    return render(request, "prospects/pipeline_board.html", context)


def _stage_options(stages: list[Stage], selected: Stage | None) -> str:
    """The options of a card's stage menu, the same for every card of a column: rendered once
    per column, not once per card (up to 50 cards by 7 stages a column)."""
    chosen = selected.pk if selected else None
    return render_to_string("prospects/stage_options.html", {"stages": stages, "chosen": chosen})


@role_required(*EDITORS)
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(_visible(request), pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            pipeline.move(
                prospect, form.cleaned_data["stage"], by=request.user, category=form.cleaned_data["category"]
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(
                request,
                _("%(name)s moved to %(stage)s.")
                % {"name": prospect.full_name, "stage": form.cleaned_data["stage"]},
            )
            back = (
                prospect.get_absolute_url()
                if request.POST.get("back") == "detail"
                else reverse("prospects:board")
            )
            return redirect(back)
    # A won stage without what was sold: the rep is asked for it.
    return render(request, "prospects/pipeline_move.html", {"form": form, "prospect": prospect}, status=400)


@role_required(*EDITORS)
@require_POST
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(_visible(request), pk=pk)
    form = CustomerForm(request.POST)
    if form.is_valid():
        try:
            customers.update_customer(prospect, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Customer status saved."))
            return redirect(prospect)
    # Refused: the prospect's page again, the status as typed, open, with its errors at its fields.
    return detail_page(request, prospect, customer_form=form)


# --- The admin's lists ------------------------------------------------------------------


# Both forms have a "name": their ids differ so that each label focuses its own field.
STAGE_IDS, CATEGORY_IDS = "stage_%s", "category_%s"


def _edit_prefix(stage: Stage) -> str:
    """Each stage's row has names and ids of its own ("stage-3-name"), the add form none."""
    return f"stage-{stage.pk}"


def _stage_rows(edited: tuple[int, StageForm] | None) -> list[tuple[Stage, StageForm]]:
    """Every stage with its form: the one refused as typed, the others as stored."""
    rows = []
    for stage in pipeline.stages():
        if edited is not None and edited[0] == stage.pk:
            rows.append((stage, edited[1]))
            continue
        initial = {"name": stage.name, "outcome": stage.outcome, "position": stage.position}
        rows.append((stage, StageForm(initial=initial, prefix=_edit_prefix(stage))))
    return rows


def _settings_page(
    request: HttpRequest, *, stage_form=None, category_form=None, edited=None, status=200
) -> HttpResponse:
    context = {
        "stages": _stage_rows(edited),
        "categories": ProductCategory.objects.prefetch_related("similar_to"),
        "stage_form": stage_form or StageForm(auto_id=STAGE_IDS),
        "category_form": category_form or CategoryForm(auto_id=CATEGORY_IDS),
    }
    return render(request, "prospects/pipeline_settings.html", context, status=status)


@role_required(Role.ADMIN)
@require_safe
def pipeline_settings(request: HttpRequest) -> HttpResponse:
    return _settings_page(request)


@role_required(Role.ADMIN)
@require_POST
def stage_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=pk) if pk else None
    if stage is None:
        form = StageForm(request.POST, auto_id=STAGE_IDS)
    else:
        form = StageForm(request.POST, prefix=_edit_prefix(stage))
    if form.is_valid():
        try:
            pipeline.save_stage(stage=stage, **form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Stage saved."))
            return redirect("prospects:pipeline_settings")
    # Refused: a change comes back in its stage's row, a new stage in the form that adds one.
    if stage is not None:
        return _settings_page(request, edited=(stage.pk, form), status=400)
    return _settings_page(request, stage_form=form, status=400)


@role_required(Role.ADMIN)
@require_POST
def category_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    category = get_object_or_404(ProductCategory, pk=pk) if pk else None
    form = CategoryForm(request.POST, auto_id=CATEGORY_IDS)
    if form.is_valid():
        try:
            pipeline.save_category(
                category=category,
                name=form.cleaned_data["name"],
                similar_to=list(form.cleaned_data["similar_to"]),
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Category saved."))
            return redirect("prospects:pipeline_settings")
    return _settings_page(request, category_form=form, status=400)
