"""The raw twin of the prospect list: a bare WSGI function over one psycopg connection.

Served by the same gunicorn binary as the product, with the same configuration and number
of workers (bench.http), it answers the query the list page and the API run for the bench
rep, nothing more: no middleware, no session, no role or conduct check, no ORM, no template.
Each worker keeps one connection (autocommit), opened at its first request.

- ``/raw/prospects/``: the page query (the rep's team, newest first, 51 rows, the same
  columns as the ORM's ``select_related("company", "owner")``) and the API's second query
  (the sources of those rows), as JSON shaped like the API's page. The email and phone go
  out as stored: Fernet tokens.
- ``/raw/prospects/decrypted/``: the same, with the email and the phone decrypted, as the
  ORM does for every row it loads (``EncryptedTextField.from_db_value``).
- ``?cursor=``: a page further down, in the list's cursor format (base64 of
  ``<created_at ISO>|<id>``, prospects.listing.encode_cursor); the answer's ``next`` uses it too.

- ``/raw/bare/<case>/``: the bare query of a page (bench.bare): the statements the product
  ran to load that page's rows, replayed as they were sent (client-side binding, as Django's
  psycopg backend does), their rows as JSON (each row's id and columns), nothing else.

Environment: ``BENCH_RAW_DATABASE`` (a libpq URL), ``BENCH_RAW_USER`` (the rep's user id),
``LOYAL_ENCRYPTION_KEYS`` (the product's keys, comma-separated), ``BENCH_RAW_QUERIES`` (the
file of bench.bare.capture). It imports no Django.
"""

import base64
import binascii
import json
import os
from datetime import date, datetime
from urllib.parse import parse_qs, quote

import psycopg
from cryptography.fernet import Fernet, MultiFernet

PROSPECT_COLUMNS = (
    "id", "first_name", "last_name", "job_title", "company_id", "email", "email_index", "phone",
    "phone_index", "linkedin_url", "linkedin_index", "language", "audience", "audience_justification",
    "owner_id", "team_id", "collected_at", "last_prospect_contact_at", "retention_until",
    "legal_hold_until", "legal_hold_reason", "legal_hold_placed_by_id", "legal_hold_placed_at",
    "is_customer", "customer_relationship_ended_at", "restricted_at", "created_at", "updated_at",
    "retention_warned_for",
)  # fmt: skip
COMPANY_COLUMNS = ("id", "name", "domain", "created_at")
USER_COLUMNS = (
    "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
    "is_staff", "is_active", "date_joined",
)  # fmt: skip
# The columns and the shape of the SQL the ORM writes for the page (prospects.listing.page over
# Prospect.objects.visible_to(rep).select_related("company", "owner")).
SELECTED = [
    *(f"p.{c}" for c in PROSPECT_COLUMNS),
    *(f"c.{c}" for c in COMPANY_COLUMNS),
    *(f"u.{c}" for c in USER_COLUMNS),
]
PAGE = (
    f"SELECT {', '.join(SELECTED)}"
    " FROM prospects_prospect p LEFT OUTER JOIN prospects_company c ON p.company_id = c.id"
    " INNER JOIN auth_user u ON p.owner_id = u.id"
    " WHERE p.team_id = (SELECT team_id FROM org_profile WHERE user_id = %s LIMIT 1) {after}"
    " ORDER BY p.created_at DESC, p.id DESC LIMIT 51"
)
AFTER = "AND (p.created_at, p.id) < (%s, %s)"
SOURCES = (
    "SELECT id, prospect_id, type, evidence, acquired_at, notice, notice_sent_at, recorded_by_id"
    " FROM prospects_source WHERE prospect_id = ANY(%s) ORDER BY acquired_at ASC, id ASC"
)
SIZE = 50
P = {name: i for i, name in enumerate(PROSPECT_COLUMNS)}
C = len(PROSPECT_COLUMNS)
U = C + len(COMPANY_COLUMNS)

BARE = "/raw/bare/"

