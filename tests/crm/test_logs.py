"""Logs name no one: JSON lines, and no address, phone number, password, token or signed link.

A journey through the whole app is logged at DEBUG as production writes it, and nothing of
what the journey typed, received or was given may show up; the web server and the worker,
started as in production, write JSON lines through the same filters (issue 9; docs/design.md: GDPR
changes are recorded "without copying personal data into logs").
"""

import inspect
import io
import json
import logging
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from celery import Celery
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from consent import links
from crm.celery import app
from crm.logging import ContextFilter, JsonLinesFormatter, RedactionFilter, redact
from outreach import sending
from outreach.models import Message, MessageStatus
from prospects.identity import blind_index
from prospects.models import Prospect
from registry import requests
from tests import factories
from tests.log_guard import find
from tests.outreach.conftest import informed

pytestmark = pytest.mark.django_db

FIELDS = {"time", "level", "logger", "message"}
OUR_APPS = {"crm", "prospects", "consent", "outreach", "registry"}
EMAILS = {
    "page": "claire.moreau@acme-industrie.fr",
    "api": "luc.bernard@acme-industrie.fr",
    "sent": "ana.roux@acme-industrie.fr",
    "refused": "paul.girard@acme-industrie.fr",
    "broken": "ines.faure@acme-industrie.fr",
}
PHONES = {"page": ("06 45 67 89 12", "+33645678912"), "api": ("+33 7 81 23 45 67", "+33781234567")}
WRONG_PASSWORD = "wrong-horse-battery-staple"
NEW_PASSWORD = "another-horse-battery-staple"
PROOF = factories.CONSENT_PROOF


class PickyBackend(EmailBackend):
    """A mail server that refuses one address for now and chokes on another for good."""

    def send_messages(self, messages):
        for message in messages:
            if EMAILS["refused"] in message.to:
                raise smtplib.SMTPRecipientsRefused({EMAILS["refused"]: (450, b"mailbox busy")})
            if EMAILS["broken"] in message.to:
                raise ValueError(f'Invalid address "{EMAILS["broken"]}"')
        return super().send_messages(messages)


@pytest.fixture
def production_log():
    """Every record at DEBUG, formatted and filtered as production does; called, the lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactionFilter())
    loggers = [logging.getLogger(name) for name in ("", "django", "axes", "celery", "kombu")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    logging.getLogger().removeHandler(handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


# --- The journey -----------------------------------------------------------------------------------


def log_in(browser: Client) -> list[str]:
    """Two failures (one with an address typed as the username), then the right password."""
    browser.post("/accounts/login/", {"username": "rep", "password": WRONG_PASSWORD})
    browser.post("/accounts/login/", {"username": EMAILS["page"], "password": factories.PASSWORD})
    response = browser.post("/accounts/login/", {"username": "rep", "password": factories.PASSWORD})
    assert response.status_code == 302
    return [browser.session.session_key]


def log_prospects(browser: Client) -> tuple[Prospect, Prospect, list[str]]:
    """One prospect through the page, one through the API with a token; a refused one and an intruder."""
    evidence = {f"evidence_{name}": value for name, value in factories.EVIDENCE["business_card"].items()}
    page = browser.post(
        "/prospects/new/",
        {"first_name": "Claire", "last_name": "Moreau", "company_name": "Acme", "job_title": "Buyer"}
        | {
            "email": EMAILS["page"],
            "phone": PHONES["page"][0],
            "language": "fr",
            "source_type": "business_card",
        }
        | evidence,
    )
    browser.post("/accounts/token/")
    key = Token.objects.get(user__username="rep").key
    api, intruder = APIClient(), APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    intruder.credentials(HTTP_AUTHORIZATION=f"Token {key[::-1]}")
    body = {"first_name": "Luc", "last_name": "Bernard", "company": "Acme", "phone": PHONES["api"][0]}
    body["source"] = {"type": "business_card", **factories.EVIDENCE["business_card"]}
    created = api.post("/api/prospects/", {**body, "email": EMAILS["api"]}, format="json")
    refused = api.post("/api/prospects/", {**body, "email": "luc.bernard@", "phone": "06"}, format="json")
    unknown = intruder.get("/api/prospects/")
    pk = created.json()["id"]
    consent = api.post(f"/api/prospects/{pk}/consents/", PROOF, format="json")
    objection = api.post(
        f"/api/prospects/{pk}/objections/", {"channel": "sms", "received_via": "letter"}, format="json"
    )
    assert (page.status_code, created.status_code, refused.status_code) == (302, 201, 400)
    assert (unknown.status_code, consent.status_code, objection.status_code) == (403, 201, 201)
    return Prospect.objects.get(last_name="Moreau"), Prospect.objects.get(pk=pk), [key, key[::-1]]


def follow_links(prospect: Prospect) -> list[str]:
    """The person's unsubscribe and preference links, then a tampered one and a made-up one."""
    visitor = Client()
    unsubscribe = urlsplit(links.unsubscribe_url(prospect, "email")).path
    preferences = urlsplit(links.preferences_url(prospect)).path
    token = unsubscribe.split("/")[3]
    tampered = unsubscribe.replace(token, token[:-4] + "AAAA")
    answers = [visitor.get(unsubscribe), visitor.post(unsubscribe), visitor.get(preferences)]
    answers += [visitor.get(tampered), visitor.get(f"/u/unsubscribe/{EMAILS['page']}/")]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 400, 400]
    return [token, token[:-4] + "AAAA", preferences.split("/")[3]]


