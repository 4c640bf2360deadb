"""The search and the deep page are index lookups on PostgreSQL, not scans of the prospects.

Checked with EXPLAIN on a few thousand prospects. At this size a scan is cheaper than any
index, so the planner is told to avoid scans (``enable_seqscan = off``, and for the search
``enable_indexscan = off`` too, or it walks a whole b-tree instead): it still scans when the
query leaves it no index to use, as it did with an OR across the join to companies or with
the keyset spelled as an OR. What the planner picks at a million rows, on its own, the
benchmark measures (``manage.py bench --http``).
"""

import re

import pytest
from django.db import connection

from prospects import listing
from prospects.models import Prospect, Stage
from tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes and these plans are PostgreSQL's"
)
ROWS = 2000


@pytest.fixture
def base(rep, other_rep):
    """Two teams' prospects, the rep's and another's, with the statistics autovacuum would have."""
    mine = factories.many_prospects(by=rep, count=ROWS)
    Prospect.objects.filter(pk__in=[p.pk for p in mine[::2]]).update(team=factories.team("Elsewhere"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prospects_prospect")
        cursor.execute("ANALYZE prospects_company")
    return mine


def plan(user, *, q: str = "", after: str = "", avoid: tuple[str, ...] = ("seqscan",)) -> str:
    visible = Prospect.objects.visible_to(user).select_related("company", "owner")
    query = listing.page_query(listing.filtered(visible, listing.Filters(q=q)), after=after)
    with connection.cursor() as cursor:
        for method in avoid:
            cursor.execute(f"SET enable_{method} = off")
        try:
            return query.explain()
        finally:
            for method in avoid:
                cursor.execute(f"RESET enable_{method}")


def scans_of_prospects(text: str) -> list[str]:
    return re.findall(r"Seq Scan on prospects_prospect\b.*", text)


@pytest.mark.parametrize("q", ["Zyxwvu", "Jean4999", "Acme Jean12"])
def test_a_name_or_company_search_reads_the_trigram_indexes(dpo, base, q):
    # The DPO searches every team's prospects: nothing but the search narrows the rows.
    text = plan(dpo, q=q, avoid=("seqscan", "indexscan"))

    assert scans_of_prospects(text) == [], text
    assert "trgm" in text, text


def test_a_page_deep_in_the_list_starts_the_index_scan_at_its_position(rep, base):
    deep = listing.encode_cursor(base[int(ROWS * 0.95)])

    text = plan(rep, after=deep)

    assert scans_of_prospects(text) == [], text
    assert "prospect_team_keyset" in text, text
    assert re.search(r"Index Cond: .*ROW\(created_at, id\) <", text), text


def sorted_plan(user, *, sort: str, after: str = "") -> str:
    visible = Prospect.objects.visible_to(user).select_related("company", "owner")
    query = listing.sorted_page_query(listing.filtered(visible, listing.Filters()), sort=sort, after=after)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            return query.explain()
        finally:
            cursor.execute("RESET enable_seqscan")


SORTED = ["name", "-name", "retention", "-retention", "last_contact", "-last_contact"]


@pytest.mark.parametrize("sort", SORTED)
def test_each_sort_of_a_reps_list_reads_its_index_from_the_cursor(rep, base, sort):
    _rows, cursor = listing.sorted_page(Prospect.objects.visible_to(rep), sort=sort)

    text = sorted_plan(rep, sort=sort, after=cursor)

    assert scans_of_prospects(text) == [], text
    assert re.search(r"Index Scan (Backward )?using prospect_\w+ on prospects_prospect", text), text
    assert re.search(r"Index Cond: .*ROW\(", text), text
    assert "Sort Key" not in text, text


def test_a_reps_list_filtered_by_stage_reads_the_team_stage_index_newest_first(rep, base):
    stage = Stage.objects.order_by("position").first()
    Prospect.objects.filter(pk__in=[p.pk for p in base[::3]]).update(stage=stage)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prospects_prospect")
    visible = Prospect.objects.visible_to(rep)
    query = listing.page_query(listing.filtered(visible, listing.Filters(stage=stage.pk)))

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            text = query.explain()
        finally:
            cursor.execute("RESET enable_seqscan")

    assert scans_of_prospects(text) == [], text
    # The team's stage index, or at this size the stage index with the team as a filter:
    # either way the page is read newest first from the index, never sorted.
    assert re.search(r"Index Scan using prospect_(team_)?stage_new", text), text
    assert "Sort Key" not in text, text


@pytest.mark.parametrize("sort", ["stage", "-stage"])
def test_the_stage_sort_reads_one_range_of_the_team_stage_index_per_stage(rep, base, sort):
    stages = list(Stage.objects.order_by("position"))
    for index, prospect in enumerate(base):
        prospect.stage = stages[index % len(stages)]
    Prospect.objects.bulk_update(base, ["stage"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prospects_prospect")
    _rows, cursor_after = listing.sorted_page(Prospect.objects.visible_to(rep), sort=sort)

    text = sorted_plan(rep, sort=sort, after=cursor_after)

    assert scans_of_prospects(text) == [], text
    assert "prospect_team_stage" in text, text
    assert "Sort Key" not in text, text
