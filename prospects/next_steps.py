"""Next steps: what is to be done about a prospect, by whom and when.

A step belongs to a prospect of a team and is owned by a sales rep of that team; the
team's reps see it (need-to-know, docs/rules.md §6). Its text is free text, screened as
notes are (GDPR 5(1)(c), CNIL "zones bloc-notes"). Completing a step never moves the
retention deadline by itself: the interaction it may log goes through
``timeline.record_interaction``, where only a contact from the prospect moves it
(docs/rules.md §2.2).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from org.conflicts import StateConflict
from org.roles import Role, has_role
from prospects import timeline
from prospects.models import InteractionType, NextStep, Prospect
from prospects.ownership import possible_owners

WHAT_MAX = NextStep._meta.get_field("what").max_length


def _what(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"what": [_("Say what the next step is.")]})
    if len(text) > WHAT_MAX:
        raise ValidationError(
            {"what": [_("A next step is at most %(max)d characters long.") % {"max": WHAT_MAX}]}
        )
    if "\x00" in text:
        raise ValidationError({"what": [_("Null characters are not allowed.")]})
    if error := timeline.screening_error(text):
        raise ValidationError({"what": [error]})
    return text


def _due(due_at: datetime | None) -> datetime:
    if due_at is None:
        raise ValidationError({"due_at": [_("Give the date and time the step is due.")]})
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if due_at.year < 1970 or due_at.year > 9000:
        raise ValidationError({"due_at": [_("Enter a due date between 1970 and 9000.")]})
    return due_at


def _owner(owner, *, prospect_team_id, by):
    """The step's owner: an active sales rep of the prospect's team that ``by`` may choose."""
    reps = possible_owners(by).filter(is_active=True, pk=owner.pk)
    if prospect_team_id is not None:
        reps = reps.filter(profile__team_id=prospect_team_id)
    if not has_role(owner, Role.SALES) or not reps.exists():
        raise ValidationError(
            {"owner": [_("The owner of a step is an active sales rep of the prospect's team.")]}
        )
    return owner


def add_next_step(prospect: Prospect, *, what: str, due_at: datetime | None, owner=None, by) -> NextStep:
    """A new open step on ``prospect``; its owner is ``by`` (a rep) or the prospect's owner,
    unless another rep of the team is named."""
    owner = owner or (by if has_role(by, Role.SALES) else prospect.owner)
    step = NextStep(
        prospect=prospect,
        what=_what(what),
        due_at=_due(due_at),
        owner=_owner(owner, prospect_team_id=prospect.team_id, by=by),
        created_by=by,
    )
    step.save()
    return step


@transaction.atomic
def update_next_step(step: NextStep, *, what=None, due_at=None, owner=None, by) -> NextStep:
    """Change what, when or who of an open step; a done step is kept as it was done."""
    locked = NextStep.objects.select_for_update().select_related("prospect").get(pk=step.pk)
    if locked.is_done:
        raise StateConflict({"done_at": [_("This step is done; it can no longer be changed.")]})
    if what is not None:
        locked.what = _what(what)
    if due_at is not None:
        locked.due_at = _due(due_at)
    if owner is not None:
        locked.owner = _owner(owner, prospect_team_id=locked.prospect.team_id, by=by)
    locked.save(update_fields=["what", "due_at", "owner"])
    return locked


@transaction.atomic
def complete_next_step(
    step: NextStep,
    *,
    by,
    interaction_type: str = "",
    summary: str = "",
    occurred_at: datetime | None = None,
) -> NextStep:
    """Mark a step done and, if a type is given, log the interaction it was for, in one transaction.

    The step alone never moves the retention deadline; the interaction moves it only when it
    is a contact from the prospect (``timeline.record_interaction``, docs/rules.md §2.2).
    """
    locked = NextStep.objects.select_for_update().select_related("prospect").get(pk=step.pk)
    if locked.is_done:
        raise StateConflict({"done_at": [_("This step is already done.")]})
    if interaction_type:
        if interaction_type not in InteractionType.values:
            raise ValidationError({"interaction_type": [_("Unknown interaction type.")]})
        locked.interaction = timeline.record_interaction(
            locked.prospect, type=interaction_type, occurred_at=occurred_at, summary=summary, by=by
        )
    elif summary.strip():
        raise ValidationError(
            {"interaction_type": [_("Choose what happened to log the summary as an interaction.")]}
        )
    locked.done_at, locked.done_by = timezone.now(), by
    locked.save(update_fields=["done_at", "done_by", "interaction"])
    return locked


def add_next_steps(prospects: QuerySet, *, what: str, due_at: datetime | None, owner=None, by) -> int:
    """The same step on every prospect of ``prospects``, in one statement; returns how many were added.

    With no ``owner``, each prospect's own owner gets its step. Only prospects of ``by``'s
    team take a step owned by one of its reps (the owner must be able to see the prospect).
    """
    what, due_at = _what(what), _due(due_at)
    chosen = prospects.order_by().values("pk")
    if owner is not None:
        owner = _owner(owner, prospect_team_id=None, by=by)
        chosen = chosen.filter(team_id=owner.profile.team_id)
    select, params = chosen.query.sql_with_params()
    steps = connection.ops.quote_name(NextStep._meta.db_table)
    table = connection.ops.quote_name(Prospect._meta.db_table)
    owner_column = "%s" if owner is not None else "chosen.owner_id"
    owner_params = [owner.pk] if owner is not None else []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {steps} (prospect_id, what, due_at, owner_id, created_by_id, created_at) "  # noqa: S608
            f"SELECT chosen.id, %s, %s, {owner_column}, %s, %s "
            f"FROM {table} chosen WHERE chosen.id IN ({select})",
            [
                what,
                connection.ops.adapt_datetimefield_value(due_at),
                *owner_params,
                by.pk,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                *params,
            ],
        )
        return cursor.rowcount
