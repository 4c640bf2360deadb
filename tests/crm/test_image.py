"""The production image, built as its Dockerfile says and run as it runs, serves every page.

There is no Docker engine here, so the test follows the recipe's steps outside it: the files
`COPY . .` takes (less .dockerignore), a fresh virtual environment installed by the recipe's
own `pip install` line, its `collectstatic` line with its environment, then the recipe's
gunicorn command with DEBUG off and real secrets. Every page a crawl of each role reaches
must answer without a server error.
"""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.conf import settings
from django_otp.oath import totp

from tests.crm.test_settings import production_env

ROOT = Path(settings.BASE_DIR)
DOCKERFILE = ROOT / "Dockerfile"
HOST = "loyal.example"
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|_KEYS?\b|TOKEN", re.IGNORECASE)
# Steps of the recipe that set up the container's own user and folders, not the application.
SYSTEM_STEPS = ("useradd", "mkdir", "chown")
PAGES_PER_ROLE = 120

pytestmark = pytest.mark.slow


def recipe() -> dict:
    """The Dockerfile's ENV variables, RUN commands and CMD."""
    lines = re.sub(r"\\\n", " ", DOCKERFILE.read_text()).splitlines()
    steps = [line.split(None, 1) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    env, runs, cmd = {}, [], None
    for instruction, argument in steps:
        if instruction == "ENV":
            env |= dict(pair.split("=", 1) for pair in shlex.split(argument))
        elif instruction == "RUN":
            runs.append(argument.strip())
        elif instruction == "CMD":
            cmd = json.loads(argument)
    return {"env": env, "runs": runs, "cmd": cmd}


def test_the_recipe_sets_no_secret_and_no_debug():
    steps = recipe()
    written = " ".join([*steps["env"], *steps["runs"]])

    assert not [name for name in steps["env"] if SECRET_NAMES.search(name)]
    assert not re.search(r"\b(SECRET_KEY|LOYAL_ENCRYPTION_KEYS|LOYAL_BLIND_INDEX_KEY|DEBUG)=", written)
    assert "collectstatic" in written


def test_the_static_build_flag_serves_nothing_but_collectstatic(tmp_path):
    env = {k: v for k, v in production_env(tmp_path).items() if k != "SECRET_KEY"}
    env["LOYAL_STATIC_BUILD"] = "1"

    served = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env, capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
    )  # fmt: skip

    assert served.returncode != 0
    assert "LOYAL_STATIC_BUILD is for `manage.py collectstatic`" in served.stderr


def copy_build_context(target: Path) -> None:
    """What `COPY . .` puts in the image: the checkout's files less .dockerignore's patterns."""
    ignored = [p.strip().rstrip("/") for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip()]
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    for name in listed:
        if any(fnmatch(name, p) or name.startswith(f"{p}/") for p in ignored) or not (ROOT / name).is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = attrs.get("value", "")


