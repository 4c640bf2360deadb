"""Data-subject requests: the one-month deadline, its extension told to the person, refusals with the
routes of complaint and of court, the timeline, and overdue requests on home pages (GDPR 12(3)-(4))."""

import html
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from org.dates import shown_date
from registry import requests
from registry.models import RequestStatus, SubjectRequest
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

    requests.extend(
        item, months=2, reason="Many requests this month", told_on=date(2026, 2, 20), today=date(2026, 2, 20)
    )

    assert item.deadline == date(2026, 4, 30)
    assert item.extended_on == item.extension_told_on == date(2026, 2, 20)


@pytest.mark.parametrize(
    ("months", "reason", "told_on", "today", "field"),
    [
        (1, "", date(2026, 2, 1), date(2026, 2, 1), "reason"),
        (3, "Complex", date(2026, 2, 1), date(2026, 2, 1), "months"),
        (1, "Complex", date(2026, 2, 27), date(2026, 3, 1), "__all__"),
        (1, "Complex", None, date(2026, 2, 1), "told_on"),
        (1, "Complex", date(2026, 2, 5), date(2026, 2, 1), "told_on"),  # told in the future
        (1, "Complex", date(2026, 1, 30), date(2026, 2, 1), "told_on"),  # told before the request came
    ],
)
def test_an_extension_needs_a_reason_the_date_the_person_was_told_at_most_two_months_and_the_first_month(
    dpo, months, reason, told_on, today, field
):
    item = receive(dpo)

    with pytest.raises(ValidationError) as refused:
        requests.extend(item, months=months, reason=reason, told_on=told_on, today=today)

    assert field in refused.value.message_dict
    item.refresh_from_db()
    assert item.extended_until is None


def test_the_last_day_of_the_first_month_is_still_within_it(dpo):
    item = receive(dpo)

    requests.extend(item, months=1, reason="Complex", told_on=date(2026, 2, 28), today=date(2026, 2, 28))

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
    requests.extend(item, months=1, reason="Complex", told_on=date(2026, 2, 10), today=date(2026, 2, 10))

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


def test_a_refusal_needs_its_reasons_and_that_the_person_was_told_of_the_complaint_and_court_routes(dpo):
    item = receive(dpo, on=timezone.localdate())

    with pytest.raises(ValidationError) as refused:
        requests.close(
            item, status=RequestStatus.REFUSED, outcome="Manifestly excessive: fifth copy this month", by=dpo
        )
    closed = requests.close(
        item, status=RequestStatus.REFUSED, outcome="Manifestly excessive", remedies_told=True, by=dpo
    )

    assert "remedies_told" in refused.value.message_dict
    assert closed.remedies_told and closed.status == RequestStatus.REFUSED


def test_the_timeline_shows_the_extension_notice_and_for_a_refusal_the_complaint_and_court_routes(
    client, dpo
):
    today = timezone.localdate()
    item = receive(dpo, on=today - timedelta(days=10))
    told = today - timedelta(days=2)
    factories.log_in(client, dpo)

    extended = client.post(
        f"/registry/requests/{item.pk}/extend/",
        {"months": "2", "reason": "Records spread over three archives", "told_on": told.isoformat()},
    )
    refused = client.post(
        f"/registry/requests/{item.pk}/close/",
        {"status": "refused", "outcome": "The identity could not be confirmed", "remedies_told": "on"},
    )
    english = client.get(f"/registry/requests/{item.pk}/").content.decode()
    client.post("/i18n/setlang/", {"language": "fr"})
    french = client.get(f"/registry/requests/{item.pk}/").content.decode()

    assert extended.status_code == refused.status_code == 302
    timeline = html.unescape(english.split('id="timeline"')[1].split("</ol>")[0])
    assert "Deadline extended (GDPR 12(3))" in timeline
    with translation.override("en"):
        told_on = shown_date(told)
    assert f"The person was told of the extension and its reasons on {told_on}." in timeline
    assert "Reasons: Records spread over three archives" in timeline
    assert "Refused (GDPR 12(4))" in timeline
    assert "Reasons given to the person: The identity could not be confirmed" in timeline
    assert "lodge a complaint with the CNIL and seek a judicial remedy (GDPR 12(4))" in timeline
    french_timeline = html.unescape(french.split('id="timeline"')[1].split("</ol>")[0])
    assert "réclamation auprès de la CNIL" in french_timeline and "recours juridictionnel" in french_timeline


def test_a_legacy_refusal_says_the_routes_were_not_recorded(dpo):
    item = receive(dpo, on=timezone.localdate())
    SubjectRequest.objects.filter(pk=item.pk).update(
        status=RequestStatus.REFUSED, outcome="Unfounded", closed_on=timezone.localdate()
    )
    item.refresh_from_db()

    with translation.override("en"):
        closing = requests.timeline(item)[-1]

    assert "Not recorded that the person was told of the complaint to the CNIL" in closing.details[1]


def test_a_rep_cannot_see_the_requests(rep_client):
    assert rep_client.get("/registry/requests/").status_code == 403
