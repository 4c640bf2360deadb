"""Saved views: a name for a filter of the prospect list, private or shared with the team.

Used as a campaign's segment, a view is a filter evaluated when used (``listing.filtered``):
at the preview, and again when the campaign is sent.
"""

from django.core.exceptions import ValidationError
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from org.accounts import team_of
from prospects import listing
from prospects.listing import Filters, parse_sort
from prospects.models import SavedView


def save_view(*, name: str, filters: Filters, sort: str = "", shared: bool = False, by) -> SavedView:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the view a name.")]})
    if len(name) > SavedView._meta.get_field("name").max_length:
        raise ValidationError({"name": [_("Keep the name under 200 characters.")]})
    chosen, descending = parse_sort(sort)
    sort = f"{'-' if descending else ''}{chosen.key}"
    return SavedView.objects.create(
        name=name, filters=filters.as_dict(), sort=sort, shared=shared, team=team_of(by), created_by=by
    )


def delete_view(view: SavedView, *, by) -> None:
    """Only its author deletes a view; one a campaign targets stays, as the campaign's record."""
    if view.created_by_id != by.pk:
        raise ValidationError({"__all__": [_("Only the person who saved a view can delete it.")]})
    if view.campaigns.exists():
        raise ValidationError({"__all__": [_("A campaign targets this view: it is kept as its segment.")]})
    view.delete()


def filters_of(view: SavedView) -> Filters:
    return Filters.from_dict(view.filters)


def query_of(view: SavedView) -> str:
    """The list page's query string that applies the view: its filter, then its sort."""
    params = {name: "on" if value is True else value for name, value in filters_of(view).as_dict().items()}
    if view.sort and view.sort != listing.DEFAULT_SORT:
        params["sort"] = view.sort
    return urlencode(params)
