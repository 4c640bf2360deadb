"""The idle timeout is kept without writing the session on every request (crm/sessions.py)."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def session_writes(client, path: str = "/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum('"django_session"' in q["sql"] and q["sql"].startswith(("UPDATE", "INSERT")) for q in queries)


def test_requests_within_a_minute_write_the_session_once(client, rep):
    with time_machine.travel(START, tick=False) as clock:
        factories.log_in(client, rep)
        first = session_writes(client)
        clock.shift(timedelta(seconds=30))
        second = session_writes(client)
        clock.shift(timedelta(seconds=29))
        third = session_writes(client)

    assert (first, second, third) == (1, 0, 0)


def test_a_request_a_minute_later_pushes_the_expiry_forward(client, rep):
    with time_machine.travel(START, tick=False) as clock:
        factories.log_in(client, rep)
        session_writes(client)
        clock.shift(timedelta(seconds=61))

        writes = session_writes(client)
        expiry = client.session.get_expiry_date()

    assert writes == 1
    assert expiry == START + timedelta(seconds=61) + timedelta(minutes=30)


def test_active_every_fifty_seconds_for_an_hour_the_session_stays_open(client, rep):
    with time_machine.travel(START, tick=False) as clock:
        factories.log_in(client, rep)
        statuses = set()
        for _ in range(72):
            clock.shift(timedelta(seconds=50))
            statuses.add(client.get("/prospects/").status_code)

    assert statuses == {200}
