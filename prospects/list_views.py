"""The list page's workspace: saved views, and taking prospects off a static list."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from org.roles import EDITORS, role_required
from prospects import lists, ownership, saved_views
from prospects.forms import FilterForm, SavedViewForm
from prospects.models import Prospect, ProspectList, SavedView
from prospects.views import list_page

LIST = "prospects:list"


def _filter_of(request: HttpRequest):
    """The list's filter and sort that the form carried."""
    query = request.POST.copy()
    for name in ("csrfmiddlewaretoken", *SavedViewForm.base_fields):
        query.pop(name, None)
    return query


@role_required(*EDITORS)
@require_POST
def view_save(request: HttpRequest) -> HttpResponse:
    """Save the list's current filter and sort under a name, private or shared with the team."""
    lists_seen = ProspectList.objects.visible_to(request.user)
    filters = FilterForm(request.POST, owners=ownership.possible_owners(request.user), lists=lists_seen)
    form = SavedViewForm(request.POST)
    if not filters.is_valid():
        form.add_error(None, _("The view was not saved: the filter is not valid."))
    if form.is_valid():
        try:
            view = saved_views.save_view(
                name=form.cleaned_data["name"], filters=filters.to_filters(),
                sort=request.POST.get("sort", ""), shared=form.cleaned_data["shared"], by=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("View saved: %(name)s.") % {"name": view.name})
            return redirect(f"{reverse(LIST)}?{saved_views.query_of(view)}")
    # Refused: the list as it was filtered, the view's name and sharing as typed, the error at its field.
    return list_page(request, _filter_of(request), view_form=form)


@role_required(*EDITORS)
@require_POST
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView.objects.visible_to(request.user), pk=pk)
    try:
        saved_views.delete_view(view, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("View deleted: %(name)s.") % {"name": view.name})
    return redirect(LIST)


@role_required(*EDITORS)
@require_POST
def remove_from_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one prospect off one of the team's lists, from its page or from the list's view."""
    prospect = get_object_or_404(Prospect.objects.visible_to(request.user), pk=pk)
    picked = request.POST.get("from_list", "")
    seen = ProspectList.objects.visible_to(request.user)
    chosen = seen.filter(pk=int(picked)).first() if picked.isdigit() else None
    if chosen is None:
        messages.error(request, _("Choose one of your team's lists."))
        return redirect(prospect)
    lists.remove_members(chosen, prospects=Prospect.objects.filter(pk=prospect.pk))
    messages.success(request, _("%(name)s removed from %(list)s.") % {"name": prospect, "list": chosen})
    return redirect(chosen if request.POST.get("back") == "list" else prospect)