_connection: psycopg.Connection | None = None
_cipher: MultiFernet | None = None
_bare: dict | None = None


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/raw/health/":
        return _answer(start_response, "200 OK", b'{"status": "ok"}')
    if path.startswith(BARE):
        statements = _bare_queries().get(path.removeprefix(BARE).strip("/"))
        if statements is None:
            return _answer(start_response, "404 Not Found", b'{"detail": "Not found."}')
        return _answer(start_response, "200 OK", _replayed(statements))
    if path not in ("/raw/prospects/", "/raw/prospects/decrypted/"):
        return _answer(start_response, "404 Not Found", b'{"detail": "Not found."}')
    query = parse_qs(environ.get("QUERY_STRING", ""))
    cursor = (query.get("cursor") or [""])[0]
    position = _decode(cursor) if cursor else None
    if cursor and position is None:
        return _answer(start_response, "404 Not Found", b'{"detail": "Invalid cursor"}')
    body = _page(position, decrypt=path.endswith("/decrypted/"), base=_base(environ, path))
    return _answer(start_response, "200 OK", body)


def _page(position, *, decrypt: bool, base: str) -> bytes:
    user = int(os.environ["BENCH_RAW_USER"])
    connection = _db()
    if position is None:
        rows = connection.execute(PAGE.format(after=""), [user]).fetchall()
    else:
        rows = connection.execute(PAGE.format(after=AFTER), [user, *position]).fetchall()
    page = rows[:SIZE]
    sources: dict[int, list] = {}
    if page:
        for source in connection.execute(SOURCES, [[row[0] for row in page]]).fetchall():
            sources.setdefault(source[1], []).append(
                {
                    "id": source[0],
                    "type": source[2],
                    "evidence": source[3],
                    "acquired_at": _iso(source[4]),
                    "notice": source[5],
                    "notice_sent_at": _iso(source[6]),
                }
            )
    reveal = _fernet().decrypt if decrypt else None
    results = [_prospect(row, sources.get(row[0], []), reveal) for row in page]
    following = None
    if len(rows) > SIZE:
        last = page[-1]
        token = base64.urlsafe_b64encode(f"{last[P['created_at']].isoformat()}|{last[0]}".encode()).decode()
        following = f"{base}?cursor={quote(token)}"
    return json.dumps({"next": following, "previous": None, "results": results}).encode()


def _replayed(statements: list) -> bytes:
    cursor = psycopg.ClientCursor(_db())
    results = []
    for sql, params in statements:
        cursor.execute(sql, params)
        # The first column is the prospect's id; the joined tables' ids come later, named alike.
        results += [{"id": row[0], "columns": row} for row in cursor.fetchall()]
    return json.dumps({"results": results}, default=str).encode()


def _bare_queries() -> dict:
    global _bare
    if _bare is None:
        with open(os.environ["BENCH_RAW_QUERIES"]) as stored:
            _bare = json.load(stored, object_hook=_untagged)
    return _bare


def _untagged(value: dict):
    if value.keys() == {"datetime"}:
        return datetime.fromisoformat(value["datetime"])
    if value.keys() == {"date"}:
        return date.fromisoformat(value["date"])
    return value


def _prospect(row, sources: list, reveal) -> dict:
    email, phone = row[P["email"]], row[P["phone"]]
    if reveal is not None:
        email = reveal(email.encode()).decode() if email else email
        phone = reveal(phone.encode()).decode() if phone else phone
    return {
        "id": row[0],
        "first_name": row[P["first_name"]],
        "last_name": row[P["last_name"]],
        "email": email,
        "phone": phone,
        "job_title": row[P["job_title"]],
        "company": row[C + 1] or "",
        "linkedin_url": row[P["linkedin_url"]],
        "language": row[P["language"]],
        "audience": row[P["audience"]],
        "audience_justification": row[P["audience_justification"]],
        "owner": row[U + USER_COLUMNS.index("username")],
        "sources": sources,
        "retention_until": _iso(row[P["retention_until"]]),
        "last_prospect_contact_at": _iso(row[P["last_prospect_contact_at"]]),
        "created_at": _iso(row[P["created_at"]]),
    }


def _iso(value):
    return value.isoformat() if value is not None else None


def _decode(cursor: str):
    try:
        created, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(created), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _base(environ, path: str) -> str:
    scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
    return f"{scheme}://{environ.get('HTTP_HOST', 'localhost')}{path}"


def _db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BENCH_RAW_DATABASE"], autocommit=True)
        _connection.execute("SET TIME ZONE 'UTC'")
    return _connection


def _fernet() -> MultiFernet:
    global _cipher
    if _cipher is None:
        _cipher = MultiFernet([Fernet(key) for key in os.environ["LOYAL_ENCRYPTION_KEYS"].split(",")])
    return _cipher


def _answer(start_response, status: str, body: bytes):
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