def send_campaign(rep, capture) -> None:
    """Three recipients through the worker's code: one sent, one deferred, one given up."""
    for first_name, email in (("Ana", "sent"), ("Paul", "refused"), ("Ines", "broken")):
        informed(by=rep, first_name=first_name, email=EMAILS[email])
    with capture(execute=True):
        sending.start_sending(factories.campaign(by=rep), by=rep)
    statuses = set(Message.objects.values_list("status", flat=True))
    assert {MessageStatus.SENT, MessageStatus.QUEUED, MessageStatus.FAILED} <= statuses


def exercise_rights(admin_client: Client, admin_user, prospect: Prospect) -> list[str]:
    """The administrator exports what is held about a person, then erases them."""
    exported = admin_client.post("/registry/subject-access/", {"email": EMAILS["api"]})
    intake = requests.Intake(
        kind="erasure", received_on=timezone.localdate(), channel="letter", prospect=prospect
    )
    item = requests.receive(intake, by=admin_user)
    erased = admin_client.post(f"/registry/requests/{item.pk}/execute/", {"confirm": "yes"})
    assert (exported.status_code, erased.status_code) == (200, 302)
    assert not Prospect.objects.filter(pk=prospect.pk).exists()
    return [admin_client.session.session_key]


def stray(browser: Client) -> None:
    """404s, a wrong old password, a password change, and SQL read with a debug cursor."""
    answers = [browser.get("/prospects/999999/"), browser.get(f"/prospects/{EMAILS['page']}/")]
    answers.append(browser.post("/accounts/password/", {"old_password": WRONG_PASSWORD}))
    new = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    answers.append(browser.post("/accounts/password/", {"old_password": factories.PASSWORD, **new}))
    assert [answer.status_code for answer in answers] == [404, 404, 200, 302]
    with CaptureQueriesContext(connection):  # What assertNumQueries does: SQL logged at DEBUG.
        assert Prospect.objects.filter(email_index=blind_index("email", EMAILS["page"])).exists()


