"""Deleting prospects and everything about them: the retention purge and Art. 17 erasure.

docs/rules.md §2.1 (GDPR 5(1)(e); CNIL référentiel 2021-131): a prospect past its deadline is
deleted. §2.5: deleted, not masked, so the django-simple-history tables lose their
copies too; which tables hold a prospect's data is read from the models at run time
(deletion.py).

The work is set-based (one statement per table per chunk, whatever the chunk's size)
and each chunk is one transaction that re-checks the deadline under a row lock, so a
run killed at any point leaves every prospect either whole or gone.
"""

import fcntl
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from prospects import deletion, propagation, retention
from prospects.models import Propagation, Prospect, PurgeReason, PurgeRun, RestrictionGround

DEFAULT_CHUNK_SIZE = 2000
# GDPR 19: what the recipients are told of each removal. A record reduced to its hash after an
# objection was queued by that objection, in the same transaction (consent/objections.py).
EVENTS = {
    PurgeReason.RETENTION_EXPIRED: Propagation.Event.PURGE,
    PurgeReason.CUSTOMER_RETENTION_EXPIRED: Propagation.Event.PURGE,
    PurgeReason.ART14_OVERDUE: Propagation.Event.PURGE,
    PurgeReason.ERASURE: Propagation.Event.ERASURE,
}
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


# --- Runs ------------------------------------------------------------------------------


def purge_expired(
    *,
    today: date | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[PurgeReport], None] | None = None,
) -> PurgeReport:
    """Delete every prospect past its retention deadline, then every one still uninformed a month
    after an indirect collection, in chunks of ``chunk_size``.

    docs/rules.md §2.1, §2.6: no legal hold, not a current customer, not restricted (GDPR 18);
    §5: the Art. 14 notice was due within a month (14(3)(a)), so a person never told is deleted,
    with ``art14_overdue`` as its reason. Each condition is re-checked in each chunk's
    transaction under ``SELECT ... FOR UPDATE SKIP LOCKED``, so a reply or a notice recorded
    meanwhile saves the prospect. Suppression rows are left as they are: a purge adds none
    (only an objection or an erasure does). Each removed prospect leaves a propagation entry
    for the other systems' copies (GDPR 19, prospects/propagation.py), written in the chunk's
    transaction before the deletion. A dry run executes each chunk and rolls it back, so its
    counts are the real run's by construction. Raises ``PurgeAlreadyRunning`` when another
    run holds the lock.
    """
    if now is None:
        now = timezone.now() if today is None else timezone.make_aware(datetime.combine(today, time(12)))
    today = today or timezone.localdate(now)
    plan = deletion.deletion_plan()
    passes = (
        (lambda: retention.purgeable(today), None),
        # Without those of the first pass, so that a dry run, rolled back, counts nobody twice.
        (lambda: retention.art14_overdue(now) & ~retention.purgeable(today), PurgeReason.ART14_OVERDUE),
    )
    with purge_lock():
        fail_unfinished_runs()
        run = PurgeRun.objects.create(reason=PurgeReason.RETENTION_EXPIRED, dry_run=dry_run, as_of=today)
        report = PurgeReport(run_id=run.pk, dry_run=dry_run)
        try:
            for condition, reason in passes:
                last_id = 0
                while True:
                    lock = partial(_lock_due, condition, reason, last_id, chunk_size)
                    locked = _run_chunk(run, report, plan, lock)
                    if locked and progress is not None:
                        progress(report)
                    if len(locked) < chunk_size:
                        break
                    last_id = locked[-1]
            _reduce_held(run, report, today=today, chunk_size=chunk_size)
        except Exception as error:
            # The class only: a database error's text can quote the values of a row.
            message = f"Stopped on {type(error).__name__}; the worker's log has the details."
            PurgeRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), error=message)
            raise
        PurgeRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return report


HELD_EXCHANGES_KEPT = "held_exchanges_kept"  # the count of records reduced to a hold's scope


