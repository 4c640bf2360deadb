"""Deleting prospects and everything about them: the retention purge and Art. 17 erasure.

Rules §2.1 (GDPR 5(1)(e); CNIL référentiel 2021-131): a prospect past its deadline is
deleted. §2.5: deleted, not masked, so the django-simple-history tables lose their
copies too. Which tables hold a prospect's data is discovered at run time from the
model graph (``deletion_plan``): every model with a foreign key to Prospect, every
model pointing at those, and the historical table of each. A table another app adds
later is covered with no change here.

The work is set-based (one statement per table per chunk, whatever the chunk's size)
and each chunk is one transaction that re-checks the deadline under a row lock, so a
run killed at any point leaves every prospect either whole or gone.
"""

import fcntl
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import NotSupportedError, connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import TruncMonth
from django.utils import timezone
from simple_history.models import HistoricalChanges

from prospects.models import Prospect, PurgeReason, PurgeRun, Suppression

DEFAULT_CHUNK_SIZE = 2000
# pg_try_advisory_lock key of the purge; any constant that no other job uses.
PURGE_LOCK_KEY = 0x4C6F79616C5031  # "LoyalP1"


class PurgeAlreadyRunning(RuntimeError):
    """Another purge holds the lock: this one did nothing."""


@dataclass
class PurgeReport:
    """What a run removed, or with ``dry_run`` would remove: counts only, never who."""

    run_id: int
    dry_run: bool = False
    purged: int = 0
    chunks: int = 0
    suppressed: int = 0  # keyed hashes an erasure added to the suppression list
    counts: Counter = field(default_factory=Counter)  # prospects per reason
    rows: Counter = field(default_factory=Counter)  # rows per table ("app.Model")


# --- The deletion plan ---------------------------------------------------------------


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


def _remove(link: Link, ids: list, rows: Counter) -> None:
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
        # Art. 17 / rules §2.5: the historical copies hold the same personal data, including
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
        _remove(child, sorted(keys), rows)


def _suppress(ids: list) -> int:
    """Art. 17 then 21: the keyed hashes survive the erasure and block a re-import (rules §2.3)."""
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


# --- Runs ------------------------------------------------------------------------------


def purge_expired(
    *,
    today: date | None = None,
    dry_run: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[PurgeReport], None] | None = None,
) -> PurgeReport:
    """Delete every prospect past its retention deadline, in chunks of ``chunk_size``.

    Rules §2.1: no legal hold, not a current customer. The deadline is re-checked in
    each chunk's transaction under ``SELECT ... FOR UPDATE SKIP LOCKED``, so a reply
    recorded meanwhile saves the prospect. Suppression rows are left as they are: a
    purge adds none (only an objection or an erasure does). A dry run executes each
    chunk and rolls it back, so its counts are the real run's by construction.
    Raises ``PurgeAlreadyRunning`` when another run holds the lock.
    """
    today = today or timezone.localdate()
    plan = deletion_plan()
    with purge_lock():
        run = PurgeRun.objects.create(reason=PurgeReason.RETENTION_EXPIRED, dry_run=dry_run, as_of=today)
        report = PurgeReport(run_id=run.pk, dry_run=dry_run)
        last_id = 0
        while True:
            locked = _run_chunk(run, report, plan, partial(_lock_expired, today, last_id, chunk_size))
            if locked and progress is not None:
                progress(report)
            if len(locked) < chunk_size:
                break
            last_id = locked[-1]
        PurgeRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return report


