"""What users feel: the pages and the API under load, over HTTP, beside a raw twin.

``manage.py bench --http`` fills a throwaway PostgreSQL database (bench.fill), serves it
with the product exactly as the image does (bench.serve: DEBUG off, fresh secrets, the
image's static files and gunicorn command) and with the raw twin (bench.raw_app, the same
gunicorn, configuration and worker count), logs the bench rep in, then drives every case
with wrk (bench.wrk): a warm-up second, then ``rounds`` rounds of ``seconds`` seconds, case
after case within a round so that both servers share the machine's noise. Before measuring,
every case is checked once: it answers 200 with what it should (50 rows, no row for the
search that matches nothing, one for the exact email, and the raw twin the same ids as the
page it stands beside); a case failing that is reported failed and not measured.

One line per case::

    http NAME: ours=R req/s p50=Xms p95=Xms p99=Xms non2xx=N errors=N rounds=R1,R2,R3 \
[raw=R req/s ratio=Q raw_decrypted=R req/s ratio_decrypted=Q]
    http NAME: ours=R req/s ... bare=R req/s ratio_bare=Q target<=20
    http RAWNAME: raw=R req/s p50=Xms p95=Xms p99=Xms non2xx=N errors=N rounds=R1,R2,R3
    http NAME: skipped (not built yet)
    http NAME: failed (why)

R is the median over the rounds of requests per second, the percentiles are the medians of
each round's, non2xx (answers outside 2xx, redirects included) and errors (socket errors and
timeouts) are summed over the rounds. ratio is the raw twin's req/s over ours: how many times
more requests the bare query serves than the product's page. ``bare`` is the raw twin
``bare_NAME`` running the very statements the page ran to load its rows (bench.bare: the list
sorted by each column, filtered by stage, and the board), ratio_bare its req/s over ours,
against issue 16's bound of 20. ``http fill:`` gives the fill's
seconds; lines starting with ``#`` are comments (the setup, the progress).
"""

import contextlib
import json
import re
import signal
import statistics
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.db import connection
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from bench import bare, database, fill, serve, wrk
from prospects import listing

RAW_APP = "bench.raw_app:application"
ROW_LINK = re.compile(r'href="/prospects/(\d+)/"')


class Unavailable(RuntimeError):
    """The HTTP case cannot run here (no wrk, not PostgreSQL)."""


@dataclass(frozen=True)
class Case:
    name: str
    server: str  # "ours" or "raw"
    path: Callable[[fill.Filled], str]
    twins: tuple[str, ...] = ()  # the raw cases to compare with: plain, then decrypted
    bare: bool = False  # measured beside its bare query too (the raw case ``bare_<name>``)


@dataclass(frozen=True)
class Missing:
    """A view the product does not have yet; the case runs once one of these URL names exists."""

    name: str
    url_names: tuple[str, ...]


def _first_click(key: str) -> str:
    """The sort a click on the column's heading asks first; for "created", the oldest first
    (its first click, newest first, is the plain list page)."""
    value = listing.sort_link(key, "")
    return "created" if value == listing.DEFAULT_SORT else value


# The list page sorted by each column of listing.SORTS, a sort added there measured too.
def _sorted_case(key: str) -> Case:
    path = f"/prospects/?sort={_first_click(key)}"
    return Case(f"list_sorted_{key}", "ours", lambda f: path, bare=True)


