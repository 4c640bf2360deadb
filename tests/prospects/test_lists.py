"""Static lists and bulk actions: set-based, confirmed with their count, scoped to the team."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prospects import listing, lists, ownership
from prospects.models import ListMember, Prospect
from tests import factories

pytestmark = pytest.mark.django_db


def test_adding_a_selection_to_a_list_is_one_statement_whatever_its_size(rep):
    factories.many_prospects(by=rep, count=120)
    chosen = factories.prospect_list(by=rep)

    with CaptureQueriesContext(connection) as queries:
        added = lists.add_to_list(chosen, prospects=Prospect.objects.visible_to(rep), by=rep)

    assert added == 120
    assert ListMember.objects.filter(prospect_list=chosen).count() == 120
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 1


def test_a_prospect_already_on_the_list_is_not_added_twice(rep):
    ana = factories.prospect(by=rep, first_name="Ana")
    chosen = factories.prospect_list(by=rep, members=[ana])

    added = lists.add_to_list(chosen, prospects=Prospect.objects.filter(pk=ana.pk), by=rep)

    assert added == 0
    assert ListMember.objects.count() == 1


def test_assigning_an_owner_moves_the_selection_and_keeps_each_change_in_the_history(rep, other_rep):
    factories.many_prospects(by=rep, count=30)
    selection = listing.selected(
        Prospect.objects.visible_to(rep), filters=listing.Filters(q="Jean1"), ids=None
    )
    expected = set(selection.values_list("pk", flat=True))

    moved = ownership.assign_owner(selection, owner=other_rep, by=rep)

    assert moved == len(expected) == 11  # Jean1, Jean10..Jean19
    assert set(Prospect.objects.filter(owner=other_rep).values_list("pk", flat=True)) == expected
    changes = Prospect.history.filter(history_type="~", history_user=rep)
    assert set(changes.values_list("id", flat=True)) == expected
    assert set(changes.values_list("owner_id", flat=True)) == {other_rep.pk}


def test_an_owner_outside_the_reps_team_is_refused_naming_the_field(rep):
    stranger = factories.user(role="sales", username="stranger", team=factories.team("South"))
    factories.prospect(by=rep)

    with pytest.raises(ValidationError) as refused:
        ownership.assign_owner(Prospect.objects.all(), owner=stranger, by=rep)

    assert "new_owner" in refused.value.message_dict
    assert not Prospect.objects.filter(owner=stranger).exists()


def test_the_bulk_confirmation_page_counts_the_rows_then_the_post_adds_exactly_those(rep_client, rep):
    factories.many_prospects(by=rep, count=12)
    factories.prospect(by=rep, first_name="Ines", source_type="inbound")
    chosen = factories.prospect_list(by=rep, name="Fair")
    query = {"source_type": "business_card", "action": "add_to_list", "to_list": chosen.pk, "scope": "all"}

    page = rep_client.get("/prospects/bulk/", query).content.decode()
    rep_client.post("/prospects/bulk/", query)

    assert "Add 12 prospects to the list Fair?" in page
    assert ListMember.objects.filter(prospect_list=chosen).count() == 12
    assert not ListMember.objects.filter(prospect__first_name="Ines").exists()


def test_the_result_count_says_more_than_the_limit_past_it(rep):
    factories.many_prospects(by=rep, count=8)

    assert listing.count_up_to(Prospect.objects.all(), limit=5) == 6
