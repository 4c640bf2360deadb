"""Benchmark of the retention purge against raw SQL deletes of the same data, in the same run.

The target (issue 6): purging 100k expired prospects takes at most twice as long as
plain DELETE statements over the same tables. ``run(rows)`` measures both and returns
the two timings; the suite runner computes and judges the ratio.
"""

import time
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from prospects.deletion import Link, deletion_plan
from prospects.models import Interaction, Note, Prospect, PurgeRun, Source
from prospects.purge import purge_expired

# Bench prospects are kept until this day and purged as of the next: no real prospect
# can have so early a deadline, so neither deletion ever touches real data.
BENCH_KEPT_UNTIL = date(1990, 1, 1)
BENCH_TODAY = date(1990, 1, 2)
SOURCES, INTERACTIONS, NOTES = 2, 4, 1


@dataclass(frozen=True)
class BenchResult:
    rows: int
    ours_seconds: float
    raw_seconds: float

    @property
    def ratio(self) -> float:
        return self.ours_seconds / self.raw_seconds if self.raw_seconds else float("inf")


def run(rows: int, *, chunk_size: int = 2000) -> BenchResult:
    """Time ``purge_expired`` against hand-written raw SQL deletes of the same data.

    Seeds ``rows`` expired prospects, each with 2 sources, 4 interactions, 1 note and
    the history rows of all of them, through set-based INSERT … SELECT; deletes them
    with one plain DELETE per table in one transaction (the raw baseline); seeds the
    same data again and deletes it with ``purge_expired`` (chunks, row locks,
    re-checked deadlines, history, run record). Works on PostgreSQL and SQLite, on
    the current database; removes its rows, its purge run and its user afterwards.
    """
    owner = get_user_model().objects.create(username=f"bench-purge-{time.monotonic_ns()}", is_active=False)
    report = None
    try:
        seed_expired(rows, owner_id=owner.pk, kept_until=BENCH_KEPT_UNTIL)
        _settle()
        raw_seconds = _timed(lambda: delete_raw(today=BENCH_TODAY))
        seed_expired(rows, owner_id=owner.pk, kept_until=BENCH_KEPT_UNTIL)
        _settle()
        started = time.perf_counter()
        report = purge_expired(today=BENCH_TODAY, chunk_size=chunk_size)
        ours_seconds = time.perf_counter() - started
        if report.purged != rows:
            raise AssertionError(f"the purge removed {report.purged} of {rows} bench prospects")
    finally:
        delete_raw(today=BENCH_TODAY)
        if report is not None:
            PurgeRun.objects.filter(pk=report.run_id).delete()
        owner.delete()
    return BenchResult(rows=rows, ours_seconds=ours_seconds, raw_seconds=raw_seconds)


