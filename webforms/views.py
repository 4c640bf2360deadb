"""The administrator's and the DPO's pages of the web forms: list, define, edit, follow."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from org.roles import Role, role_required
from webforms import definitions, follow_up
from webforms.forms import ConsentBoxFormSet, DefinitionForm
from webforms.models import Outcome, WebForm

MANAGERS = (Role.ADMIN, Role.DPO)


@role_required(*MANAGERS)
@require_safe
def form_list(request: HttpRequest) -> HttpResponse:
    return render(request, "webforms/form_list.html", {"forms": follow_up.overview()})


def _edit(request: HttpRequest, form: WebForm | None) -> HttpResponse:
    version = definitions.current_version(form) if form else None
    initial = (
        DefinitionForm.initial_for(form, version) if form else {"fields": list(definitions.ALWAYS_SHOWN)}
    )
    definition = DefinitionForm(request.POST or None, initial=initial)
    boxes = ConsentBoxFormSet(
        request.POST or None, initial=version.consents if version else None, prefix="box"
    )
    if request.method == "POST" and definition.is_valid() and boxes.is_valid():
        consents = [box.as_box() for box in boxes if box.has_changed() and box.cleaned_data]
        try:
            saved = definitions.save_form(definition.to_definition(consents), form=form, by=request.user)
        except ValidationError as error:
            definition.apply_errors(error)
        else:
            return redirect("webforms:detail", pk=saved.pk)
    context = {"definition": definition, "boxes": boxes, "webform": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "webforms/form_edit.html", context, status=status)


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def form_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(WebForm, pk=pk))


@role_required(*MANAGERS)
@require_safe
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Versions, submissions per day and outcome, prospects brought in, and the snippets."""
    form = get_object_or_404(WebForm, pk=pk)
    context = {
        "webform": form,
        "versions": form.versions.all(),
        "days": follow_up.days(form),
        "brought_in": follow_up.prospects_brought_in(form),
        "snippets": definitions.snippets(form),
        "url": definitions.public_url(form),
        "outcomes": Outcome.choices,
    }
    return render(request, "webforms/form_detail.html", context)
