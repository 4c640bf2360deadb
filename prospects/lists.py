"""Static lists of prospects: made by a team, filled by hand or in bulk, targeted by campaigns.

A list belongs to its creator's team and holds only that team's prospects (need-to-know,
GDPR 5(1)(f), docs/rules.md §6). Filling it from a selection is one ``INSERT ... SELECT``
over the selection's query, whatever its size.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from org.accounts import team_of
from org.conflicts import StateConflict
from prospects.models import ListMember, Prospect, ProspectList, SavedView


def _checked_name(name: str, *, team, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the list a name.")]})
    if len(name) > ProspectList._meta.get_field("name").max_length:
        raise ValidationError({"name": [_("Keep the name under 200 characters.")]})
    if ProspectList.objects.filter(team=team, name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": [_("Your team already has a list of that name.")]})
    return name


def create_list(*, name: str, by) -> ProspectList:
    team = team_of(by)
    return ProspectList.objects.create(name=_checked_name(name, team=team), team=team, created_by=by)


def rename_list(prospect_list: ProspectList, *, name: str) -> ProspectList:
    prospect_list.name = _checked_name(name, team=prospect_list.team, exclude_pk=prospect_list.pk)
    prospect_list.save(update_fields=["name"])
    return prospect_list


def delete_list(prospect_list: ProspectList) -> None:
    """A list goes with its memberships; one a campaign targets stays, as the campaign's record."""
    if prospect_list.campaigns.exists():
        raise StateConflict({"__all__": [_("A campaign targets this list: it is kept as its audience.")]})
    if SavedView.objects.filter(filters__in_list=prospect_list.pk, campaigns__isnull=False).exists():
        # Its segment would silently lose every member: the campaign's audience is kept.
        raise StateConflict({"__all__": [_("A campaign's segment filters on this list: it is kept.")]})
    with transaction.atomic():
        ListMember.objects.filter(prospect_list=prospect_list).delete()
        prospect_list.delete()


def members_by_id(prospect_list: ProspectList, *, ids: list[int], viewer) -> QuerySet:
    """The prospects ``ids`` names, each one the viewer sees in the list's team, or an error.

    An id of another team's prospect reads exactly as one that matches nothing: the
    error never tells that such a person is recorded (need-to-know, docs/rules.md §6).
    """
    chosen = Prospect.objects.visible_to(viewer).filter(pk__in=ids)
    if prospect_list.team_id is not None:
        chosen = chosen.filter(team_id=prospect_list.team_id)
    unknown = sorted(set(ids) - set(chosen.values_list("pk", flat=True)))
    if unknown:
        listed = ", ".join(str(pk) for pk in unknown)
        raise ValidationError(
            {"prospects": [_("No prospect of this list's team has the id %(ids)s.") % {"ids": listed}]}
        )
    return chosen


def remove_members(prospect_list: ProspectList, *, prospects: QuerySet) -> int:
    """Take ``prospects`` off the list, in one statement; returns how many were on it."""
    chosen = prospects.order_by().values("pk")
    deleted, _rows = ListMember.objects.filter(prospect_list=prospect_list, prospect_id__in=chosen).delete()
    return deleted


def add_to_list(prospect_list: ProspectList, *, prospects: QuerySet, by) -> int:
    """Add the ``prospects`` not yet on the list, in one statement; returns how many were added.

    Only the list's team's prospects go in: a list never carries a prospect its team may not see.
    """
    chosen = prospects.order_by().values("pk")
    if prospect_list.team_id is not None:
        chosen = chosen.filter(team_id=prospect_list.team_id)
    select, params = chosen.query.sql_with_params()
    members = connection.ops.quote_name(ListMember._meta.db_table)
    table = connection.ops.quote_name(Prospect._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {members} (prospect_list_id, prospect_id, added_by_id, added_at) "  # noqa: S608
            f"SELECT %s, chosen.id, %s, %s FROM {table} chosen WHERE chosen.id IN ({select}) AND NOT EXISTS "
            f"(SELECT 1 FROM {members} m WHERE m.prospect_list_id = %s AND m.prospect_id = chosen.id)",
            [
                prospect_list.pk,
                by.pk,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                *params,
                prospect_list.pk,
            ],
        )
        return cursor.rowcount


def remove_from_list(prospect_list: ProspectList, *, prospect: Prospect) -> int:
    deleted, _rows = ListMember.objects.filter(prospect_list=prospect_list, prospect=prospect).delete()
    return deleted


def lists_of(prospect: Prospect, *, viewer) -> QuerySet:
    """The lists the viewer can see that hold this prospect."""
    return ProspectList.objects.visible_to(viewer).filter(members__prospect=prospect)
