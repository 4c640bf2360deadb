"""Data-subject requests: the one-month deadline, its extension, and overdue requests on home pages."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from registry import requests
from registry.models import RequestStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),
    ],
)
def test_a_request_is_due_one_month_later_at_the_end_of_a_shorter_month(received, due):
    assert requests.due_date(received) == due


def receive(by, *, on=date(2026, 1, 31), kind="access"):
    return requests.receive(requests.Intake(kind=kind, received_on=on, channel="email"), by=by)


def test_a_request_received_on_31_january_is_due_on_28_february(dpo):
    item = receive(dpo)

    assert item.due_on == date(2026, 2, 28)
    assert item.deadline == date(2026, 2, 28)


def test_an_extension_within_the_first_month_adds_up_to_two_months_with_its_reason(dpo):
    item = receive(dpo)

    requests.extend(item, months=2, reason="Many requests this month", today=date(2026, 2, 20))

    assert item.deadline == date(2026, 4, 30)
    assert item.extended_on == date(2026, 2, 20)


@pytest.mark.parametrize(
    ("months", "reason", "today", "field"),
    [
        (1, "", date(2026, 2, 1), "reason"),
        (3, "Complex", date(2026, 2, 1), "months"),
        (1, "Complex", date(2026, 3, 1), "__all__"),
    ],
)
def test_an_extension_needs_a_reason_at_most_two_months_and_the_first_month(
    dpo, months, reason, today, field
):
    item = receive(dpo)

    with pytest.raises(ValidationError) as refused:
        requests.extend(item, months=months, reason=reason, today=today)

    assert field in refused.value.message_dict
    item.refresh_from_db()
    assert item.extended_until is None


def test_the_last_day_of_the_first_month_is_still_within_it(dpo):
    item = receive(dpo)

    requests.extend(item, months=1, reason="Complex", today=date(2026, 2, 28))

    assert item.deadline == date(2026, 3, 31)


def test_an_overdue_request_shows_on_the_dpo_and_admin_home_pages(client, dpo, admin_user):
    late = receive(dpo, kind="erasure")
    answered = receive(dpo)
    requests.close(answered, status=RequestStatus.DONE, outcome="Export sent", by=dpo)

    pages = {}
    for user in (dpo, admin_user):
        factories.log_in(client, user)
        pages[user.username] = client.get("/").content.decode()

    for page in pages.values():
        assert f"/registry/requests/{late.pk}/" in page
        assert f"/registry/requests/{answered.pk}/" not in page


def test_a_request_on_time_is_not_overdue(dpo):
    item = receive(dpo, on=date(2026, 1, 31))

    assert list(requests.overdue(date(2026, 2, 28))) == []
    assert list(requests.overdue(date(2026, 3, 1))) == [item]


def test_an_extended_request_is_overdue_only_after_its_new_deadline(dpo):
    item = receive(dpo)
    requests.extend(item, months=1, reason="Complex", today=date(2026, 2, 10))

    assert list(requests.overdue(date(2026, 3, 31))) == []
    assert list(requests.overdue(date(2026, 4, 1))) == [item]


def test_a_request_is_logged_from_the_page_and_linked_to_the_person(client, dpo, rep):
    from tests import factories

    prospect = factories.prospect(by=rep, email="lea.petit@acme.fr")
    factories.log_in(client, dpo)

    response = client.post(
        "/registry/requests/",
        {"kind": "erasure", "received_on": "2026-01-31", "channel": "email", "email": "LEA.PETIT@acme.fr"},
    )

    item = prospect.subject_requests.get()
    assert response.status_code == 302 and response["Location"] == f"/registry/requests/{item.pk}/"
    assert item.due_on == date(2026, 2, 28)


def test_a_closing_needs_what_was_done(dpo):
    item = receive(dpo)

    with pytest.raises(ValidationError):
        requests.close(item, status=RequestStatus.REFUSED, outcome=" ", by=dpo)


def test_a_rep_cannot_see_the_requests(rep_client):
    assert rep_client.get("/registry/requests/").status_code == 403
