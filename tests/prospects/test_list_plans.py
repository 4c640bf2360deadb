"""The list page's query reads an index for every sort, both ways, shallow or deep, filtered or not.

For each key of ``listing.SORTS`` (a sort added later is covered without a change here),
each direction, the first page and a page deep in the keyset, a rep's list (their team)
and the whole base (the DPO's), unfiltered and under each equality filter of
``listing.Filters`` (a filter added later on a prospect column too): EXPLAIN (FORMAT JSON)
of the query the page runs, inside a transaction with ``SET LOCAL enable_seqscan = off``,
has no sequential scan of the prospects table.

Scans off alone do not catch a missing sort index: PostgreSQL then reads another whole
index and sorts every matching row. So sorts are turned off too (``enable_sort``,
``enable_incremental_sort``): with an index giving the rows in the page's order the plan
has neither, and without one it still must sort, which fails here
(``test_a_sort_without_its_index_is_caught`` drops the company indexes to show it). At a
few hundred rows a scan would be cheaper than any index: what the planner picks on its
own at a million rows, the benchmark measures (``manage.py bench --http``).
"""

import json
from dataclasses import fields

import pytest
from django.db import connection, transaction

from prospects import listing
from prospects.models import Prospect, Stage
from tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="EXPLAIN (FORMAT JSON) and enable_seqscan are PostgreSQL's: run with DATABASE_URL=postgres://...",
)
ROWS = 600
# The planner avoids what it can: with an index giving the rows in the page's order, it
# neither scans the table nor sorts; without one it must still do either (or both).
AVOIDED = ("seqscan", "sort", "incremental_sort")
DEPTH = 0.9
# Filters that are not an equality on a column, with what covers their plans instead.
NOT_EQUALITY = {
    "q": "a search: trigram indexes, tests/prospects/test_query_plans.py",
    "contactable": "a retention, restriction and suppression condition, not one column",
    "ending_soon": "a date range of the retention rule, not an equality",
}


@pytest.fixture
def base(rep, other_rep):
    """Two teams' prospects, two owners, three stages, some contacted, on a list, with fresh
    statistics."""
    made = factories.many_prospects(by=rep, count=ROWS)
    ids = [p.pk for p in made]
    Prospect.objects.filter(pk__in=ids[::2]).update(team=factories.team("Elsewhere"))
    Prospect.objects.filter(pk__in=ids[::3]).update(owner=other_rep)
    Prospect.objects.filter(pk__in=ids[::5]).update(last_prospect_contact_at=made[0].created_at)
    Prospect.objects.filter(pk__in=ids[::7]).update(company_sort="Globex")
    stages = list(Stage.objects.order_by("position", "pk")[:3])
    for offset, stage in enumerate(stages):
        Prospect.objects.filter(pk__in=ids[offset :: len(stages)]).update(stage=stage)
    chosen = factories.prospect_list(by=rep, name="Fair", members=made[1::4])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prospects_prospect")
        cursor.execute("ANALYZE prospects_listmember")
    return {"list": chosen, "owner": rep}


def equality_filters(base: dict) -> dict[str, listing.Filters]:
    """One filter per equality field of Filters, with a value found in the base.

    A field of the prospect's own (``audience``, or a field added later) takes a value a
    stored prospect has; the others are named here.
    """
    samples = {"owner": base["owner"].pk, "in_list": base["list"].pk, "source_type": "business_card"}
    filters = {"unfiltered": listing.Filters()}
    for spec in fields(listing.Filters):
        if spec.name in NOT_EQUALITY:
            continue
        if spec.name not in samples:
            column = Prospect._meta.get_field(spec.name).attname
            present = Prospect.objects.exclude(**{f"{column}__isnull": True}).values_list(column, flat=True)
            samples[spec.name] = present.first()
        assert samples[spec.name] is not None, f"no sample value for the filter {spec.name!r}"
        filters[spec.name] = listing.Filters(**{spec.name: samples[spec.name]})
    return filters


def visible(user):
    """What the list page reads (views.prospect_list), before its filter."""
    return Prospect.objects.visible_to(user).select_related("company", "owner").defer("email", "phone")


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def unindexed(plan: dict) -> list[str]:
    """What in ``plan`` reads the prospects without an index serving the page's order.

    A sequential scan of the table; or a Sort: the index read gave the rows out of the
    page's order, so every matching row is read and sorted to find the first 51 (with
    scans off, a missing sort index shows as a whole-index scan under a Sort).
    """
    found = []
    for node in nodes(plan):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "prospects_prospect":
            found.append(f"Seq Scan on prospects_prospect {node.get('Filter', '')}")
        keys = node.get("Sort Key", [])
        sorted_here = node["Node Type"] in ("Sort", "Incremental Sort")
        if sorted_here and any("prospects_prospect." in key for key in keys):
            found.append(f"{node['Node Type']} by {', '.join(keys)}")
    return found


def explain(query) -> dict:
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        for method in AVOIDED:
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (row,) = cursor.fetchall()
    document = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return document[0]["Plan"]


@pytest.mark.parametrize("who", ["rep", "dpo"], ids=["team", "whole-base"])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", sorted(listing.SORTS))
def test_every_sort_of_the_list_page_reads_an_index_of_the_prospects(request, base, key, descending, who):
    user = request.getfixturevalue(who)
    sort = f"-{key}" if descending else key
    scanned = {}

    for name, filters in equality_filters(base).items():
        queryset = listing.filtered(visible(user), filters)
        size = max(1, int(queryset.count() * DEPTH))
        _rows, deep = listing.sorted_page(queryset, sort=sort, size=size)
        assert deep, f"{name}: no deep page to explain"
        for page, after in (("first", ""), ("deep", deep)):
            plan = explain(listing.sorted_page_query(queryset, sort=sort, after=after))
            if scans := unindexed(plan):
                scanned[f"{name}, {page} page"] = scans

    assert not scanned, scanned


@pytest.mark.parametrize("who", ["rep", "dpo"], ids=["team", "whole-base"])
def test_a_sort_without_its_index_is_caught(request, base, who):
    """The check above can fail: without its indexes, the company sort reads the rows and sorts them."""
    user = request.getfixturevalue(who)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX prospect_team_company")
            cursor.execute("DROP INDEX prospect_company_keyset")
        plan = explain(listing.sorted_page_query(visible(user), sort="company"))
        transaction.set_rollback(True)

    assert unindexed(plan) == ["Sort by prospects_prospect.company_sort, prospects_prospect.id"], plan
