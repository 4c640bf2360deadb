"""What deleting a prospect touches, and the set-based SQL that deletes it.

``deletion_plan`` reads the model graph as it is at run time: every model with a
foreign key to Prospect, every model pointing at those, and the django-simple-history
table of each (docs/rules.md §2.5: the historical copies hold the same personal data). A table
another app adds later is covered with no change here. ``remove`` then clears one
chunk of prospects with one statement per table, whatever the chunk's size. The
purge and Art. 17 erasure (purge.py) share it.
"""

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import NotSupportedError, connection, models
from django.utils import timezone
from simple_history.models import HistoricalChanges

from prospects.models import Prospect, Suppression

# --- The plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """Rows of ``model`` whose ``column`` points at rows being removed, and what points at them.

    What happens to them follows the field's ``on_delete``, the owner's statement of
    intent: CASCADE, PROTECT and RESTRICT remove the row (PROTECT does not protect
    personal data from its erasure, Art. 17(1)); SET_NULL keeps the row, cuts the link
    and blanks its free text (``scrub``); DO_NOTHING is left alone (such a model keeps
    only the bare id, e.g. the access log with its own retention).
    """

    model: type[models.Model]
    column: str
    detach: bool = False
    scrub: tuple[tuple[str, object], ...] = ()  # (column, blank value) set when detaching
    history: type[models.Model] | None = None
    history_column: str | None = None  # the same pointer in the historical table
    history_key: str | None = None  # the historical table's copy of the model's primary key
    children: tuple["Link", ...] = ()


def deletion_plan() -> Link:
    """The tree of tables to clear, rooted at Prospect, read from the models as they are now."""
    histories = {model.instance_type: model for model in apps.get_models() if _is_history(model)}
    pk = Prospect._meta.pk
    return _link(Prospect, pk, histories=histories, path=())


def _is_history(model: type[models.Model]) -> bool:
    return issubclass(model, HistoricalChanges) and hasattr(model, "instance_type")


def _link(model, pointer: models.Field, *, histories: dict, path: tuple) -> Link:
    history = histories.get(model)
    history_column = history_key = None
    if history is not None:
        history_key = history._meta.get_field(model._meta.pk.name).column
        history_column = {f.name: f.column for f in history._meta.concrete_fields}.get(pointer.name)
    detach = pointer.remote_field is not None and pointer.remote_field.on_delete is models.SET_NULL
    return Link(
        model=model,
        column=pointer.column,
        detach=detach,
        scrub=scrubbed_columns(model) if detach else (),
        history=history,
        history_column=history_column,
        history_key=history_key,
        children=()
        if detach or model in path
        else _links_to(model, histories=histories, path=(*path, model)),
    )


def _links_to(model, *, histories: dict, path: tuple) -> tuple[Link, ...]:
    """Every foreign key or one-to-one field pointing at ``model`` (many-to-many via its table)."""
    links = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not rel.auto_created or rel.concrete or not (rel.one_to_many or rel.one_to_one):
            continue
        child = rel.related_model
        if _is_history(child) or child._meta.proxy or not child._meta.managed:
            continue
        if rel.on_delete is models.DO_NOTHING:
            continue
        if rel.field.target_field != model._meta.pk:
            raise ImproperlyConfigured(
                f"{child._meta.label}.{rel.field.name} points at {model._meta.label} by a column other "
                "than its primary key; the purge cannot follow it."
            )
        links.append(_link(child, rel.field, histories=histories, path=path))
    return tuple(sorted(links, key=lambda link: (link.model._meta.label, link.column)))


def scrubbed_columns(model: type[models.Model]) -> tuple[tuple[str, object], ...]:
    """The free text a kept row loses when its prospect goes, as (column, blank value).

    A model may list them in ``PURGE_SCRUBBED_FIELDS``. Otherwise, failing closed, every
    text, JSON or choice-less char field that accepts a blank value is blanked, except
    the fields a constraint names (blanking them could break it).
    """
    declared = getattr(model, "PURGE_SCRUBBED_FIELDS", None)
    if declared is not None:
        fields = [model._meta.get_field(name) for name in declared]
    else:
        constrained = _constrained_fields(model)
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
            and not f.unique
            and (f.blank or f.null)
            and f.name not in constrained
        ]
    return tuple((f.column, _blank(f)) for f in fields)


def _blank(field: models.Field) -> object:
    if field.null:
        return None
    value = field.get_default() if isinstance(field, models.JSONField) else ""
    return field.get_db_prep_save(value, connection)


def _constrained_fields(model: type[models.Model]) -> set[str]:
    names: set[str] = set()
    for constraint in model._meta.constraints:
        names.update(getattr(constraint, "fields", ()) or ())
        condition = getattr(constraint, "condition", None)
        if condition is not None:
            names.update(_names_in(condition))
    for together in model._meta.unique_together:
        names.update(together)
    return names


def _names_in(condition) -> set[str]:
    names: set[str] = set()
    for child in getattr(condition, "children", ()):
        if isinstance(child, tuple):
            names.add(child[0].split("__")[0])
        else:
            names.update(_names_in(child))
    return names


# --- Keeping what a legal hold covers ------------------------------------------------------

# docs/rules.md §2.6: a hold on the exchanges keeps the timeline, the messages and the notes,
# with the name they are about; the rest of the record goes as in an erasure.
EXCHANGE_MODELS = frozenset({"prospects.Interaction", "prospects.Note", "outreach.Message"})
IDENTIFIERS = {
    "job_title": "",
    "email": "",
    "email_index": None,
    "phone": "",
    "phone_index": None,
    "linkedin_url": "",
    "linkedin_index": None,
}


def keep_only(link: Link, ids: list, rows: Counter, *, kept: frozenset[str]) -> None:
    """Remove every dependant of the prospects but the ``kept`` models, then blank their identifiers
    and job title, in the history too. Links the deletion would only cut (SET_NULL) stay as they are."""
    if not ids:
        return
    for child in link.children:
        if not child.detach and child.model._meta.label not in kept:
            remove(child, ids, rows)
    rows["prospects.Prospect:reduced"] += Prospect.objects.filter(pk__in=ids).update(**IDENTIFIERS)
    rows["prospects.HistoricalProspect:reduced"] += Prospect.history.filter(id__in=ids).update(**IDENTIFIERS)


# --- Set-based SQL, PostgreSQL and SQLite ----------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _in(column: str) -> str:
    """``column`` is one of a list passed as a single parameter (see ``_ids``)."""
    if connection.vendor == "postgresql":
        return f"{_quote(column)} = ANY(%s)"
    if connection.vendor == "sqlite":
        return f"{_quote(column)} IN (SELECT value FROM json_each(%s))"  # noqa: S608 (name from _meta)
    raise NotSupportedError("The purge runs on PostgreSQL and SQLite.")


def _ids(values: Iterable) -> object:
    values = list(values)
    return values if connection.vendor == "postgresql" else json.dumps(values, default=str)


def _delete(model, column: str, ids: list, *, returning: str | None = None) -> list | int:
    sql = f"DELETE FROM {_quote(model._meta.db_table)} WHERE {_in(column)}"  # noqa: S608 (names from _meta)
    with connection.cursor() as cursor:
        if returning is None:
            cursor.execute(sql, [_ids(ids)])
            return cursor.rowcount
        cursor.execute(f"{sql} RETURNING {_quote(returning)}", [_ids(ids)])
        return [row[0] for row in cursor.fetchall()]


def _detach(model, column: str, ids: list, scrub: tuple[tuple[str, object], ...]) -> int:
    """Cut the link and blank the free text in one statement."""
    table = _quote(model._meta.db_table)
    present = {f.column for f in model._meta.concrete_fields}
    scrub = tuple((name, value) for name, value in scrub if name in present)
    assignments = ", ".join([f"{_quote(column)} = NULL", *(f"{_quote(name)} = %s" for name, _ in scrub)])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE {_in(column)}",  # noqa: S608 (names from _meta)
            [*(value for _, value in scrub), _ids(ids)],
        )
        return cursor.rowcount


def remove(link: Link, ids: list, rows: Counter) -> None:
    """Remove (or detach) the rows of ``link`` pointing at ``ids``, their history, then their dependants."""
    if not ids:
        return
    label = link.model._meta.label
    if link.detach:
        rows[f"{label}:detached"] += _detach(link.model, link.column, ids, link.scrub)
        if link.history_column:
            _detach(link.history, link.history_column, ids, link.scrub)
        return
    if link.history is None and not link.children:
        rows[label] += _delete(link.model, link.column, ids)  # a leaf: no keys to carry on
        return
    removed = _delete(link.model, link.column, ids, returning=link.model._meta.pk.column)
    rows[label] += len(removed)
    keys = set(removed)
    if link.history is not None:
        # Art. 17 / docs/rules.md §2.5: the historical copies hold the same personal data, including
        # those of rows deleted long ago, found through the pointer they carried.
        history_label = link.history._meta.label
        if link.history_column and link.history_column != link.history_key:
            returning = link.history_key if link.children else None
            former = _delete(link.history, link.history_column, ids, returning=returning)
            rows[history_label] += len(former) if returning else former
            keys.update(former if returning else ())
        if removed:
            rows[history_label] += _delete(link.history, link.history_key, removed)
    for child in link.children:
        remove(child, sorted(keys), rows)


def suppress(ids: list) -> int:
    """Art. 17 then 21: the keyed hashes survive the erasure and block a re-import (docs/rules.md §2.3)."""
    table, target = _quote(Prospect._meta.db_table), _quote(Suppression._meta.db_table)
    kinds = {
        Suppression.Kind.EMAIL: "email_index",
        Suppression.Kind.PHONE: "phone_index",
        Suppression.Kind.LINKEDIN: "linkedin_index",
    }
    selects = " UNION ALL ".join(
        f"SELECT '{kind.value}', {_quote(column)}, %s, %s, %s FROM {table} "  # noqa: S608 (enum values)
        f"WHERE {_in('id')} AND {_quote(column)} IS NOT NULL"
        for kind, column in kinds.items()
    )
    params = [Suppression.ALL_CHANNELS, Suppression.Origin.ERASURE.value, timezone.now(), _ids(ids)]
    with connection.cursor() as cursor:
        columns = "kind, digest, channel, origin, created_at"
        cursor.execute(
            f"INSERT INTO {target} ({columns}) {selects} ON CONFLICT DO NOTHING", params * len(kinds)
        )
        return cursor.rowcount
