"""The sales pipeline: the stages the admin orders, and a prospect's moves between them.

A move is recorded with who and when (``StageChange``) and shown on the timeline. It is
the rep's bookkeeping, never a contact from the prospect: it moves no retention clock
(docs/rules.md §2.2). A move to a *won* stage makes the prospect a customer from that
day, with what was sold (customers.py).
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from prospects import customers, ownership
from prospects.models import ProductCategory, Prospect, Stage, StageChange, StageOutcome


def stages() -> list[Stage]:
    return list(Stage.objects.order_by("position", "pk"))


def default_stage() -> Stage | None:
    """Where a new prospect starts: the first open stage."""
    return Stage.objects.filter(outcome=StageOutcome.OPEN).order_by("position", "pk").first()


@transaction.atomic
def move(
    prospect: Prospect, stage: Stage, *, by, category: ProductCategory | None = None
) -> StageChange | None:
    """Move ``prospect`` to ``stage``; None when it is there already.

    A won stage needs what was sold unless the customer's category is already known.
    """
    locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if locked.stage_id == stage.pk:
        return None
    if stage.outcome == StageOutcome.WON and category is None and locked.customer_category_id is None:
        raise ValidationError(
            {"category": [_("Choose what was sold: a won stage makes the prospect a customer.")]}
        )
    change = StageChange.objects.create(
        prospect=locked, from_stage_id=locked.stage_id, to_stage=stage, changed_by=by
    )
    locked.stage = stage
    locked._history_user = by
    locked._change_reason = "stage change"
    # update_fields names the stage alone: retention_until and the contact clock stay as they are.
    locked.save(update_fields=["stage", "updated_at"])
    prospect.stage = stage
    if stage.outcome == StageOutcome.WON:
        customers.become_customer(
            prospect, since=timezone.localdate(change.changed_at), category=category, by=by
        )
    return change


def move_many(prospects: QuerySet, stage: Stage, *, by) -> int:
    """Move ``prospects`` to ``stage`` set-based (a bulk action): each move a ``StageChange``
    and a history row with who made it, as one move would write; those there already stay.

    A won stage is refused: each sale needs what was sold, so a prospect is moved to *won*
    one by one (``move``). Like ``move``, it touches no retention clock.
    """
    if stage.outcome == StageOutcome.WON:
        raise ValidationError(
            {"to_stage": [_("Move prospects to a won stage one by one: each sale needs what was sold.")]}
        )
    moving = prospects.exclude(stage_id=stage.pk).order_by().values("pk")
    select, params = moving.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(Prospect._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        # The moves and the history first: the selection may read the stage the update changes.
        cursor.execute(
            f"INSERT INTO {quote(StageChange._meta.db_table)} "  # noqa: S608
            "(prospect_id, from_stage_id, to_stage_id, changed_by_id, changed_at) "
            f"SELECT id, stage_id, %s, %s, %s FROM {table} WHERE id IN ({select})",
            [stage.pk, by.pk, now, *params],
        )
        ownership.write_history(
            cursor, select, params, changes={"stage_id": stage.pk}, reason="bulk stage change", by=by, at=now
        )
        cursor.execute(
            f"UPDATE {table} SET stage_id = %s, updated_at = %s WHERE id IN ({select})",  # noqa: S608
            [stage.pk, now, *params],
        )
        return cursor.rowcount


def changes_of(prospect: Prospect):
    return prospect.stage_changes.select_related("from_stage", "to_stage", "changed_by")


# --- The admin's list of stages and categories ----------------------------------------------


def _clean_name(name: str, *, model, instance=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give it a name.")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("Keep the name under 100 characters.")]})
    taken = model.objects.filter(name__iexact=name)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise ValidationError({"name": [_("This name is already used.")]})
    return name


@transaction.atomic
def save_stage(*, name: str, outcome: str, position: int | None = None, stage: Stage | None = None) -> Stage:
    if outcome not in StageOutcome.values:
        raise ValidationError({"outcome": [_("Choose open, won or lost.")]})
    if position is not None and not 0 <= position <= 1000:
        raise ValidationError({"position": [_("The position is a number from 0 to 1000.")]})
    stage = stage or Stage()
    stage.name = _clean_name(name, model=Stage, instance=stage if stage.pk else None)
    stage.outcome = outcome
    if position is not None:
        stage.position = position
    elif stage.pk is None:
        stage.position = (Stage.objects.aggregate(top=Max("position"))["top"] or 0) + 1
    stage.save()
    return stage


@transaction.atomic
def save_category(
    *, name: str, similar_to: list[ProductCategory] | None = None, category: ProductCategory | None = None
) -> ProductCategory:
    category = category or ProductCategory()
    category.name = _clean_name(name, model=ProductCategory, instance=category if category.pk else None)
    category.save()
    if similar_to is not None:
        category.similar_to.set([other for other in similar_to if other.pk != category.pk])
    return category