def _reduce_held(run: PurgeRun, report: PurgeReport, *, today: date, chunk_size: int) -> None:
    """docs/rules.md §2.6: a legal hold blocks the purge of its scope only. A record past its deadline
    under a hold on the exchanges loses everything else (deletion.keep_only, as an erasure under that
    hold does) and is restricted to storage (GDPR 18(2)) until the hold ends; the recipients are told
    to delete their copies (GDPR 19). Restricted, it is not selected again."""
    runs = PurgeRun.objects.filter(pk=run.pk)
    plan, after = deletion.deletion_plan(), 0
    due = partial(retention.held_exchanges_expired, today)
    while True:
        with transaction.atomic():
            runs.update(heartbeat_at=timezone.now())
            ids = [pk for pk, _reason in _lock_due(due, HELD_EXCHANGES_KEPT, after, chunk_size)]
            if ids:
                propagation.queue(ids, event=Propagation.Event.PURGE)
                deletion.keep_only(plan, ids, report.rows, kept=deletion.EXCHANGE_MODELS)
                Prospect.objects.filter(pk__in=ids).update(
                    restricted_at=timezone.now(), restriction_ground=RestrictionGround.LEGAL_HOLD
                )
                report.counts[HELD_EXCHANGES_KEPT] += len(ids)
                report.chunks += 1
                if not run.dry_run:
                    _save_counts(runs, report)
            if run.dry_run:
                transaction.set_rollback(True)
        if run.dry_run and ids:
            _save_counts(runs, report)
        if len(ids) < chunk_size:
            return
        after = ids[-1]


def fail_unfinished_runs() -> int:
    """Mark failed the purge runs that never finished: their process was killed or lost.

    Called under the purge lock, so none of them is still running. Their counts stand:
    each chunk wrote its own in the transaction of its deletions.
    """
    unfinished = PurgeRun.objects.filter(reason=PurgeReason.RETENTION_EXPIRED, finished_at__isnull=True)
    return unfinished.update(
        finished_at=timezone.now(),
        error="Stopped before its end (its process was killed or lost); found by the next run.",
    )


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
    again (docs/rules.md §2.3). Records a ``PurgeRun`` naming who asked, not whom.
    """
    ids = sorted(set(ids))
    plan = deletion.deletion_plan()
    run = PurgeRun.objects.create(reason=reason, as_of=timezone.localdate(), triggered_by=by)
    report = PurgeReport(run_id=run.pk)
    for start in range(0, len(ids), chunk_size):
        part = ids[start : start + chunk_size]
        _run_chunk(run, report, plan, partial(_lock_listed, part, reason), suppress=suppress)
    PurgeRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return report


def erase_outside_hold(ids: Iterable[int], *, by, kept: frozenset[str]) -> PurgeReport:
    """GDPR 17(3)(e): erase these prospects but for the ``kept`` tables a legal hold covers.

    One transaction: the keyed hashes go to the suppression list, the erasure is queued for
    the recipients (GDPR 19), then everything outside the hold is removed and the
    identifiers blanked (deletion.keep_only). Nobody is removed: ``purged`` stays 0, the
    rows say what went.
    """
    ids = sorted(set(ids))
    plan = deletion.deletion_plan()
    run = PurgeRun.objects.create(reason=PurgeReason.ERASURE, as_of=timezone.localdate(), triggered_by=by)
    report = PurgeReport(run_id=run.pk)
    with transaction.atomic():
        locked = [pk for pk, _reason in _lock_listed(ids, PurgeReason.ERASURE)]
        report.suppressed += deletion.suppress(locked)
        propagation.queue(locked, event=Propagation.Event.ERASURE)
        deletion.keep_only(plan, locked, report.rows, kept=kept)
        report.chunks += 1
        PurgeRun.objects.filter(pk=run.pk).update(
            rows=dict(report.rows), chunks=report.chunks, finished_at=timezone.now()
        )
    return report


def _lock_due(
    condition: Callable[[], Q], reason: str | None, after: int, limit: int
) -> list[tuple[int, str]]:
    """The next prospects ``condition`` selects, locked; rows another transaction holds wait for the next
    run. Without ``reason``, each one's retention reason (customer or not)."""
    due = Prospect.objects.filter(condition()).filter(pk__gt=after).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    if reason is not None:
        return [(pk, str(reason)) for pk in due.values_list("pk", flat=True)[:limit]]
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
    plan: deletion.Link,
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
                report.suppressed += deletion.suppress(ids)
            _queue_propagation(locked)
            propagation.supersede(ids)
            deletion.remove(plan, ids, report.rows)
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


def _queue_propagation(locked: list[tuple[int, str]]) -> None:
    """GDPR 19 (docs/rules.md §2.3): queued before the deletion, in its transaction, per event."""
    by_event: dict[str, list[int]] = {}
    for pk, reason in locked:
        if reason in EVENTS:
            by_event.setdefault(EVENTS[reason], []).append(pk)
    for event, ids in sorted(by_event.items()):
        propagation.queue(ids, event=event)


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
