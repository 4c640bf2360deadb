"""bench --http at a tiny size: every case line, no error, nothing left running, nothing left behind."""

import os
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from prospects import listing

pytestmark = pytest.mark.slow

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
CASES = [
    "list_page",
    *(f"list_sorted_{key}" for key in listing.SORTS),
    "list_stage",
    "name_search_match",
    "name_search_no_match",
    "email_search",
    "contactable",
    "detail_page",
    "api_list",
    "api_deep",
    "board",
]
NOT_BUILT = ["segment"]
# Issue 16: the list sorted by each column, filtered by stage, and the board beside their bare query.
WITH_BARE = [*(f"list_sorted_{key}" for key in listing.SORTS), "list_stage", "board"]
RAW = ["raw_list", "raw_list_decrypted", "raw_deep", "raw_deep_decrypted", *(f"bare_{n}" for n in WITH_BARE)]
TWINS = {"list_page": "raw_list", "api_list": "raw_list", "api_deep": "raw_deep"}
FIGURES = r"p50=\d+\.\dms p95=\d+\.\dms p99=\d+\.\dms non2xx=(\d+) errors=(\d+) rounds=[\d.]+,[\d.]+,[\d.]+"
MEASURED = re.compile(rf"^http (\w+): (ours|raw)=(\d+\.\d) req/s {FIGURES}(.*)$")
TWIN = re.compile(
    r"^ raw=(\d+\.\d) req/s ratio=(\d+\.\d\d) raw_decrypted=(\d+\.\d) req/s ratio_decrypted=(\d+\.\d\d)$"
)
BARE = re.compile(r"^ bare=(\d+\.\d) req/s ratio_bare=(\d+\.\d\d) target<=20$")


def require_wrk() -> None:
    if shutil.which("wrk"):
        return
    message = "wrk is not installed (apt-get install wrk); .ci/run installs it"
    if os.environ.get("LOYAL_REQUIRE_WRK") == "1":
        pytest.fail(message)
    pytest.skip(message)


def bench_processes() -> list[int]:
    """Processes started by this one's bench run: they carry its pid in BENCH_HTTP_OWNER."""
    mark = f"BENCH_HTTP_OWNER={os.getpid()}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def children() -> set[int]:
    found = set()
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.add(int(entry.parent.name))
    return found


@pytest.mark.skipif(not ON_POSTGRESQL, reason="bench --http runs on PostgreSQL only (CI sets DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_every_case_answers_without_error_and_the_run_leaves_nothing_behind():
    require_wrk()
    before = children()
    out = StringIO()

    call_command("bench", http=True, rows=2000, http_seconds=1, http_workers=2, stdout=out)

    lines = [line for line in out.getvalue().splitlines() if line.startswith("http ")]
    named = {line.split(":")[0].removeprefix("http "): line for line in lines}
    assert list(named) == ["fill", *CASES, *NOT_BUILT, *RAW], lines
    assert re.match(r"^http fill: seconds=\d+\.\d rows=2000 visible=\d+$", named["fill"])
    for name in NOT_BUILT:
        assert named[name] == f"http {name}: skipped (not built yet)"
    for name in [*CASES, *RAW]:
        found = MEASURED.match(named[name])
        assert found, named[name]
        assert found.group(2) == ("raw" if name in RAW else "ours")
        assert float(found.group(3)) > 0, named[name]
        assert found.group(4) == found.group(5) == "0", named[name]
        twins = found.group(6)
        if name in TWINS:
            assert TWIN.match(twins), named[name]
        elif name in WITH_BARE:
            assert BARE.match(twins), named[name]
            assert float(BARE.match(twins).group(1)) > 0, named[name]
        else:
            assert twins == "", named[name]
    assert bench_processes() == []
    assert children() <= before
    assert connection.settings_dict["NAME"] == settings.DATABASES["default"]["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s",
            [f"{connection.settings_dict['NAME']}_bench_{os.getpid()}"],
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.skipif(ON_POSTGRESQL, reason="the refusal is SQLite's")
@pytest.mark.django_db
def test_refuses_sqlite_with_the_reason():
    with pytest.raises(CommandError, match="bench --http needs PostgreSQL"):
        call_command("bench", http=True, rows=10, stdout=StringIO())