def _settle() -> None:
    """PostgreSQL: clear the dead rows of the previous deletion and refresh the planner's
    statistics, so that both timings start from the same state (impossible, and not
    needed, inside a transaction or on SQLite)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = [
        Prospect,
        Source,
        Interaction,
        Note,
        Prospect.history.model,
        Source.history.model,
        Note.history.model,
    ]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"VACUUM ANALYZE {_q(model)}")


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# --- Synthetic data, set-based ------------------------------------------------------------


def seed_expired(rows: int, *, owner_id: int, kept_until: date) -> list[int]:
    """Insert ``rows`` prospects kept until ``kept_until``, with children and history. Returns their ids.

    A handful of INSERT … SELECT statements, whatever ``rows``: no per-row ORM work.
    Identifiers are placeholders (the purge never decrypts), unique per call.
    """
    now = timezone.now()
    collected = datetime(kept_until.year - 3, kept_until.month, kept_until.day, tzinfo=now.tzinfo)
    tag = f"b{time.monotonic_ns()}"
    after = Prospect.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        _insert(
            Prospect,
            {
                "first_name": ("'Bench'", []),
                "last_name": (f"{_concat('%s', 'seq.i')}", [tag]),
                "email": (_concat("'gAAAAAbench-'", "%s", "seq.i"), [tag]),
                "email_index": (_concat("%s", "'-'", "seq.i"), [tag]),
                "audience": ("'b2b_nominative'", []),
                "owner": ("%s", [owner_id]),
                "collected_at": ("%s", [collected]),
                "retention_until": ("%s", [kept_until]),
                "created_at": ("%s", [collected]),
                "updated_at": ("%s", [now]),
            },
            source="seq",
            with_sequence=rows,
        )
        fresh = f"FROM {_q(Prospect)} p WHERE p.id > %s AND p.email_index LIKE %s"
        mine = [after, f"{tag}-%"]
        _children(Source, SOURCES, fresh, mine, {"type": ("'business_card'", []), "evidence": ("'{}'", [])})
        _children(
            Interaction,
            INTERACTIONS,
            fresh,
            mine,
            {
                "type": ("'email_sent'", []),
                "direction": ("'outbound'", []),
                "is_voluntary_prospect_contact": ("%s", [False]),
                "occurred_at": ("%s", [collected]),
                "summary": (_concat("'Sent to Bench '", "p.last_name"), []),
            },
        )
        _children(Note, NOTES, fresh, mine, {"author": ("p.owner_id", []), "text": ("'Met at the fair'", [])})
        for model in (Prospect, Source, Note):
            _history(model, after=after, tag=tag)
    return list(
        Prospect.objects.filter(pk__gt=after, email_index__startswith=f"{tag}-").values_list("pk", flat=True)
    )


def _q(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _concat(*parts: str) -> str:
    return " || ".join(f"CAST({part} AS TEXT)" if "." in part else part for part in parts)


def _insert(
    model, values: dict, *, source: str, with_sequence: int = 0, tail: str = "", tail_params=()
) -> None:
    """INSERT INTO ``model`` SELECT …: ``values`` gives SQL per field, other fields take their default."""
    columns, exprs, params = [], [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, AutoFieldMixin):
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in values:
            expr, expr_params = values[field.name]
            exprs.append(expr)
            params += expr_params
        else:
            exprs.append("%s")
            params.append(None if field.null and not field.has_default() else _default(field))
    sql = f"INSERT INTO {_q(model)} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source} {tail}"
    if with_sequence:
        sql = f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %s) {sql}"
        params = [with_sequence, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *tail_params])


def _default(field: models.Field):
    value = field.get_default()
    if value is None and not field.null:
        value = ""
    return field.get_db_prep_save(value, connection)


def _children(model, per_prospect: int, fresh: str, params: list, values: dict) -> None:
    copies = " UNION ALL ".join(f"SELECT {n} AS k" for n in range(per_prospect))
    values = {"prospect": ("p.id", []), **values}
    # ``fresh`` starts with FROM: the copies are joined to it.
    source = f"({copies}) copies CROSS JOIN {fresh.removeprefix('FROM ')}"
    _insert(model, values, source=source, tail="", tail_params=params)


def _history(model, *, after: int, tag: str) -> None:
    """One '+' history row per row of ``model`` belonging to the fresh prospects."""
    history = model.history.model
    names = {f.name: f for f in model._meta.concrete_fields}
    values = {}
    for field in history._meta.concrete_fields:
        if field.name in names:
            values[field.name] = (f"b.{connection.ops.quote_name(names[field.name].column)}", [])
    values |= {"history_date": ("%s", [timezone.now()]), "history_type": ("'+'", [])}
    values["history_change_reason"] = ("NULL", [])
    values["history_user"] = ("NULL", [])
    pointer = "b.id" if model is Prospect else "b.prospect_id"
    tail = f"WHERE {pointer} IN (SELECT id FROM {_q(Prospect)} WHERE id > %s AND email_index LIKE %s)"
    _insert(history, values, source=f"{_q(model)} b", tail=tail, tail_params=[after, f"{tag}-%"])


# --- The raw baseline ------------------------------------------------------------------------


def delete_raw(*, today: date) -> None:
    """What a hand-written purge does: one DELETE per table, subqueries on the deadline, one transaction."""
    due = f"SELECT id FROM {_q(Prospect)} WHERE retention_until < '{today.isoformat()}'"
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in _raw_statements(deletion_plan(), due):
            cursor.execute(sql)


def _raw_statements(link: Link, parents: str) -> list[str]:
    quote = connection.ops.quote_name
    table, column, pk = _q(link.model), quote(link.column), quote(link.model._meta.pk.column)
    if link.detach:
        return [f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({parents})"]
    own = f"SELECT {pk} FROM {table} WHERE {column} IN ({parents})"
    statements = [sql for child in link.children for sql in _raw_statements(child, own)]
    if link.history is not None:
        history = _q(link.history)
        statements.append(f"DELETE FROM {history} WHERE {quote(link.history_key)} IN ({own})")
        if link.history_column and link.history_column != link.history_key:
            statements.append(f"DELETE FROM {history} WHERE {quote(link.history_column)} IN ({parents})")
    statements.append(f"DELETE FROM {table} WHERE {column} IN ({parents})")
    return statements
