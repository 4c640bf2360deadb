"""The bare query of a page: the statements the product ran to load the page's rows, replayed.

``capture`` requests each case's page once in this process (Django's test client, the bench
rep logged in) and records, through ``connection.execute_wrapper``, every statement that
loads prospect rows for the page (a ``SELECT`` of the prospects table's columns in some
order: the page query, one per stage for the stage sort or the board), with its parameters,
exactly as the product sent them. It writes them to a JSON file that the raw twin
(bench.raw_app, ``/raw/bare/<case>/``) reads at its first request and replays on its own
connection, with no middleware, session, ORM or template: what the page costs beyond its
rows is the ratio of the two.

What is not in the bare query: the page's other statements (session, user, role and conduct
checks, the result count, the filter form's choices, saved views), the decryption the page
does not need, and the rendering.
"""

import json
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from bench import fill

ROWS_OF_PROSPECTS = 'SELECT "prospects_prospect"."id"'


def name(case) -> str:
    return f"bare_{case.name}"


def path(case):
    return lambda filled: f"/raw/bare/{case.name}/"


def same_rows(page: list[int], replayed: list[int]) -> bool:
    """The page shows the rows its statements load, in their order or by column (the board
    shows the prospects without a stage first); the list loads one row more than it shows."""
    if not page:
        return replayed == []
    if replayed[: len(page)] == page and len(replayed) - len(page) <= 1:
        return True
    return sorted(page) == sorted(replayed)


def capture(cases, filled: fill.Filled, folder: Path) -> Path:
    """Each case's row statements, written to ``folder/bare.json``; the file's path."""
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(pk=filled.rep_id))
    captured = {}
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        for case in cases:
            statements: list = []
            with connection.execute_wrapper(_recorder(statements)):
                response = client.get(case.path(filled), secure=True)
            if response.status_code != 200:
                raise RuntimeError(f"{case.name}: the page answered {response.status_code}")
            if not statements:
                raise RuntimeError(f"{case.name}: the page loaded no prospect rows")
            captured[case.name] = statements
    target = folder / "bare.json"
    target.write_text(json.dumps(captured, default=_tagged))
    return target


def _recorder(statements: list):
    def record(execute, sql, params, many, context):
        if sql.startswith(ROWS_OF_PROSPECTS) and " ORDER BY " in sql and not many:
            statements.append([sql, list(params or ())])
        return execute(sql, params, many, context)

    return record


def _tagged(value):
    """A parameter JSON cannot hold, tagged so that the raw twin reads it back as it was."""
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    raise TypeError(f"a bare query's parameter of type {type(value).__name__}")
