"""The product served as its image serves it, its raw twin beside it, and a logged-in client.

``production_env`` is this process's environment with production's settings instead of its
own, as tests/crm/test_settings.py builds it: DEBUG off, fresh secrets (the ones the bench
data were encrypted and indexed with), an allowed host, the bench database. ``static_files``
runs the image's ``collectstatic`` step (LOYAL_STATIC_BUILD=1, no secret) into the checkout's
staticfiles/, unless its manifest is newer than every source file. ``start`` runs the
Dockerfile's CMD (gunicorn, gunicorn.conf.py read from the checkout, ``crm.wsgi:application``)
on a loopback port with N workers (and a control socket of its own), in a process group of its
own; ``stop`` ends the group.
"""

import contextlib
import functools
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from cryptography.fernet import Fernet
from django.conf import settings

HOST = "loyal.example"
# Variables of this process that would change what the production settings read.
LOCAL_VARIABLES = ("DEBUG", "SECRET_KEY", "LOYAL_", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")
# Every process the HTTP case starts carries this, so that a test can find any left behind.
OWNER = "BENCH_HTTP_OWNER"
DEFAULT_CMD = ["gunicorn", "crm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
APP = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")  # module:callable, not host:port
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Secrets:
    secret_key: str
    encryption_keys: str
    blind_index_key: str

    @classmethod
    def fresh(cls) -> "Secrets":
        return cls(secrets.token_urlsafe(64), Fernet.generate_key().decode(), secrets.token_hex(32))


def base_dir() -> Path:
    return Path(settings.BASE_DIR)


def owner_env() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(LOCAL_VARIABLES)}
    env[OWNER] = str(os.getpid())
    return env


def production_env(keys: Secrets, *, database_url: str, var_dir: Path) -> dict[str, str]:
    return owner_env() | {
        "DEBUG": "0",
        "SECRET_KEY": keys.secret_key,
        "LOYAL_ENCRYPTION_KEYS": keys.encryption_keys,
        "LOYAL_BLIND_INDEX_KEY": keys.blind_index_key,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "LOYAL_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "crm.settings",
    }


def static_files(var_dir: Path) -> str:
    """Build the static files as the image does, or reuse them; says which."""
    root = base_dir()
    manifest = root / "staticfiles" / "staticfiles.json"
    sources = [Path(folder) for folder in settings.STATICFILES_DIRS] + list(root.glob("*/static"))
    newest = max((p.stat().st_mtime for d in sources for p in Path(d).rglob("*") if p.is_file()), default=0)
    if manifest.is_file() and manifest.stat().st_mtime >= newest:
        return "reused"
    env = owner_env() | {"LOYAL_STATIC_BUILD": "1", "LOYAL_VAR_DIR": str(var_dir)}
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"collectstatic failed: {done.stderr.strip()[-500:]}")
    return "built"


def image_command() -> list[str]:
    """The Dockerfile's CMD (what the container runs), or gunicorn's line as it was written."""
    dockerfile = base_dir() / "Dockerfile"
    if dockerfile.is_file():
        for line in dockerfile.read_text().splitlines():
            if line.startswith("CMD "):
                return json.loads(line[4:])
    return list(DEFAULT_CMD)


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start(
    name: str,
    app: str,
    *,
    health: str,
    env: dict[str, str],
    workers: int,
    log_dir: Path,
    options: dict[str, str] | None = None,
) -> Server:
    """The image's command with ``app``, on a loopback port, ``workers`` workers and any further
    gunicorn ``options`` (``{"--timeout": "30"}``); waits until it answers."""
    command = image_command()
    if command[0] != "gunicorn":
        raise RuntimeError(f"the image runs {command[0]}, not gunicorn: bench.serve needs updating")
    command[0] = str(Path(sys.executable).with_name("gunicorn"))
    port = _free_port()
    command = [app if APP.fullmatch(part) else part for part in command]
    command = _set(command, "--bind", f"127.0.0.1:{port}")
    command = _set(command, "--workers", str(workers))
    for option, value in (options or {}).items():
        command = _set(command, option, value)
    if _has_control_socket(command[0]):
        # Gunicorn 27's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl):
        # each server gets its own, so that neither takes over another gunicorn's.
        command = _set(command, "--control-socket", str(log_dir / f"{name}.ctl"))
    log = log_dir / f"{name}.log"
    with open(log, "wb") as output:
        # The image's own command line, from the checkout's Dockerfile.
        process = subprocess.Popen(  # noqa: S603
            command, cwd=base_dir(), env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, port, process, log)
    try:
        _wait_until_up(server, health)
    except BaseException:
        stop(server)
        raise
    return server


@functools.cache
def _has_control_socket(gunicorn: str) -> bool:
    shown = subprocess.run([gunicorn, "--help"], capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    return "--control-socket" in shown.stdout


def _set(command: list[str], option: str, value: str) -> list[str]:
    if option in command:
        command = list(command)
        command[command.index(option) + 1] = value
        return command
    return [*command, option, value]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(server: Server, path: str, *, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited ({server.process.returncode}): {tail(server.log)}")
        with contextlib.suppress(OSError):
            status, _headers, _body = Client(server.port).request("GET", path)
            if status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer {path} in {seconds:.0f} s: {tail(server.log)}")


def stop(server: Server, *, grace: float = 15) -> None:
    """End the server's whole process group: TERM, then KILL what is left after ``grace`` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=grace)
    # The workers too, if the master died before them.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=5)


def tail(log: Path, size: int = 600) -> str:
    try:
        return " ".join(log.read_text(errors="replace")[-size:].split())
    except OSError:
        return ""


class Client:
    """HTTP to a loopback port as the TLS proxy in front of the image speaks (X-Forwarded-Proto)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def headers(self) -> dict[str, str]:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def request(self, method: str, path: str, *, form: dict | None = None, timeout: float = 60):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = self.headers() | {"Referer": f"https://{HOST}{path}"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                parsed = SimpleCookie()
                parsed.load(cookie)
                for name, morsel in parsed.items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, content
        finally:
            connection.close()

    def log_in(self, username: str, password: str) -> None:
        """The login form, its CSRF token, then a page behind the login."""
        status, _headers, page = self.request("GET", "/accounts/login/")
        token = CSRF.search(page.decode(errors="replace"))
        if status != 200 or token is None:
            raise RuntimeError(f"the login page answered {status} without a CSRF token")
        form = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        status, headers, _page = self.request("POST", "/accounts/login/", form=form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"logging in answered {status} (to {headers.get('Location')}), no session")
