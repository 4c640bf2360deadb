"""The whole run's log lines, checked for personal data and secrets (issue 9: hardening).

For the length of the session a handler on the root logger, at DEBUG, formats every record
as production does (``crm.logging``'s JSON lines, context and redaction filters) and looks
in each line for an e-mail address, a phone number, a password of the tests or the demo, an
API token, session key or second-factor key created during the run, or a signed link. Any
finding fails the run; the summary names the test, the logger and the line, with each
finding replaced by its kind. Lines the redaction filter had to mask are counted apart: they
pass, but they say which code hands personal data to a logger.

Loggers that production pins above DEBUG (``django``, ``axes``, ``django.db.backends``) stay
there: the run checks what production would write, in more detail than production writes.
Under pytest-xdist each worker checks its own lines and the controller adds them up.
"""

import json
import logging
import re
from collections import Counter

import pytest

# Written apart from crm.logging's patterns, so that a gap in those is not repeated here.
FINDINGS = {
    "email": re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+"),
    "phone": re.compile(r"(?<![\w+])\+\d(?:[ .-]?\d){7,14}(?!\d)|(?<![\w.+-])0[1-9](?:[ .-]?\d\d){4}(?!\w)"),
    "signed link": re.compile(r"/u/[\w-]+/(?!\[redacted\])[^/\s\"]+|:[\w-]{43}(?![\w-])"),
}
MAX_SHOWN = 30


class Guard(logging.Handler):
    """Formats and inspects every record it is handed, and keeps the lines that leak."""

    def __init__(self):
        from crm.logging import ContextFilter, JsonLinesFormatter, RedactionFilter

        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonLinesFormatter())
        self.addFilter(ContextFilter())
        self.addFilter(RedactionFilter())
        self.secrets: dict[str, str] = {}  # value -> what it is
        self.checked = 0
        self.test = "(between tests)"
        self.leaks: list[tuple[str, str, str]] = []  # test, kinds, line with the findings replaced
        self.masked: Counter = Counter()  # logger -> lines the redaction filter had to mask

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        self.checked += 1
        if getattr(record, "redacted", False):
            self.masked[record.name] += 1
        kinds, shown = find(line, self.secrets)
        if kinds:
            self.leaks.append((self.test, ", ".join(sorted(kinds)), shown))

    def attach(self) -> None:
        """On the root, at DEBUG; again if a test configured logging afresh and dropped it."""
        root = logging.getLogger()
        if self not in root.handlers:
            root.addHandler(self)
        root.setLevel(logging.DEBUG)

    def summary(self) -> dict:
        return {"checked": self.checked, "leaks": self.leaks, "masked": dict(self.masked)}

    def add(self, summary: dict) -> None:
        self.checked += summary["checked"]
        self.leaks.extend(tuple(leak) for leak in summary["leaks"])
        self.masked.update(summary["masked"])


def find(line: str, secrets: dict[str, str]) -> tuple[set[str], str]:
    """What ``line`` gives away, and the line with each finding replaced by its kind."""
    kinds, shown = set(), line
    for value, kind in secrets.items():
        if value and value in shown:
            kinds.add(kind)
            shown = shown.replace(value, f"<{kind}>")
    for kind, pattern in FINDINGS.items():
        shown, count = pattern.subn(f"<{kind}>", shown)
        if count:
            kinds.add(kind)
    return kinds, shown


def collect_secrets(guard: Guard) -> None:
    """The passwords in use, and every token, session key and TOTP key the run creates."""
    from django.contrib.sessions.models import Session
    from django.db.models.signals import post_save
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    from crm.demo import DEMO_USERS
    from tests import factories

    guard.secrets[factories.PASSWORD] = "password"
    guard.secrets.update((demo.password, "password") for demo in DEMO_USERS)
    for model, attribute, kind in (
        (Token, "key", "API token"),
        (Session, "session_key", "session key"),
        (TOTPDevice, "key", "second-factor key"),
    ):

        def saved(sender, instance, attribute=attribute, kind=kind, **kwargs):
            guard.secrets[getattr(instance, attribute)] = kind

        post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"log_guard.{model.__name__}")


_guard: Guard | None = None


def pytest_sessionstart(session):
    global _guard
    _guard = Guard()
    collect_secrets(_guard)
    _guard.attach()


def pytest_runtest_logstart(nodeid, location):
    if _guard is not None:
        _guard.test = nodeid
        _guard.attach()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    if _guard is None:
        return
    logging.getLogger().removeHandler(_guard)
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # An xdist worker: the controller reports.
        workeroutput["log_guard"] = json.dumps(_guard.summary())
    elif _guard.leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist's controller, before its own session ends: add up a worker's lines."""
    summary = getattr(node, "workeroutput", {}).get("log_guard")
    if _guard is not None and summary is not None:
        _guard.add(json.loads(summary))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _guard is None or getattr(config, "workeroutput", None) is not None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("log guard")
    write(f"{_guard.checked} log lines checked at DEBUG, formatted as in production.")
    if _guard.masked:
        loggers = ", ".join(f"{name} ({count})" for name, count in _guard.masked.most_common())
        write(f"Lines the redaction filter masked, by logger: {loggers}")
    if not _guard.leaks:
        write("No e-mail address, phone number, password, token or signed link in any line.", green=True)
        return
    write(f"{len(_guard.leaks)} lines give personal data or a secret away:", red=True, bold=True)
    for test, kinds, line in _guard.leaks[:MAX_SHOWN]:
        write(f"  {test}: {kinds}\n    {line}", red=True)
    if len(_guard.leaks) > MAX_SHOWN:
        write(f"  … and {len(_guard.leaks) - MAX_SHOWN} more")
