"""The load generator of the HTTP case: Debian's ``wrk``, bounded, read through a Lua script.

``wrk -t2 -c8 -d<seconds>s --timeout 35s`` with the given headers; the script counts every
answer outside 2xx (wrk itself counts only those from 400 up) and prints, once done, the
number of requests, the duration, the socket errors and the 50th, 95th and 99th latency
percentiles (``--latency`` prints no 95th). The timeout is above gunicorn's 30-second worker
timeout, so that a slow page is measured as slow instead of counted as an error.
"""

import json
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

THREADS = 2
CONNECTIONS = 8
TIMEOUT = "35s"
MARK = "BENCH_WRK "
SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"non2xx": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    "MARK", summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    bad, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
""".replace("MARK", MARK)


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    non2xx: int
    errors: int  # connect, read, write and timeout errors
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def available() -> bool:
    return shutil.which("wrk") is not None


def script(folder: Path) -> Path:
    path = folder / "bench-wrk.lua"
    path.write_text(SCRIPT)
    return path


def run(url: str, *, seconds: int, headers: dict[str, str], lua: Path, env: dict[str, str]) -> Run:
    """One bounded wrk run against ``url``; its process group is killed if anything goes wrong."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", TIMEOUT]
    command += ["-s", str(lua)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    process = subprocess.Popen(  # noqa: S603 wrk from PATH, with our own arguments
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        out, err = process.communicate(timeout=seconds + 60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    found = [line for line in out.splitlines() if line.startswith(MARK)]
    if process.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({process.returncode}): {(err or out).strip()[-300:]}")
    figures = json.loads(found[-1][len(MARK) :])
    return Run(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        non2xx=figures["non2xx"],
        errors=sum(figures[key] for key in ("connect", "read", "write", "timeout")),
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
    )
