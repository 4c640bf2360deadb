"""The import's peak memory: ``import_prospects`` in a process of its own, its maximum RSS.

The file is streamed and staged in chunks, so the peak should not grow with the file:
the issue's bound is 200 MB for a million rows. The command's own ``ru_maxrss`` is read
with ``os.wait4`` by a small launcher process, so neither the suite's other children nor
the suite's own memory (which a child forked from it inherits) count.
"""

import os
import subprocess
import sys

from django.conf import settings

from bench import data
from bench.database import current

TARGET_MB = 200


def run(rows: int) -> float:
    """Peak resident memory of the import of a ``rows``-line file, in MB."""
    path = data.import_file(rows, tag="m")  # nobody in it is in the base yet
    rep = data.bench_rep()
    command = [
        sys.executable,
        str(settings.BASE_DIR / "manage.py"),
        "import_prospects",
        str(path),
        "--source",
        "broker",
        "--owner",
        rep.username,
        "--language",  # the bench file has no language column
        "fr",
        "--evidence",
        *[f"{key}={value}" for key, value in data.EVIDENCE.items()],
    ]
    environment = {**os.environ, "DATABASE_URL": current().url}
    # The command is started by a small interpreter of its own: a child forked straight
    # from this (large) process would report this process's resident size as its peak.
    launcher = [sys.executable, "-c", LAUNCHER, *command]
    result = subprocess.run(launcher, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"import_prospects failed: {result.stderr[-2000:]}")
    return int(result.stdout.split()[-1]) / 1024  # ru_maxrss is in kilobytes on Linux


# Runs the command given as arguments, then prints its peak resident size (ru_maxrss).
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_pid, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""
