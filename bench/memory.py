"""The import's peak memory: ``import_prospects`` in a process of its own, its maximum RSS.

The file is streamed and staged in chunks, so the peak should not grow with the file:
the issue's bound is 200 MB for a million rows. The child's own ``ru_maxrss`` is read
with ``os.wait4``, so no other child process of the suite counts.
"""

import os
import subprocess
import sys
import tempfile

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
        "--evidence",
        *[f"{key}={value}" for key, value in data.EVIDENCE.items()],
    ]
    environment = {**os.environ, "DATABASE_URL": current().url}
    with tempfile.TemporaryFile() as errors:
        # The command line is this project's manage.py with the bench's own arguments.
        child = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=errors)  # noqa: S603
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"import_prospects failed: {errors.read().decode()[-2000:]}")
    return usage.ru_maxrss / 1024  # kilobytes on Linux
