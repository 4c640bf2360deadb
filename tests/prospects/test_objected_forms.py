""" "Objected" in its two forms agrees: ``is_suppressed`` for one prospect, ``objected`` in SQL.

The gate's bulk decision, the list's "contactable" filter and the register's figures read
the SQL form; a prospect's page and the single-prospect gate read the Python one.
"""

import itertools

import pytest

from prospects import suppression
from prospects.models import Prospect, Suppression
from tests import factories

SCOPES = ["", "email", "sms"]  # "" is an objection to all prospecting
KINDS = {
    "email": lambda i: f"anne{i}@acme.fr",
    "phone": lambda i: f"+33 6 12 34 56 {i:02d}",
    "linkedin_url": lambda i: f"https://www.linkedin.com/in/anne-martin-{i}",
}


@pytest.fixture
def every_case(rep):
    """Each identifier kind objected on each scope, plus one who never objected."""
    people = []
    for index, (kind, scope) in enumerate(itertools.product(KINDS, SCOPES)):
        person = factories.prospect(by=rep, first_name=f"Anne{index}", **{kind: KINDS[kind](index)})
        suppression.suppress(person, channel=scope, origin=Suppression.Origin.LINK)
        people.append(person)
    people.append(factories.prospect(by=rep, first_name="Never", email="never@acme.fr"))
    return people


@pytest.mark.parametrize("channel", ["", "email", "sms", "phone"])
def test_objected_in_sql_is_suppressed_in_python(every_case, channel):
    in_sql = set(Prospect.objects.filter(suppression.objected(channel=channel)).values_list("pk", flat=True))

    in_python = {p.pk for p in every_case if suppression.is_suppressed(p, channel=channel)}

    assert in_sql == in_python
    assert 0 < len(in_python) < len(every_case)


def test_an_objection_to_all_counts_on_every_channel_and_a_channels_only_on_it(every_case):
    everywhere = set(Prospect.objects.filter(suppression.objected()).values_list("pk", flat=True))
    by_email = set(
        Prospect.objects.filter(suppression.objected(channel="email")).values_list("pk", flat=True)
    )

    assert len(everywhere) == len(KINDS)
    assert everywhere < by_email
    assert len(by_email) == 2 * len(KINDS)