def erase_prospects(
    ids: Iterable[int],
    *,
    by,
    reason: str = PurgeReason.ERASURE,
    suppress: bool = True,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> PurgeReport:
    """Delete these prospects and everything about them now (GDPR art. 17).

    The same deletion as the purge. With ``suppress`` their keyed hashes go to the
    suppression list in the same transaction, so that the person cannot be imported
    again (rules §2.3). Records a ``PurgeRun`` naming who asked, not whom.
    """
    ids = sorted(set(ids))
    plan = deletion_plan()
    run = PurgeRun.objects.create(reason=reason, as_of=timezone.localdate(), triggered_by=by)
    report = PurgeReport(run_id=run.pk)
    for start in range(0, len(ids), chunk_size):
        part = ids[start : start + chunk_size]
        _run_chunk(run, report, plan, partial(_lock_listed, part, reason), suppress=suppress)
    PurgeRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return report


def _lock_expired(today: date, after: int, limit: int) -> list[tuple[int, str]]:
    """The next expired prospects, locked; rows another transaction holds are left for the next run."""
    due = Prospect.objects.due_for_purge(today).filter(pk__gt=after).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    return [
        (pk, (PurgeReason.CUSTOMER_RETENTION_EXPIRED if customer else PurgeReason.RETENTION_EXPIRED).value)
        for pk, customer in due.values_list("pk", "is_customer")[:limit]
    ]


def _lock_listed(ids: list[int], reason: str) -> list[tuple[int, str]]:
    listed = Prospect.objects.filter(pk__in=ids).order_by("pk").select_for_update()
    return [(pk, str(reason)) for pk in listed.values_list("pk", flat=True)]


def _run_chunk(
    run: PurgeRun,
    report: PurgeReport,
    plan: Link,
    lock: Callable[[], list[tuple[int, str]]],
    *,
    suppress: bool = False,
) -> list[int]:
    """One transaction: lock and re-check, delete everything, write the counts. Returns the ids."""
    runs = PurgeRun.objects.filter(pk=run.pk)
    with transaction.atomic():
        # First a write: on SQLite it takes the database lock before the deadlines are read.
        runs.update(heartbeat_at=timezone.now())
        locked = lock()
        ids = [pk for pk, _reason in locked]
        if ids:
            if suppress:
                report.suppressed += _suppress(ids)
            _remove(plan, ids, report.rows)
            report.purged += len(ids)
            report.counts.update(reason for _pk, reason in locked)
            report.chunks += 1
            if not run.dry_run:
                _save_counts(runs, report)
        if run.dry_run:
            transaction.set_rollback(True)
    if run.dry_run and ids:
        _save_counts(runs, report)
    return ids


def _save_counts(runs, report: PurgeReport) -> None:
    runs.update(
        purged=report.purged, counts=dict(report.counts), rows=dict(report.rows), chunks=report.chunks
    )


# --- One run at a time -----------------------------------------------------------------


@contextmanager
def purge_lock(*, using: BaseDatabaseWrapper | None = None) -> Iterator[None]:
    """Keep two purges from overlapping; released when the process dies, however it dies.

    PostgreSQL: a session advisory lock. SQLite: an flock on a file beside the database.
    """
    using = using or connection
    if using.vendor == "postgresql":
        with using.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [PURGE_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise PurgeAlreadyRunning
        try:
            yield
        finally:
            with using.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [PURGE_LOCK_KEY])
        return
    with open(_lock_path(using), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PurgeAlreadyRunning from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_path(using: BaseDatabaseWrapper) -> Path:
    name = str(using.settings_dict["NAME"])
    if using.is_in_memory_db() or not name:
        return Path(settings.VAR_DIR) / "purge.lock"
    return Path(f"{name}.purge.lock")


# --- What the DPO sees -------------------------------------------------------------------


def purges_per_month(*, months: int = 12, today: date | None = None) -> list[tuple[date, int]]:
    """Prospects removed per month (real runs of every reason), oldest first, empty months included."""
    today = today or timezone.localdate()
    first = today.replace(day=1) - relativedelta(months=months - 1)
    totals = dict(
        PurgeRun.objects.filter(dry_run=False, started_at__date__gte=first)
        .annotate(month=TruncMonth("started_at", output_field=models.DateField()))
        .values("month")
        .annotate(total=models.Sum("purged"))
        .values_list("month", "total")
    )
    return [
        (month, totals.get(month, 0)) for month in (first + relativedelta(months=n) for n in range(months))
    ]