def test_a_journey_through_the_app_logs_json_lines_that_give_no_one_away(
    production_log, rep, admin_client, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = f"{__name__}.PickyBackend"
    settings.LOYAL_SITE_URL = "http://testserver"
    browser = Client()

    secrets = log_in(browser)
    page_prospect, api_prospect, tokens = log_prospects(browser)
    secrets += tokens + follow_links(page_prospect)
    send_campaign(rep, django_capture_on_commit_callbacks)
    secrets += exercise_rights(admin_client, admin_user, api_prospect)
    stray(browser)

    lines = production_log()
    records = [json.loads(line) for line in lines]
    assert all(set(record) >= FIELDS for record in records)
    given = [*EMAILS.values(), *PHONES["page"], *PHONES["api"], *secrets]
    given += [factories.PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, "0645678912", "0781234567"]
    assert [line for line in lines if any(value in line for value in given)] == []
    assert [line for line in lines if find(line, {})[0]] == []
    assert [r for r in records if r.get("redacted") and r["logger"].split(".")[0] in OUR_APPS] == []
    assert_the_journey_was_logged(records, rep)


def assert_the_journey_was_logged(records: list[dict], rep) -> None:
    """The lines checked above are the journey's: failures, link errors, GDPR changes, sends."""
    messages = {(r["logger"], r["message"]) for r in records}
    axes = [r for r in records if r["logger"].startswith("axes")]
    assert any("login failure" in r["message"] for r in axes)
    clients = [r["message"] for r in axes if " by {" in r["message"]]  # Axes names the client so.
    assert clients and all('"rep"' not in text and "127.0.0.1" not in text for text in clients)
    assert not [r for r in axes if r.get("redacted")]
    assert ("django.request", "Bad Request: /u/unsubscribe/[redacted]/") in messages
    assert ("django.request", "Not Found: /prospects/[email]/") in messages
    assert {"consent.recording", "consent.objections", "outreach.sending"} <= {r["logger"] for r in records}
    [not_found] = [r for r in records if r["message"] == "Not Found: /prospects/999999/"]
    assert not_found["user_id"] == rep.pk and not_found["request_id"] and not_found["status_code"] == 404
    [consent] = [r for r in records if r["logger"] == "consent.recording"]  # Written in the rep's request.
    assert consent["user_id"] == rep.pk and consent["request_id"]
    in_task = [r for r in records if r["logger"] == "outreach.sending" and "task_id" in r]
    assert {r["task_name"] for r in in_task} == {"outreach.tasks.send_chunk"}
    assert len(in_task) == 2  # The deferred message and the one given up.
    assert not [r for r in records if r["logger"].startswith("django.db.backends")]


# --- The pieces --------------------------------------------------------------------------------------


def test_the_redaction_filter_masks_what_a_careless_call_would_write(production_log):
    careless = logging.getLogger("tests.careless")
    try:
        raise ValueError(f"no route to {EMAILS['page']}")
    except ValueError:
        careless.exception(
            "mailing %s at %s with %s",
            EMAILS["page"],
            PHONES["page"][0],
            {"password": factories.PASSWORD, "Authorization": "Token " + "ab" * 20},
        )

    [line] = production_log()

    record = json.loads(line)
    assert record["redacted"] is True
    assert (
        record["message"]
        == "mailing [email] at [phone] with {'password': '[redacted]', 'Authorization': '[redacted]'}"
    )
    assert record["exc_info"].endswith("ValueError: no route to [email]")
    assert EMAILS["page"] not in line and factories.PASSWORD not in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("to jean.dupont@acme.fr.", "to [email]."),
        ("/prospects/?q=jean.dupont%40acme.fr", "/prospects/?q=[email]"),
        ("call +33612345678 or +33 6 12 34 56 78", "call [phone] or [phone]"),
        ("call 06 12 34 56 78, 06.12.34.56.78 or 0612345678", "call [phone], [phone] or [phone]"),
        ("Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "Authorization: [redacted]"),
        ("key 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "key [redacted]"),
        ("new_password1=s3cr3t&sessionid=abc", "new_password1=[redacted]&sessionid=[redacted]"),
        (
            '"GET /u/unsubscribe/WzEsImVtYWlsIl0:1uXyZ:abc/ HTTP/1.1"',
            '"GET /u/unsubscribe/[redacted]/ HTTP/1.1"',
        ),
        ("link WzEsImVtYWlsIl0:" + "s" * 43 + " sent", "link [redacted] sent"),
    ],
)
def test_redact_masks_addresses_phones_secrets_and_signed_links(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "campaign 12: 30 messages queued by user 4",
        "request 0b7e3c1e-2f4e-4d8e-9c61-5a3f2b1d9e77 took 0.0612345678s",
        "2026-06-12T09:15:30.123+00:00 Not Found: /prospects/1234567890/",
        "CSRF token missing; password changed for user 3",
    ],
)
def test_redact_leaves_ids_times_and_durations_alone(text):
    assert redact(text) == text


def test_the_guard_finds_what_a_line_gives_away():
    line = f'{{"message": "{EMAILS["page"]} {PHONES["api"][0]} /u/join/abc/ hunter2"}}'

    kinds, shown = find(line, {"hunter2": "password"})

    assert kinds == {"email", "phone", "signed link", "password"}
    assert shown == '{"message": "<email> <phone> <signed link>/ <password>"}'


