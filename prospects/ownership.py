"""Who owns a prospect. Data gathered for the company never leaves with the rep."""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from simple_history.utils import bulk_update_with_history

from org.accounts import team_of
from org.roles import Role, has_role
from prospects.models import NextStep, Prospect

CHUNK = 2000


@transaction.atomic
def deactivate_rep(rep, *, successor, by) -> int:
    """End a rep's access at once and hand their prospects to ``successor``; returns the count."""
    if successor == rep or not successor.is_active or not has_role(successor, Role.SALES):
        raise ValidationError(
            {"successor": [_("Choose another active sales rep to take over the prospects.")]}
        )
    moved, team = 0, team_of(successor)
    pending = Prospect.objects.filter(owner=rep).order_by("pk")
    while batch := list(pending[:CHUNK]):
        for prospect in batch:
            # The prospects follow their new owner into their team, or the owner could not see them.
            prospect.owner, prospect.team = successor, team
        # Through the history: each reassignment is kept with who made it.
        bulk_update_with_history(batch, Prospect, ["owner", "team"], batch_size=CHUNK, default_user=by)
        moved += len(batch)
    # The open steps follow the prospects, in the same transaction: nothing is left to nobody.
    # Done steps keep who did them.
    NextStep.objects.open().filter(owner=rep).update(owner=successor)
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    _end_sessions(rep)
    return moved


def _end_sessions(user) -> None:
    Token.objects.filter(user=user).delete()
    user_id = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            session.delete()


def possible_owners(viewer):
    """Whose prospects a viewer may filter on: the reps of their team, or every rep for the DPO
    and admins. Read from the accounts, not from the prospects, so the list stays cheap."""
    reps = get_user_model().objects.filter(groups__name=Role.SALES).order_by("username")
    if has_role(viewer, Role.DPO, Role.ADMIN):
        return reps
    return reps.filter(profile__team__members__user=viewer)


def step_owners(viewer, prospect):
    """Who may own a next step on ``prospect``: the active reps of its team the viewer may choose."""
    return possible_owners(viewer).filter(is_active=True, profile__team_id=prospect.team_id)


def active_reps():
    return get_user_model().objects.filter(is_active=True, groups__name=Role.SALES).order_by("username")


# The history's own columns, which the copy of a prospect's row does not have.
HISTORY_COLUMNS = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")


def assign_owner(prospects: QuerySet, *, owner, by) -> int:
    """Give ``prospects`` to ``owner``, set-based; each change kept in the history with who made it.

    The same rule as a hand-over: the new owner is an active sales rep the person
    assigning may choose (their team's, or anyone's for an admin), and the prospects
    follow the owner into their team, or the owner could not see them.
    """
    if owner is None or not possible_owners(by).filter(pk=owner.pk, is_active=True).exists():
        raise ValidationError({"new_owner": [_("Choose an active sales rep of your team as the new owner.")]})
    team = team_of(owner)
    select, params = prospects.order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(Prospect._meta.db_table)
    changes = {"owner_id": owner.pk, "team_id": team.pk if team else None}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        # The history first, with the new owner: the selection may read the owner or the team,
        # which the update then changes. Two statements, whatever the number of prospects.
        write_history(cursor, select, params, changes=changes, reason="bulk owner assignment", by=by, at=now)
        cursor.execute(
            f"UPDATE {table} SET owner_id = %s, team_id = %s, updated_at = %s WHERE id IN ({select})",  # noqa: S608
            [owner.pk, team.pk if team else None, now, *params],
        )
        return cursor.rowcount


def write_history(cursor, select: str, params, *, changes: dict, reason: str, by, at) -> None:
    """One history row per prospect of ``select`` (an SQL list of ids) as it will be once
    ``changes`` (column -> new value) are applied: a bulk change kept as one change would be, in
    one statement. Run it before the UPDATE, which may change what ``select`` finds."""
    history = Prospect.history.model
    table = connection.ops.quote_name(Prospect._meta.db_table)
    copied = [f.column for f in history._meta.concrete_fields if f.column not in HISTORY_COLUMNS]
    values = ["%s" if column in changes else column for column in copied]
    cursor.execute(
        f"INSERT INTO {connection.ops.quote_name(history._meta.db_table)} "  # noqa: S608
        f"({', '.join(copied)}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {', '.join(values)}, %s, %s, '~', %s FROM {table} WHERE id IN ({select})",
        [*(changes[column] for column in copied if column in changes), at, reason, by.pk, *params],
    )
