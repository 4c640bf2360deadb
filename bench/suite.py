"""The suite: every case in a throwaway database, one line each, in the same run.

``NAME: ours=SECONDS raw=SECONDS ratio=R target<=T`` for a timed case, ``import_peak_rss:
ours=MB target<=200`` for the import's memory, ``NAME: skipped (not built yet)`` for a
case whose module does not exist yet, ``NAME: failed (...)`` for one that raised.
"""

import importlib
import sys
import traceback
from dataclasses import dataclass

from bench import database, memory


@dataclass(frozen=True)
class Case:
    name: str
    module: str
    function: str = "run"
    target: float = 10  # when the case does not give its own


# Targets from issue 8: import 3, purge 2, campaign decision 2. It sets none for the others.
CASES = (
    Case("import", "bench.importing", target=3),
    Case("list_page", "bench.pages", "run_list"),
    Case("api_list", "bench.pages", "run_api"),
    Case("purge", "bench.purge", target=2),
    Case("campaign", "bench.campaign", target=2),
    Case("sending", "bench.sending", target=3),
    Case("subject_access", "bench.subject_access"),
    Case("register", "bench.register"),
)


def run(*, rows: int, rss_rows: int | None = None, out=None) -> list[str]:
    """Run every case with ``rows`` rows; the memory case imports ``rss_rows`` (default ``rows``)."""
    out = out or sys.stdout
    lines = []

    def emit(line: str) -> None:
        out.write(line + "\n")
        out.flush()
        lines.append(line)

    with database.throwaway() as db:
        emit(f"# bench: rows={rows} rss_rows={rss_rows or rows} database={db.vendor} ({db.name})")
        for case in CASES:
            emit(measure(case, rows))
        emit(peak_memory(rss_rows or rows))
    return lines


def measure(case: Case, rows: int) -> str:
    try:
        module = importlib.import_module(case.module)
    except ModuleNotFoundError as error:
        if error.name == case.module:
            return f"{case.name}: skipped (not built yet)"
        return _failed(case.name, error)
    function = getattr(module, case.function, None)
    if function is None:
        return f"{case.name}: skipped (not built yet)"
    try:
        ours, raw, target = timings(function(rows), case.target)
    except Exception as error:
        return _failed(case.name, error)
    ratio = ours / raw if raw else float("inf")
    return f"{case.name}: ours={ours:.5f} raw={raw:.5f} ratio={ratio:.2f} target<={target:g}"


def peak_memory(rows: int) -> str:
    try:
        megabytes = memory.run(rows)
    except Exception as error:
        return _failed("import_peak_rss", error)
    return f"import_peak_rss: ours={megabytes:.1f} target<={memory.TARGET_MB}"


def timings(result, default_target: float) -> tuple[float, float, float]:
    """(ours, raw, target) from what a case returned: an object, a dict or a tuple."""
    if isinstance(result, tuple | list):
        ours, raw, *rest = result
        return float(ours), float(raw), float(rest[0] if rest else default_target)
    get = (
        result.get if isinstance(result, dict) else lambda name, default=None: getattr(result, name, default)
    )
    ours = get("ours_seconds", get("ours"))
    raw = get("raw_seconds", get("raw"))
    if ours is None or raw is None:
        raise TypeError(f"a case returned {result!r}, without ours and raw timings")
    return float(ours), float(raw), float(get("target") or default_target)


def _failed(name: str, error: Exception) -> str:
    traceback.print_exception(error, file=sys.stderr)
    message = " ".join(str(error).split())[:200]
    return f"{name}: failed ({type(error).__name__}: {message})"
