"""The retention rules in their two forms agree: Python for one prospect, SQL for many.

The purge, the gate's bulk decision, the list filter, the home page and the register read
the SQL forms; a prospect's page, the single-prospect gate and the notices read the Python
ones (prospects/retention.py keeps each pair side by side).
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from prospects import retention
from prospects.models import Prospect
from tests import factories

TODAY = timezone.localdate()
GRACE = retention.grace_days()
DEADLINES = [
    TODAY - timedelta(days=1),
    TODAY,
    TODAY + timedelta(days=GRACE),
    TODAY + timedelta(days=GRACE + 1),
]
HOLDS = [None, TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=GRACE + 5)]
CUSTOMERS = [(False, None), (True, None), (True, TODAY - timedelta(days=400))]


@pytest.fixture
def every_case(rep):
    """One prospect for each deadline × legal hold × customer state, edges included."""
    cases = list(itertools.product(DEADLINES, HOLDS, CUSTOMERS))
    people = factories.many_prospects(by=rep, count=len(cases))
    for person, (deadline, hold, (is_customer, ended)) in zip(people, cases, strict=True):
        Prospect.objects.filter(pk=person.pk).update(
            retention_until=deadline,
            legal_hold_until=hold,
            is_customer=is_customer,
            customer_relationship_ended_at=ended,
        )
    return list(Prospect.objects.order_by("pk"))


def test_expired_in_sql_is_expired_in_python(every_case):
    in_sql = set(Prospect.objects.filter(retention.expired(TODAY)).values_list("pk", flat=True))

    in_python = {p.pk for p in every_case if retention.is_expired(p, today=TODAY)}

    assert in_sql == in_python
    assert 0 < len(in_python) < len(every_case)


def test_current_customer_in_sql_is_current_customer_in_python(every_case):
    in_sql = set(Prospect.objects.filter(retention.current_customer()).values_list("pk", flat=True))

    in_python = {p.pk for p in every_case if retention.is_current_customer(p)}

    assert in_sql == in_python
    assert 0 < len(in_python) < len(every_case)


def test_due_within_in_sql_is_due_within_in_python_with_the_same_last_day(every_case):
    in_sql = dict(retention.due_within(GRACE, today=TODAY).values_list("pk", "kept_until"))

    in_python = {
        p.pk: retention.kept_until_of(p) for p in every_case if retention.is_due_within(p, GRACE, today=TODAY)
    }

    assert in_sql == in_python
    assert 0 < len(in_python) < len(every_case)


def test_the_last_day_kept_is_the_same_in_sql_and_python(every_case):
    in_sql = dict(Prospect.objects.annotate(last=retention.kept_until()).values_list("pk", "last"))

    assert in_sql == {p.pk: retention.kept_until_of(p) for p in every_case}


def test_purged_soon_is_the_grace_window_and_never_a_current_customer(every_case, settings):
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "grace_days": 3}

    soon = list(retention.due_soon(today=TODAY))

    assert soon
    assert all(TODAY <= p.kept_until <= TODAY + timedelta(days=3) for p in soon)
    assert not [p for p in soon if retention.is_current_customer(p)]


def test_purged_soon_keeps_to_the_prospects_it_is_given(every_case):
    mine = Prospect.objects.filter(pk__in=[p.pk for p in every_case[:10]])

    soon = set(retention.due_soon(today=TODAY, among=mine).values_list("pk", flat=True))

    assert soon <= {p.pk for p in every_case[:10]}
    assert soon == {p.pk for p in every_case[:10] if retention.is_due_within(p, GRACE, today=TODAY)}
