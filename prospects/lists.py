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
from prospects.models import ListMember, Prospect, ProspectList


def create_list(*, name: str, by) -> ProspectList:
    name = name.strip()
    team = team_of(by)
    if not name:
        raise ValidationError({"name": [_("Give the list a name.")]})
    if ProspectList.objects.filter(team=team, name__iexact=name).exists():
        raise ValidationError({"name": [_("Your team already has a list of that name.")]})
    return ProspectList.objects.create(name=name, team=team, created_by=by)


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