SORTED_PAGES = tuple(_sorted_case(key) for key in listing.SORTS)
PAGE_TWINS = ("raw_list", "raw_list_decrypted")
# Issue 16's bound: the list page (each sort, the stage filter) and the board at most this many
# times their bare query, served by the raw twin (bench.raw_app ``/raw/bare/<case>/``).
BARE_TARGET = 20
STAGE_FILTER = Case("list_stage", "ours", lambda f: f"/prospects/?stage={f.stage}", bare=True)
BOARD = Case("board", "ours", lambda f: "/prospects/board/", bare=True)
CASES = (
    Case("list_page", "ours", lambda f: "/prospects/", PAGE_TWINS),
    *SORTED_PAGES,
    STAGE_FILTER,
    Case("name_search_match", "ours", lambda f: f"/prospects/?q={quote(f.match)}"),
    Case("name_search_no_match", "ours", lambda f: f"/prospects/?q={quote(f.no_match)}"),
    Case("email_search", "ours", lambda f: f"/prospects/?q={quote(f.email)}"),
    Case("contactable", "ours", lambda f: "/prospects/?contactable=yes"),
    Case("detail_page", "ours", lambda f: f"/prospects/{f.detail_id}/"),
    Case("api_list", "ours", lambda f: "/api/prospects/", PAGE_TWINS),
    Case(
        "api_deep",
        "ours",
        lambda f: f"/api/prospects/?cursor={quote(f.deep_cursor)}",
        ("raw_deep", "raw_deep_decrypted"),
    ),
    BOARD,
    Missing("segment", ("prospects:segments", "prospects:segment_list", "segments:list", "segments")),
    Case("raw_list", "raw", lambda f: "/raw/prospects/"),
    Case("raw_list_decrypted", "raw", lambda f: "/raw/prospects/decrypted/"),
    Case("raw_deep", "raw", lambda f: f"/raw/prospects/?cursor={quote(f.deep_cursor)}"),
    Case("raw_deep_decrypted", "raw", lambda f: f"/raw/prospects/decrypted/?cursor={quote(f.deep_cursor)}"),
    *(Case(bare.name(case), "raw", bare.path(case)) for case in (*SORTED_PAGES, STAGE_FILTER, BOARD)),
)


@dataclass
class Outcome:
    case: Case
    runs: list = field(default_factory=list)
    failure: str = ""


def run(*, rows: int, seconds: int = 10, workers: int = 3, rounds: int = 3, out=None) -> list[str]:
    """The whole HTTP case; every process it starts is stopped, the database dropped, whatever happens."""
    out = out or sys.stdout
    if connection.vendor != "postgresql":
        raise Unavailable(
            "bench --http needs PostgreSQL (DATABASE_URL=postgres://...): the fill uses COPY, "
            "and the product's server runs against a database of its own"
        )
    if not wrk.available():
        raise Unavailable("bench --http drives the servers with wrk: apt-get install wrk")
    lines: list[str] = []

    def emit(line: str) -> None:
        out.write(line + "\n")
        out.flush()
        lines.append(line)

    keys = serve.Secrets.fresh()
    with (
        _terminated_as_exit(),
        override_settings(
            LOYAL_ENCRYPTION_KEYS=[keys.encryption_keys], LOYAL_BLIND_INDEX_KEY=keys.blind_index_key
        ),
        database.throwaway() as db,
    ):
        emit(f"# http: rows={rows} workers={workers} rounds={rounds}x{seconds}s load=wrk -t{wrk.THREADS} "
             f"-c{wrk.CONNECTIONS} database={db.vendor} ({db.name})")  # fmt: skip
        filled = fill.fill(rows)
        emit(f"http fill: seconds={filled.seconds:.1f} rows={rows} visible={filled.visible}")
        for line in _measure(db, filled, keys, emit, seconds=seconds, workers=workers, rounds=rounds):
            emit(line)
    return lines


