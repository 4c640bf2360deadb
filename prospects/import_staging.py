"""The staging table of an import and the set-based SQL that moves its rows into the CRM.

Rows are staged as they are read (COPY on PostgreSQL, a batched executemany on SQLite),
then checked as a whole: the suppression list, prospects already recorded and duplicates
within the file are joins, not per-row queries. Batches of lines are then loaded with
``INSERT ... SELECT`` into companies, prospects, sources and their history tables, each
batch in one transaction that also moves the job's watermark: a run killed half-way
loses at most the batch in flight, and its rerun loads that batch again. The unique
blind indexes with ``ON CONFLICT DO NOTHING`` make a batch that somehow ran twice load
nothing twice, and refuse a person someone recorded since the file was checked.

A batch costs a constant number of statements, and none of them reads more of the CRM's
tables than the batch's own rows through an index: the staging rows are never
rewritten, companies are found through the index on ``upper(name)``, and the history
and sources are copied from the rows just inserted. The statistics of the tables the
import filled are refreshed at the end (``analyse_targets``).

The same SQL runs on both databases; ``Dialect`` holds the few places where they differ
(on PostgreSQL a batch's inserts are one statement of chained CTEs, on SQLite the same
steps one by one).
"""

# Statements are assembled from table and column names read off the models (never from
# the file); every value travels as a parameter.
# ruff: noqa: S608

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, models
from django.db.models import F
from django.utils import timezone

from org.accounts import team_of
from org.models import AccessAction, AccessLog
from prospects import pipeline
from prospects.models import Company, ImportJob, ImportRejection, Prospect, Source, Suppression

Reason = ImportRejection.Reason

STAGING_COLUMNS = (
    "line",
    "first_name",
    "last_name",
    "job_title",
    "company",
    "language",
    "email",
    "email_index",
    "phone",
    "phone_index",
    "linkedin_url",
    "linkedin_index",
    "audience",
    "problem",
    "field",
    "stage_id",
    "customer_since",
    "customer_category_id",
    "customer_ended",
)
STAGING_DDL = """
    line integer PRIMARY KEY,
    first_name text, last_name text, job_title text, company text, language text,
    email text, email_index text, phone text, phone_index text, linkedin_url text, linkedin_index text,
    audience text, problem text, field text,
    stage_id integer, customer_since date, customer_category_id integer, customer_ended date,
    duplicate_of integer
"""
IDENTIFIERS = (("email_index", "email"), ("phone_index", "phone"), ("linkedin_index", "linkedin_url"))


@dataclass(frozen=True)
class Sql:
    """An SQL expression in an INSERT ... SELECT, as opposed to a value sent as a parameter."""

    text: str
    params: tuple = ()


