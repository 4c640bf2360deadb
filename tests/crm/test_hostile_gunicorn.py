"""Hostile import files against the product as production runs it: a real gunicorn (2 sync
workers, 30 s timeout, DEBUG off, fresh secrets) and a real Celery worker, on a database
shared with the test.

A rep logs in through the form with its CSRF token, as a browser does, and uploads a CSV of
100,000 columns and a workbook of 3 million shared strings: the web workers only store them,
the Celery worker reads them and the job page ends with a refusal naming the limit, while
``/health/`` answers 200 within a second throughout. A 60 MB body is answered 413 and leaves
no file in the import folder or the temporary folder (prospects/import_uploads.py).
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from bench import serve
from tests import factories
from tests.prospects.hostile_files import shared_strings_workbook, wide_csv

pytestmark = [pytest.mark.slow, pytest.mark.worker]

PASSWORD = "hostile-rep-password-2026"
HEALTH_SECONDS = 1.0
JOB = re.compile(r"^/prospects/import/(\d+)/$")


class Health(threading.Thread):
    """Asks ``/health/`` again and again until stopped; keeps each answer's status and duration."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.answers: list[tuple[int, float]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            started = time.monotonic()
            connection = HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                connection.request("GET", "/health/")
                status = connection.getresponse().status
            except OSError:
                status = 0
            finally:
                connection.close()
            self.answers.append((status, time.monotonic() - started))
            self.stopped.wait(0.05)

    def slow_or_failed(self) -> list[tuple[int, float]]:
        return [
            (status, seconds)
            for status, seconds in self.answers
            if status != 200 or seconds >= HEALTH_SECONDS
        ]


def _multipart(fields: dict[str, str], file_name: str, size: int, chunks) -> tuple[str, int, object]:
    """A multipart body streamed from ``chunks`` (``size`` bytes of file), with its length."""
    boundary = uuid.uuid4().hex
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head.encode()
        yield from chunks
        yield tail

    return f"multipart/form-data; boundary={boundary}", len(head.encode()) + size + len(tail), body()


def _upload(client: serve.Client, file_name: str, size: int, chunks) -> tuple[int, str, str]:
    """The import form as a browser posts it: its CSRF token, the provenance, the file."""
    status, _headers, page = client.request("GET", "/prospects/import/")
    assert status == 200, page[:500]
    token = serve.CSRF.search(page.decode()).group(1)
    evidence = {f"evidence_{key}": value for key, value in factories.EVIDENCE["broker"].items()}
    fields = {"csrfmiddlewaretoken": token, "source_type": "broker", **evidence}
    content_type, length, body = _multipart(fields, file_name, size, chunks)
    connection = HTTPConnection("127.0.0.1", client.port, timeout=60)
    headers = client.headers() | {
        "Referer": f"https://{serve.HOST}/prospects/import/",
        "Content-Type": content_type,
        "Content-Length": str(length),
    }
    try:
        connection.request("POST", "/prospects/import/", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers.get("Location", ""), response.read().decode(errors="replace")
    finally:
        connection.close()


def _upload_file(client: serve.Client, path: Path) -> str:
    """Upload ``path``; the job page it is sent to."""
    content = path.read_bytes()
    status, location, page = _upload(client, path.name, len(content), [content])
    assert status == 302 and JOB.match(location), (status, page[-2000:])
    return location


def _wait_for_refusal(client: serve.Client, job_page: str, *, timeout: float = 45) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _headers, page = client.request("GET", job_page)
        text = page.decode(errors="replace")
        assert status == 200, text[-1000:]
        if 'class="bad" role="alert"' in text:
            return text
        time.sleep(0.3)
    raise AssertionError(f"{job_page} shows no refusal after {timeout:.0f} s")


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    celery = str(Path(sys.executable).with_name("celery"))
    command = [celery, "-A", "crm", "--quiet", "worker", "--pool=solo", "--without-gossip"]
    command += ["--without-mingle", "--without-heartbeat", "-n", f"hostile-{os.getpid()}@%h"]
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=serve.base_dir(),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_hostile_files_are_refused_by_the_worker_while_gunicorn_keeps_answering(shared_database, tmp_path):
    url, share, _take_back = shared_database
    rep = factories.user(role="sales", username="hostile-rep")
    rep.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    rep.save(update_fields=["password"])
    share()
    wide = wide_csv(tmp_path / "wide.csv", columns=100_000)
    strings = shared_strings_workbook(tmp_path / "strings.xlsx", strings=3_000_000)
    var_dir, uploads = tmp_path / "var", tmp_path / "uploads"
    var_dir.mkdir()
    uploads.mkdir()
    serve.static_files(var_dir)
    env = serve.production_env(serve.Secrets.fresh(), database_url=url, var_dir=var_dir)
    # The embedded file-system broker under var_dir, shared by gunicorn and the worker alone;
    # TMPDIR: where Django would spool an upload it accepted.
    env = {name: value for name, value in env.items() if name != "REDIS_URL"} | {
        "TMPDIR": str(uploads),
        "LOG_FORMAT": "plain",
    }
    worker = _worker(env, tmp_path / "worker.log")
    server = serve.start(
        "hostile", "crm.wsgi:application", health="/health/", env=env, workers=2, log_dir=tmp_path,
        options={"--worker-class": "sync", "--timeout": "30"},
    )  # fmt: skip
    health = Health(server.port)
    try:
        client = serve.Client(server.port)
        client.log_in("hostile-rep", PASSWORD)
        health.start()

        wide_page = _wait_for_refusal(client, _upload_file(client, wide))
        strings_page = _wait_for_refusal(client, _upload_file(client, strings))
        megabyte = b"x" * (1024 * 1024)
        status, _location, big_page = _upload(client, "big.csv", 60 * len(megabyte), [megabyte] * 60)
        health.stopped.set()
        health.join(timeout=15)
    finally:
        health.stopped.set()
        serve.stop(server)
        _stop(worker)

    assert "Line 1 has more than 200 columns" in wide_page
    assert "more than 1000000 distinct texts (shared strings)" in strings_page
    assert status == 413
    assert "The file is larger than 50 MB, the largest an import accepts." in big_page
    assert _files_under(var_dir / "media" / "imports") == []  # the two refused files deleted too
    assert _files_under(uploads) == []
    # The worker read both files: the web workers only stored them.
    worker_log = (tmp_path / "worker.log").read_text(errors="replace")
    assert worker_log.count("prospects.tasks.inspect_import") >= 2, worker_log[-2000:]
    assert len(health.answers) >= 20
    assert health.slow_or_failed() == [], health.slow_or_failed()