def _measure(db, filled, keys, emit, *, seconds, workers, rounds) -> list[str]:
    var_dir = db.workdir / "var"
    var_dir.mkdir()
    emit(f"# static files: {serve.static_files(var_dir)}")
    env = serve.production_env(keys, database_url=db.url, var_dir=var_dir)
    with_bare = [case for case in CASES if isinstance(case, Case) and case.bare]
    queries = bare.capture(with_bare, filled, db.workdir)
    raw_env = serve.owner_env() | {
        "BENCH_RAW_DATABASE": db.url,
        "BENCH_RAW_QUERIES": str(queries),
        "BENCH_RAW_USER": str(filled.rep_id),
        "LOYAL_ENCRYPTION_KEYS": keys.encryption_keys,
        "DEBUG": "0",
    }
    servers: dict[str, serve.Server] = {}
    try:
        common = {"workers": workers, "log_dir": db.workdir}
        servers["ours"] = serve.start("ours", "crm.wsgi:application", health="/health/", env=env, **common)
        servers["raw"] = serve.start("raw", RAW_APP, health="/raw/health/", env=raw_env, **common)
        client = serve.Client(servers["ours"].port)
        client.log_in(filled.username, filled.password)
        headers = client.headers()
        outcomes = {case.name: Outcome(case) for case in CASES if isinstance(case, Case)}
        _check(outcomes, filled, servers, headers)
        measured = [o for o in outcomes.values() if not o.failure]
        lua = wrk.script(db.workdir)
        url = {o.case.name: servers[o.case.server].base + o.case.path(filled) for o in measured}
        for outcome in measured:  # warm-up: templates, URL resolver, connections, caches
            _load(outcome, url, headers, lua, seconds=1, keep=False)
        for number in range(1, rounds + 1):
            for outcome in measured:
                _load(outcome, url, headers, lua, seconds=seconds, keep=True)
            emit(f"# round {number}/{rounds} done")
        return [_line(case, outcomes) for case in CASES]
    finally:
        for server in servers.values():
            serve.stop(server)
        for server in servers.values():
            _log_tail_on_errors(server, emit)


def _load(outcome: Outcome, url: dict, headers: dict, lua: Path, *, seconds: int, keep: bool) -> None:
    if outcome.failure:
        return
    try:
        result = wrk.run(
            url[outcome.case.name], seconds=seconds, headers=headers, lua=lua, env=serve.owner_env()
        )
    except RuntimeError as error:
        outcome.failure = " ".join(str(error).split())[:200]
        return
    if keep:
        outcome.runs.append(result)


def _check(outcomes: dict[str, Outcome], filled, servers, headers) -> None:
    """One request per case: 200, and what it should answer; the raw twins the same rows."""
    answers: dict[str, bytes] = {}
    for name, outcome in outcomes.items():
        server = servers[outcome.case.server]
        client = serve.Client(server.port)
        client.cookies = dict(_cookies(headers))
        try:
            status, _headers, body = client.request("GET", outcome.case.path(filled))
        except OSError as error:
            outcome.failure = f"{type(error).__name__}: {error}"
            continue
        if status != 200:
            outcome.failure = f"answered {status}"
            continue
        answers[name] = body
    page = min(50, filled.visible)
    expected = {
        "list_page": lambda ids: len(ids) == page,
        **{case.name: (lambda ids: len(ids) == page) for case in SORTED_PAGES},
        "list_stage": lambda ids: len(ids) >= 1,
        "board": lambda ids: len(ids) >= 1,
        "name_search_match": lambda ids: len(ids) >= 1,
        "name_search_no_match": lambda ids: ids == [],
        "email_search": lambda ids: len(ids) == 1,
        "contactable": lambda ids: len(ids) >= 1,
        "detail_page": lambda ids: True,
        "api_list": lambda ids: len(ids) == page,
        "api_deep": lambda ids: len(ids) >= 1,
    }
    ids = {}
    for name, body in answers.items():
        try:
            ids[name] = _ids(name, body)
        except (ValueError, KeyError, TypeError) as error:
            outcomes[name].failure = f"unreadable answer: {type(error).__name__}"
    for name, rule in expected.items():
        if name in ids and not rule(ids[name]):
            outcomes[name].failure = f"unexpected answer: {len(ids[name])} rows"
    twins = {
        "raw_list": "api_list",
        "raw_list_decrypted": "api_list",
        "raw_deep": "api_deep",
        "raw_deep_decrypted": "api_deep",
    }
    for raw, ours in twins.items():
        if raw in ids and ours in ids and ids[raw] != ids[ours]:
            outcomes[raw].failure = f"not the rows of {ours}: {ids[raw][:3]}... against {ids[ours][:3]}..."
    if "raw_list_decrypted" in answers and "api_list" in answers:
        raw, ours = (json.loads(answers[n])["results"] for n in ("raw_list_decrypted", "api_list"))
        if [row["email"] for row in raw] != [row["email"] for row in ours]:
            outcomes["raw_list_decrypted"].failure = "its emails are not the API's"
    if "list_page" in ids and "raw_list" in ids and ids["list_page"] != ids["raw_list"]:
        outcomes["list_page"].failure = "the page's rows are not the raw query's"
    for name, outcome in outcomes.items():
        twin = bare.name(outcome.case)
        if outcome.case.bare and name in ids and twin in ids and not bare.same_rows(ids[name], ids[twin]):
            outcomes[twin].failure = f"not the rows of {name}: {ids[twin][:3]}... against {ids[name][:3]}..."