class Dialect:
    """Where PostgreSQL and SQLite need different SQL for the same step."""

    def __init__(self, vendor: str):
        self.postgres = vendor == "postgresql"

    def create_table(self, table: str) -> str:
        # UNLOGGED: the staging rows can be rebuilt from the file, so skip the WAL.
        kind = "UNLOGGED TABLE" if self.postgres else "TABLE"
        return f"CREATE {kind} IF NOT EXISTS {table} ({STAGING_DDL})"

    def write(self, cursor, table: str, rows: list[tuple]) -> None:
        columns = ", ".join(STAGING_COLUMNS)
        if self.postgres:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(STAGING_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def run_steps(self, cursor, steps: list[tuple[str, str, list]], inserted: dict, counts=()) -> tuple:
        """Run INSERT steps, each named; ``{name}`` in a later step stands for the rows that step
        inserted (``inserted`` gives its model). Returns the rows inserted by each of ``counts``.

        PostgreSQL: one statement, the steps chained as data-modifying CTEs, each later step
        reading the ``RETURNING`` of an earlier one. SQLite has no such CTE: the steps run one
        by one, and the rows a step inserted are those with an id above the largest before
        it (SQLite writes one transaction at a time; AUTOINCREMENT ids only grow).
        """
        if self.postgres:
            return self._chained(cursor, steps, inserted, counts)
        relations, found = {}, {}
        for name, sql, params in steps:
            model = inserted.get(name)
            if model is not None:
                table = model._meta.db_table
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
                before = int(cursor.fetchone()[0])
                relations[name] = f"(SELECT * FROM {table} WHERE id > {before}) AS {name}"
            cursor.execute(_with_relations(sql, relations), params)
            found[name] = cursor.rowcount
        return tuple(found[name] for name in counts)

    def _chained(self, cursor, steps, inserted: dict, counts) -> tuple:
        relations = {name: name for name, _sql, _params in steps}
        parts, params = [], []
        for name, sql, step_params in steps[:-1] if not counts else steps:
            suffix = " RETURNING *" if name in inserted else (" RETURNING 1" if name in counts else "")
            parts.append(f"{name} AS ({_with_relations(sql, relations)}{suffix})")
            params += step_params
        if counts:
            main = "SELECT " + ", ".join(f"(SELECT count(*) FROM {name})" for name in counts)
        else:
            _name, sql, step_params = steps[-1]
            main = _with_relations(sql, relations)
            params += step_params
        cursor.execute(f"WITH {', '.join(parts)} {main}", params)
        return tuple(cursor.fetchone()) if counts else ()

    def json_value(self, value: dict) -> Sql:
        return Sql("CAST(%s AS jsonb)" if self.postgres else "%s", (json.dumps(value),))


class Staging:
    """The staging table of one import job."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.dialect = Dialect(connection.vendor)
        self.table = connection.ops.quote_name(f"prospects_importstaging_{job.pk}")

    @functools.cached_property
    def default_stage_id(self) -> int | None:
        """Where a row without a stage starts; read once per run, not once per batch."""
        return getattr(pipeline.default_stage(), "pk", None)

    # --- Staging -----------------------------------------------------------------------

    def create(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(self.dialect.create_table(self.table))

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def last_staged_line(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(line), 0) FROM {self.table}")
            return cursor.fetchone()[0]

    def write(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            self.dialect.write(cursor, self.table, rows)

    def analyse(self) -> None:
        """Give the planner the staged rows' statistics before the joins (a fresh table has none)."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.table}")

    # --- Checks over the whole file ------------------------------------------------------

    def check(self, *, first: int = 0, last: int | None = None) -> None:
        """Mark the rows that must not be loaded; every line when no range is given.

        Order matters: a row on the suppression list is reported as such even when it
        also repeats an earlier line, and only rows still loadable count as the first
        occurrence of a duplicate.
        """
        last = self.job.last_line if last is None else last
        with connection.cursor() as cursor:
            self._mark(cursor, Reason.OPPOSED, Suppression._meta.db_table, "digest", first, last)
            self._mark(cursor, Reason.ALREADY_RECORDED, Prospect._meta.db_table, None, first, last)
            self._log_other_teams(cursor, first, last)

    def _log_other_teams(self, cursor, first: int, last: int) -> None:
        """An access-log entry for each prospect of another team that a line was found to repeat:
        the report says only "already recorded", but the look-up leaves a trace, as on the
        single-prospect form (intake._check_duplicates; CNIL délib. 2021-122)."""
        team = team_of(self.job.owner) if self.job.owner_id else None
        found = " UNION ".join(
            f"SELECT t.id FROM {self.table} s JOIN {Prospect._meta.db_table} t ON t.{index} = s.{index} "
            "WHERE s.line BETWEEN %s AND %s AND s.problem = %s AND coalesce(t.team_id, 0) <> %s"
            for index, _field in IDENTIFIERS
        )
        params = [first, last, Reason.ALREADY_RECORDED, team.pk if team else 0] * len(IDENTIFIERS)
        cursor.execute(
            f"INSERT INTO {AccessLog._meta.db_table} (user_id, prospect_id, action, at) "
            f"SELECT %s, id, %s, %s FROM ({found}) AS repeated",
            [self.job.created_by_id, AccessAction.DUPLICATE_CHECK, timezone.now(), *params],
        )

    def mark_duplicates(self) -> None:
        """Rows sharing an email, phone or LinkedIn URL with an earlier loadable row of the file."""
        kinds = " UNION ALL ".join(
            f"SELECT line, min(line) OVER (PARTITION BY {index}) AS first_line, '{field}' AS field "
            f"FROM {self.table} WHERE problem IS NULL AND {index} IS NOT NULL"
            for index, field in IDENTIFIERS
        )
        earliest = (
            "SELECT line, first_line, field FROM ("
            "SELECT line, first_line, field, "
            "row_number() OVER (PARTITION BY line ORDER BY first_line, field) AS n "
            f"FROM ({kinds}) AS occurrences WHERE first_line < line) AS ranked WHERE n = 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} SET problem = %s, field = d.field, duplicate_of = d.first_line "
                f"FROM ({earliest}) AS d WHERE {self.table}.line = d.line",
                [Reason.DUPLICATE_IN_FILE],
            )

    def _mark(self, cursor, reason: str, target: str, column: str | None, first: int, last: int) -> None:
        """Set ``reason`` on loadable rows whose email, phone or LinkedIn index is found in ``target``.

        One join per identifier (each uses the target's index), rather than EXISTS ... OR
        EXISTS, which the planner can only run as a hash of the whole target per batch.
        """
        # The suppression list has one digest column; Art. 21(3): only a global objection
        # keeps a person out of the base, as in intake.py.
        scope, scope_params = (
            ("", []) if column is None else (" AND t.channel = %s", [Suppression.ALL_CHANNELS])
        )
        hits, params = [], []
        for rank, (index, _field) in enumerate(IDENTIFIERS, start=1):
            hits.append(
                f"SELECT s.line, {rank} AS rank FROM {self.table} s "
                f"JOIN {target} t ON t.{column or index} = s.{index}{scope} "
                "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL"
            )
            params += [*scope_params, first, last]
        field = " ".join(
            f"WHEN {rank} THEN '{name}'" for rank, (_index, name) in enumerate(IDENTIFIERS, start=1)
        )
        found = " UNION ALL ".join(hits)
        cursor.execute(
            f"UPDATE {self.table} SET problem = %s, field = CASE m.rank {field} END "
            f"FROM (SELECT line, min(rank) AS rank FROM ({found}) AS hits GROUP BY line) AS m "
            f"WHERE {self.table}.line = m.line",
            [reason, *params],
        )

    # --- Loading one batch ---------------------------------------------------------------

    def load(
        self, *, first: int, last: int, now: datetime, retention_until: date, team_id, notice: str
    ) -> tuple[int, int]:
        """Load lines ``first``..``last``; return (prospects loaded, rows rejected).

        A constant number of statements whatever the batch's size, none of which reads the
        prospects or companies beyond the batch's own rows: objections recorded since the
        file was checked are joined with the batch, companies are probed through the
        index on their name, and the history and sources are written from the rows just
        inserted (on PostgreSQL, the ``RETURNING`` of the same statement), never by
        joining the batch with the whole prospects table.
        """
        job = self.job
        with connection.cursor() as cursor:
            if self.dialect.postgres:
                # The statements are cheap but their estimates are not: JIT-compiling them
                # would cost more than running them, once per batch.
                cursor.execute("SET LOCAL jit = off")
            self._recheck_objections(cursor, first, last)
            self._companies(cursor, first, last, now)
            values = {
                "owner_id": job.owner_id,
                "team_id": team_id,
                "collected_at": now,
                "created_at": now,
                "updated_at": now,
                "retention_until": retention_until,
                "company_only": job.company_only,
            }
            steps = [
                ("p", *self._insert_prospects(values, first, last)),
                ("ph", *self._insert_history(Prospect, "p", now)),
                ("src", *self._insert_sources(now, notice)),
                ("sh", *self._insert_history(Source, "src", now)),
                ("r", *self._insert_rejections(first, last)),
            ]
            inserted = {"p": Prospect, "src": Source}
            return self.dialect.run_steps(cursor, steps, inserted, counts=("p", "r"))

    def _recheck_objections(self, cursor, first: int, last: int) -> None:
        """Objections recorded since the file was checked (docs/rules.md §2.3): the batch's rows
        against the suppression list, one join per identifier as for the whole file.

        The list does not grow with the import, so its statistics hold and the planner picks
        a hash of a short list or probes of the digest index of a long one. Prospects
        recorded meanwhile need no such pass: the unique blind indexes refuse them at
        insertion (``_insert_rejections``).
        """
        self._mark(cursor, Reason.OPPOSED, Suppression._meta.db_table, "digest", first, last)

    def _companies(self, cursor, first: int, last: int, now: datetime) -> None:
        """Create the batch's new companies, matched by name case-insensitively as intake.py
        does (``iexact``), through the index on ``upper(name)``; with their history rows."""
        company = Company._meta.db_table
        columns, expressions, params = _columns(Company, {"name": Sql("min(s.company)"), "created_at": now})
        insert = (
            f"INSERT INTO {company} ({columns}) SELECT {expressions} FROM {self.table} s "
            "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL AND s.company <> '' "
            f"AND {self._company_of().text} IS NULL GROUP BY upper(s.company)"
        )
        steps = [("c", insert, [*params, first, last]), ("ch", *self._insert_history(Company, "c", now))]
        self.dialect.run_steps(cursor, steps, {"c": Company})

    def _company_of(self) -> Sql:
        """The id of the row's company: a probe of the index on ``upper(name)``, row by row.

        A scalar subquery, which the planner keeps as one: written as a join or NOT EXISTS,
        it may hash every company of the CRM for each batch.
        """
        company = Company._meta.db_table
        return Sql(f"(SELECT min(c.id) FROM {company} c WHERE upper(c.name) = upper(s.company))")

    def _company_sort_of(self) -> Sql:
        """The name of the company ``_company_of`` picks, the list's sort key ("" without one)."""
        company = Company._meta.db_table
        return Sql(
            f"coalesce((SELECT c.name FROM {company} c WHERE upper(c.name) = upper(s.company) "
            "ORDER BY c.id LIMIT 1), '')"
        )

    def _insert_prospects(self, values: dict, first: int, last: int) -> tuple[str, list]:
        staged = ("first_name", "last_name", "job_title", "language", "audience")
        identifiers = ("email", "email_index", "phone", "phone_index", "linkedin_url", "linkedin_index")
        explicit = {
            **{name: Sql(f"s.{name}") for name in (*staged, *identifiers)},
            "company_id": self._company_of(),
            "company_sort": self._company_sort_of(),
            # Optional columns (docs/rules.md §1.8): the stage, and the sale that makes a customer.
            "stage_id": Sql("COALESCE(s.stage_id, %s)", (self.default_stage_id,)),
            "is_customer": Sql(
                "(s.customer_since IS NOT NULL OR s.customer_category_id IS NOT NULL"
                " OR s.customer_ended IS NOT NULL)"
            ),
            "customer_since": Sql("s.customer_since"),
            "customer_category_id": Sql("s.customer_category_id"),
            "customer_relationship_ended_at": Sql("s.customer_ended"),
            **values,
        }
        columns, expressions, params = _columns(Prospect, explicit)
        sql = (
            f"INSERT INTO {Prospect._meta.db_table} ({columns}) SELECT {expressions} FROM {self.table} s "
            "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL ORDER BY s.line ON CONFLICT DO NOTHING"
        )
        return sql, [*params, first, last]

    def _insert_sources(self, now: datetime, notice: str) -> tuple[str, list]:
        job = self.job
        evidence = self.dialect.json_value(job.evidence)
        explicit = {
            "prospect_id": Sql("p.id"),
            "type": job.source_type,
            "evidence": evidence,
            "acquired_at": now,
            "notice": notice,
            "recorded_by_id": job.created_by_id,
        }
        columns, expressions, params = _columns(Source, explicit)
        sql = f"INSERT INTO {Source._meta.db_table} ({columns}) SELECT {expressions} FROM {{p}} ORDER BY p.id"
        return sql, params

    def _insert_history(self, model, alias: str, now) -> tuple[str, list]:
        """simple-history "created" rows for the rows just inserted, copied from them in SQL."""
        history = model.history.model
        own = {field.column for field in model._meta.concrete_fields}
        explicit = {
            field.column: Sql(f"{alias}.{field.column}")
            for field in history._meta.concrete_fields
            if field.column in own
        }
        explicit.update(
            history_date=now,
            history_type="+",
            history_user_id=self.job.created_by_id,
            history_change_reason=f"import #{self.job.pk}",
        )
        columns, expressions, params = _columns(history, explicit, skip=("history_id",))
        sql = f"INSERT INTO {history._meta.db_table} ({columns}) SELECT {expressions} FROM {{{alias}}}"
        return sql, params

    def _insert_rejections(self, first: int, last: int) -> tuple[str, list]:
        """Every rejected line of the batch, and loadable lines that lost a race to another writer.

        A loadable line is known by its first identifier's blind index (unique among the
        file's loadable lines once duplicates are marked, and never equal across kinds): a
        line none of whose inserted prospects carries it was refused by a unique index,
        so someone recorded that person since the file was checked.
        """
        table = ImportRejection._meta.db_table
        prospects = Prospect._meta.db_table
        key = "coalesce({0}.email_index, {0}.phone_index, {0}.linkedin_index)"
        field = " ".join(
            f"WHEN EXISTS (SELECT 1 FROM {prospects} t WHERE t.{index} = s.{index}) THEN '{name}'"
            for index, name in IDENTIFIERS
        )
        job = self.job.pk
        sql = (
            f"INSERT INTO {table} (job_id, line, reason, field, duplicate_of) "
            f"SELECT %s, line, problem, coalesce(field, ''), duplicate_of FROM {self.table} "
            "WHERE line BETWEEN %s AND %s AND problem IS NOT NULL "
            f"UNION ALL SELECT %s, s.line, %s, CASE {field} ELSE '' END, NULL FROM {self.table} s "
            "WHERE s.line BETWEEN %s AND %s AND s.problem IS NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {{p}} WHERE {key.format('p')} = {key.format('s')}) "
            "ON CONFLICT DO NOTHING"
        )
        return sql, [job, first, last, job, Reason.ALREADY_RECORDED, first, last]

    # --- After the last batch --------------------------------------------------------------

    def analyse_targets(self) -> None:
        """Refresh the planner's statistics of the tables the import filled: a million new rows
        would otherwise be planned for as the few the last autovacuum saw."""
        models_ = (Company, Prospect, Source, ImportRejection)
        tables = [m._meta.db_table for m in models_] + [
            m.history.model._meta.db_table for m in (Company, Prospect, Source)
        ]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _with_relations(sql: str, relations: dict[str, str]) -> str:
    for name, relation in relations.items():
        sql = sql.replace("{" + name + "}", relation)
    return sql


def _columns(model, explicit: dict, *, skip: tuple[str, ...] = ("id",)) -> tuple[str, str, list]:
    """Column list, SELECT expressions and parameters for an INSERT ... SELECT into ``model``.

    ``explicit`` maps a column to an ``Sql`` expression or to a Python value sent as a
    parameter. Other columns take the field's default, so that a field added to the
    model later needs no change here.
    """
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in skip and field.column not in explicit:
            continue
        columns.append(connection.ops.quote_name(field.column))
        value = explicit.get(field.column, _NO_VALUE)
        if isinstance(value, Sql):
            expressions.append(value.text)
            params.extend(value.params)
        else:
            expressions.append("%s")
            params.append(
                field.get_db_prep_save(_default(field) if value is _NO_VALUE else value, connection)
            )
    return ", ".join(columns), ", ".join(expressions), params


_NO_VALUE = object()


def _default(field: models.Field):
    if field.has_default() or (not field.null and not isinstance(field, models.ForeignKey)):
        return field.get_default()
    return None


def record_progress(job: ImportJob, **changes) -> None:
    """Write counters and progress on the job row (read by the progress bar)."""
    ImportJob.objects.filter(pk=job.pk).update(**changes, heartbeat_at=timezone.now())
    job.refresh_from_db(fields=[*changes, "heartbeat_at"])


def advance(job: ImportJob, *, through: int, loaded: int, rejected: int, progress: int) -> None:
    record_progress(
        job,
        loaded_through=through,
        loaded=F("loaded") + loaded,
        rejected=F("rejected") + rejected,
        progress=progress,
    )