class Browser:
    """A client speaking to the image as the TLS proxy in front of it does (X-Forwarded-Proto)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Referer": f"https://{HOST}{path}"}
        response = requests.request(
            method, self.base + path, headers=headers, cookies=self.cookies, allow_redirects=False,
            timeout=30, **kwargs,
        )  # fmt: skip
        self.cookies |= response.cookies.get_dict()
        return response

    def post_form(self, path: str, data: dict) -> requests.Response:
        page = Links()
        page.feed(self.request("GET", path).text)
        return self.request("POST", path, data={"csrfmiddlewaretoken": page.csrf, **data})


SEED = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.contrib.auth import get_user_model
from crm import demo
from org import conduct
from org.models import CodeOfConduct
demo.seed()
User = get_user_model()
conduct.acknowledge(User.objects.get(username="rep"), conduct=CodeOfConduct.objects.current())
for name in ("dpo", "admin"):
    device = TOTPDevice.objects.create(user=User.objects.get(username=name), name="app", confirmed=True)
    print(name, device.key)
"""


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The application built by the recipe's steps and served by its CMD; yields its address."""
    tmp = tmp_path_factory.mktemp("image")
    app, venv = tmp / "app", tmp / "venv"
    copy_build_context(app)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    steps = recipe()
    env = production_env(tmp) | steps["env"] | {"LOYAL_VAR_DIR": str(tmp / "var")}
    build_env = {k: v for k, v in env.items() if not SECRET_NAMES.search(k)}
    build_env["PATH"] = f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"
    for step in steps["runs"]:
        if step.split()[0] in SYSTEM_STEPS:
            continue
        # A RUN line is a shell command (`/bin/sh -c`), written in the repository's own recipe.
        done = subprocess.run(  # noqa: S602
            step, shell=True, cwd=app, env=build_env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"RUN {step}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    run_env = env | {"PATH": build_env["PATH"], "ALLOWED_HOSTS": HOST}
    manage = [str(venv / "bin" / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=app, env=run_env, check=True, timeout=300)
    seeded = subprocess.run(
        [*manage, "shell", "-c", SEED],
        cwd=app,
        env=run_env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    keys = dict(line.split() for line in seeded.stdout.splitlines() if line.startswith(("dpo ", "admin ")))
    port = free_port()
    command = [*steps["cmd"]]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "2"
    server = subprocess.Popen(
        [str(venv / "bin" / command[0]), *command[1:]], cwd=app, env=run_env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a loaded 2-core machine boots gunicorn's workers slowly
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/health/", timeout=10)
            break
        except requests.RequestException:  # not listening yet, or too busy to answer in time
            time.sleep(0.2)
    yield {"base": base, "keys": keys, "var": tmp / "var", "app": app}
    server.terminate()
    server.wait(timeout=30)


def test_the_build_writes_the_manifest_and_no_secret_file(image):
    written = {path.name for path in image["var"].iterdir()}

    # The static files are in the image's code folder, not in the volume that outlives it.
    assert (image["app"] / "staticfiles" / "staticfiles.json").is_file()
    assert "static" not in written
    assert not written & {"secret_key", "loyal_encryption_keys", "loyal_blind_index_key"}


def log_in(browser: Browser, username: str, keys: dict[str, str]) -> None:
    password = f"loyal-{username}-demo-2026"
    answer = browser.post_form("/accounts/login/", {"username": username, "password": password})
    assert answer.status_code == 302, answer.text[:500]
    if username in keys:
        code = f"{totp(bytes.fromhex(keys[username])):06d}"
        answer = browser.post_form("/accounts/mfa/", {"code": code})
        assert answer.status_code == 302, answer.text[:500]


def crawl(browser: Browser) -> dict[str, int]:
    """Follow every same-site link from the home page, GET only, up to PAGES_PER_ROLE pages."""
    seen: dict[str, int] = {}
    queue = ["/"]
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen:
            continue
        response = browser.request("GET", path)
        seen[path] = response.status_code
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        page = Links()
        page.feed(response.text)
        for href in page.hrefs:
            parts = urlsplit(urljoin(f"https://{HOST}{path}", href))
            if parts.netloc == HOST and not parts.path.startswith(("/accounts/logout", "/static/")):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_anonymous_pages_and_static_files_are_served(image):
    browser = Browser(image["base"])

    login = browser.request("GET", "/accounts/login/")
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', login.text)
    static = [browser.request("GET", path) for path in stylesheets]

    assert login.status_code == 200
    assert stylesheets and all(re.search(r"\.[0-9a-f]{12}\.css$", path) for path in stylesheets)
    assert [response.status_code for response in static] == [200] * len(static)
    assert browser.request("GET", "/privacy/").status_code == 200


@pytest.mark.parametrize("username", ["rep", "dpo", "admin"])
def test_every_page_each_role_reaches_answers_without_a_server_error(image, username):
    browser = Browser(image["base"])
    log_in(browser, username, image["keys"])

    seen = crawl(browser)

    assert len(seen) >= 10, seen
    assert {path: status for path, status in seen.items() if status >= 500} == {}
    assert seen["/"] == 200