def _ids(name: str, body: bytes) -> list[int]:
    if name.startswith(("api_", "raw_", "bare_")):
        return [row["id"] for row in json.loads(body)["results"]]
    return [int(pk) for pk in ROW_LINK.findall(body.decode(errors="replace"))]


def _cookies(headers: dict[str, str]):
    for part in headers.get("Cookie", "").split("; "):
        if "=" in part:
            yield part.split("=", 1)


def _line(case, outcomes: dict[str, Outcome]) -> str:
    if isinstance(case, Missing):
        if _built(case):
            return f"http {case.name}: failed (the view exists now: give bench.http its case)"
        return f"http {case.name}: skipped (not built yet)"
    outcome = outcomes[case.name]
    if outcome.failure:
        return f"http {case.name}: failed ({outcome.failure})"
    label = "ours" if case.server == "ours" else "raw"
    rate = _rate(outcome)
    text = f"http {case.name}: {label}={rate:.1f} req/s {_figures(outcome)}"
    for twin in case.twins:
        other = outcomes[twin]
        suffix = "_decrypted" if twin.endswith("_decrypted") else ""
        if other.failure:
            text += f" raw{suffix}=failed"
            continue
        raw_rate = _rate(other)
        ratio = f"{raw_rate / rate:.2f}" if rate else "inf"
        text += f" raw{suffix}={raw_rate:.1f} req/s ratio{suffix}={ratio}"
    if case.bare:
        other = outcomes[bare.name(case)]
        if other.failure:
            return text + " bare=failed"
        bare_rate = _rate(other)
        ratio = f"{bare_rate / rate:.2f}" if rate else "inf"
        text += f" bare={bare_rate:.1f} req/s ratio_bare={ratio} target<={BARE_TARGET}"
    return text


def _rate(outcome: Outcome) -> float:
    return statistics.median(run.rate for run in outcome.runs)


def _figures(outcome: Outcome) -> str:
    runs = outcome.runs
    timed = [run for run in runs if run.requests] or runs

    def ms(name: str) -> str:
        return f"{statistics.median(getattr(run, name) for run in timed):.1f}ms"

    rounds = ",".join(f"{run.rate:.1f}" for run in runs)
    return (
        f"p50={ms('p50_ms')} p95={ms('p95_ms')} p99={ms('p99_ms')} "
        f"non2xx={sum(run.non2xx for run in runs)} errors={sum(run.errors for run in runs)} rounds={rounds}"
    )


def _built(case: Missing) -> bool:
    for name in case.url_names:
        with contextlib.suppress(NoReverseMatch):
            reverse(name)
            return True
    return False


def _log_tail_on_errors(server: serve.Server, emit) -> None:
    text = serve.tail(server.log, 2000)
    if "Traceback" in text or "ERROR" in text or '"levelname": "ERROR"' in text:
        emit(f"# {server.name} server log: {text[-600:]}")


@contextlib.contextmanager
def _terminated_as_exit():
    """SIGTERM raises SystemExit, so that the cleanup runs when the run is stopped that way too."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