def test_every_handler_passes_the_filters_and_sql_is_never_logged_with_its_values():
    handlers = settings.LOGGING["handlers"].values()

    assert all(handler["filters"] == ["context", "redact"] for handler in handlers)
    assert logging.getLogger("django").handlers == logging.getLogger("django.server").handlers == []
    assert logging.getLogger("django.db.backends").level > logging.DEBUG


def test_the_tasks_take_ids_only():
    """Celery logs a failed task's arguments: ours never hold personal data."""
    app.autodiscover_tasks(force=True)
    ours = [task for name, task in app.tasks.items() if name.split(".")[0] in OUR_APPS]
    parameters = [p for task in ours for p in inspect.signature(task.run).parameters.values()]

    assert len(ours) >= 9
    assert all(p.annotation in (int, list[int]) and p.name.endswith(("_id", "_ids")) for p in parameters)


# --- The processes, as production starts them ----------------------------------------------------------


def start(command: list[str], tmp_path: Path, **environment) -> tuple[subprocess.Popen, Path]:
    output = tmp_path / "output.log"
    # The embedded default under tmp_path: a SQLite file and a file-system broker of its own.
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"DEBUG": "1", "LOG_FORMAT": "json", "LOYAL_VAR_DIR": str(tmp_path / "var")}
    env |= {"PYTHONWARNINGS": "ignore", **environment}
    with output.open("wb") as stream:
        process = subprocess.Popen(
            command, env=env, stdout=stream, stderr=stream, start_new_session=True, cwd=settings.BASE_DIR
        )
    return process, output


def wait_for(output: Path, text: str, process: subprocess.Popen, *, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while text not in (content := output.read_text(errors="replace")):
        if time.monotonic() > deadline or process.poll() is not None:
            raise AssertionError(f"no {text!r} in the output:\n{content[-3000:]}")
        time.sleep(0.1)
    return content


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def json_lines(content: str) -> list[dict]:
    records = [json.loads(line) for line in content.splitlines() if line.strip()]
    assert all(set(record) >= FIELDS for record in records)
    return records


def test_gunicorn_writes_json_lines_without_the_signed_link_or_the_address(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "crm.wsgi:application", "--bind", f"127.0.0.1:{port}", "--access-logfile", "-"]
    process, output = start(command, tmp_path)
    token = "WzEsImVtYWlsIl0:1uXyZ:" + "s" * 43
    try:
        wait_for(output, "Booting worker", process)
        for path in (f"/u/unsubscribe/{token}/", f"/prospects/{EMAILS['page']}/"):
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
        content = wait_for(output, "GET /prospects/[email]/ 404", process)
    finally:
        stop(process)

    records = json_lines(content)
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert [r["message"] for r in access] == [
        "GET /u/unsubscribe/[redacted]/ 400",
        "GET /prospects/[email]/ 404",
    ]
    assert all(r["request_id"] and r["status_code"] >= 400 for r in access)
    assert token not in content and EMAILS["page"] not in content


@pytest.mark.worker
def test_the_celery_worker_writes_json_lines_with_the_task_id(tmp_path):
    celery = str(Path(sys.executable).with_name("celery"))
    command = [celery, "-A", "crm", "--quiet", "worker", "--pool=solo", "--without-gossip"]
    command += ["--without-mingle", "--without-heartbeat", "-n", f"logs-{os.getpid()}@%h"]
    process, output = start(command, tmp_path, LOG_LEVEL="DEBUG")
    broker = tmp_path / "var" / "broker"
    try:
        wait_for(output, "ready.", process)
        publisher = Celery(set_as_current=False, fixups=[])
        publisher.conf.update(broker_url="filesystem://", broker_transport_options=filesystem_broker(broker))
        # A task given an address, which ours never are: its failure must not show it either.
        task_id = publisher.send_task("prospects.tasks.run_import", args=[EMAILS["page"]]).id
        content = wait_for(output, "raised unexpected", process)
    finally:
        stop(process)

    records = json_lines(content)
    [failure] = [r for r in records if "raised unexpected" in r["message"]]
    assert (failure["task_id"], failure["task_name"]) == (task_id, "prospects.tasks.run_import")
    assert failure["redacted"] is True and "[email]" in failure["exc_info"]
    assert EMAILS["page"] not in content


def filesystem_broker(folder: Path) -> dict:
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
