"""Logs without people in them: JSON lines, the request or task they belong to, and redaction.

Loyal's own code logs ids, never people (docs/design.md, "Non-negotiables": GDPR changes
are recorded "without copying personal data into logs"). What a library writes is not ours
to choose: Django writes the path of every 4xx response ("Not Found: /u/unsubscribe/<signed
token>/"), an exception's text can hold an address. ``RedactionFilter`` is the second
line, on every handler: it masks e-mail addresses, phone numbers, secrets and signed links
before anything is written, and marks the line it changed.

``settings.LOGGING`` wires these for the web process; ``crm.celery`` hands the worker the
same configuration, and ``gunicorn.conf.py`` gives gunicorn's access and error logs the
same formatter and filters.
"""

import contextvars
import logging
import re
import uuid
from datetime import UTC, datetime

from celery import current_task
from django.utils.functional import SimpleLazyObject
from pythonjsonlogger.json import JsonFormatter

# --- What is masked ------------------------------------------------------------------------------

MASK = "[redacted]"
EMAIL = re.compile(r"[\w.%+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
# E.164 (+33612345678, +33 6 12 34 56 78), its 00 form, and French national numbers
# (06 12 34 56 78, 06.12.34.56.78, 0612345678); never digits inside a longer word or number.
PHONE = re.compile(
    r"(?<![\w+])\+[1-9](?:[ .-]?\d){7,14}(?!\d)"
    r"|(?<![\w.+-])00[1-9](?:[ .-]?\d){7,13}(?!\d)"
    r"|(?<![\w.+-])0[1-9](?:[ .-]?\d{2}){4}(?!\w)"
)
SECRETS = (
    # A secret named before its value: password=…, "token": "…", Authorization: Token …,
    # Cookie: sessionid=…, csrfmiddlewaretoken=…, new_password1=….
    (
        re.compile(
            r"(?i)([\w-]*(?:passw(?:or)?d|secret|token|authorization|api[_-]?key|session[_-]?(?:id|key)|cookie)"
            r"[\w-]*['\"]?\s*[:=]\s*['\"]?)(?:(?:token|bearer|basic)\s+)?(?!\[redacted\])[^\s'\",;&)}\]]+"
        ),
        rf"\1{MASK}",
    ),
    (re.compile(r"(?i)\b(token|bearer|basic) [\w.~+/=-]{16,}"), rf"\1 {MASK}"),
    # The public pages under /u/ take their signed token in the path (consent.links).
    (re.compile(r"(/u/[\w-]+/)[^/\s'\"?#]+"), rf"\1{MASK}"),
    # Anything signed with django.core.signing: value[:timestamp]:43-character signature.
    (re.compile(r"[\w.-]*(?::[\w-]+)?:[\w-]{43}(?![\w-])"), MASK),
    # API token keys (rest_framework.authtoken): 40 hexadecimal characters.
    (re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{40}(?![0-9a-fA-F])"), MASK),
)


def redact(text: str) -> str:
    """``text`` with every secret, signed link, e-mail address and phone number masked."""
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))


class RedactionFilter(logging.Filter):
    """Masks the message, the traceback and the stack of every record (never drops one).

    The record is changed in place, for every handler after this one too: the message is
    formatted once and its arguments dropped, the traceback kept as text only. A record that
    needed masking gets ``redacted = True``, which the JSON lines show: a sign that some code
    logs what it should not.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "redaction_done", False):  # Another handler's filter has been here.
            return True
        try:
            message = record.getMessage()
        except Exception:  # A malformed call must not break the caller: log what it gave.
            message = f"{record.msg} {record.args!r}"
        if record.exc_info:
            record.exc_text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        changed = False
        for name, value in (
            ("msg", message),
            ("exc_text", record.exc_text),
            ("stack_info", record.stack_info),
        ):
            if value:
                masked = redact(str(value))
                changed = changed or masked != value
                setattr(record, name, masked)
        record.args, record.redaction_done = (), True
        if changed:
            record.redacted = True
        return True


# --- Which request or task a line belongs to -----------------------------------------------------

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("loyal_request_id", default=None)
REQUEST_ID_KEY = "loyal.request_id"


def begin_request(sender, environ: dict, **kwargs) -> None:
    """``request_started``: give the request an id, the proxy's own when it sent a UUID."""
    try:
        request_id = str(uuid.UUID(environ.get("HTTP_X_REQUEST_ID", "")))
    except ValueError:
        request_id = str(uuid.uuid4())
    environ[REQUEST_ID_KEY] = request_id  # Read back by gunicorn's access line (gunicorn.conf.py).
    _request_id.set(request_id)


_request: contextvars.ContextVar = contextvars.ContextVar("loyal_request", default=None)


def request_context_middleware(get_response):
    """Every line logged while a request is served names its user's id, whoever logs it."""

    def middleware(request):
        token = _request.set(request)
        try:
            return get_response(request)
        finally:
            _request.reset(token)

    return middleware


def end_request(sender, **kwargs) -> None:
    """``request_finished``: lines logged between requests belong to none."""
    _request_id.set(None)


def _user_id(request) -> int | None:
    """The id of the user the request was already authenticated as; never authenticates itself."""
    attributes = getattr(request, "__dict__", {})
    user = attributes.get("user")  # DRF sets the user it authenticated here.
    if isinstance(user, SimpleLazyObject):  # AuthenticationMiddleware's, filled once read.
        user = attributes.get("_cached_user")
    return user.pk if getattr(user, "is_authenticated", False) else None


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` in a request, ``task_id`` and ``task_name`` in a task."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = _request_id.get()
        # django.request and django.security pass the request; other lines take the one being served.
        request = getattr(record, "request", None) or _request.get()
        if getattr(record, "user_id", None) is None and request is not None:
            record.user_id = _user_id(request)
        task = current_task
        if task and getattr(record, "task_id", None) is None:
            record.task_id, record.task_name = task.request.id, task.name
        return True


# --- JSON lines ----------------------------------------------------------------------------------

CONTEXT = ("request_id", "user_id", "task_id", "task_name", "status_code", "duration", "redacted")


class JsonLinesFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, then the context it has.

    Only these fields are written: whatever else a caller passes in ``extra`` (Django's
    request object, the SQL logger's parameters, Celery's task arguments) stays out.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, json_ensure_ascii=False, **kwargs)

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        for name in CONTEXT:
            value = getattr(record, name, None)
            if value is not None:
                log_data[name] = value
        for name in ("exc_info", "stack_info"):
            if message_dict.get(name):
                log_data[name] = message_dict[name]
