"""The API of static lists and saved views: team-scoped, each refusal naming its field."""

import pytest
import yaml
from rest_framework.test import APIClient

from prospects import listing, saved_views
from prospects.models import ListMember, ProspectList, SavedView
from tests import factories

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def south():
    return factories.user(role="sales", username="south", team=factories.team("South"))


# --- Lists -----------------------------------------------------------------------------------


def test_a_rep_creates_renames_lists_and_deletes_a_list(rep):
    made = api(rep).post("/api/lists/", {"name": " Fair "}, format="json")
    pk = made.json()["id"]

    renamed = api(rep).patch(f"/api/lists/{pk}/", {"name": "Autumn fair"}, format="json")
    listed = api(rep).get("/api/lists/").json()["results"]
    deleted = api(rep).delete(f"/api/lists/{pk}/")

    assert made.status_code == 201 and made.json()["name"] == "Fair"
    assert renamed.json()["name"] == "Autumn fair"
    assert [(row["name"], row["size"], row["created_by"]) for row in listed] == [("Autumn fair", 0, "rep")]
    assert deleted.status_code == 204 and not ProspectList.objects.exists()


def test_a_second_list_of_the_same_name_or_an_empty_name_is_refused_naming_the_field(rep):
    factories.prospect_list(by=rep, name="Fair")

    twice = api(rep).post("/api/lists/", {"name": "fair"}, format="json")
    empty = api(rep).post("/api/lists/", {"name": "  "}, format="json")

    assert twice.status_code == 400 and twice.json() == {
        "name": ["Your team already has a list of that name."]
    }
    assert empty.status_code == 400 and "name" in empty.json()
    assert ProspectList.objects.count() == 1


def test_members_are_added_and_removed_by_id_and_counted(rep):
    ana, luc, eva = (factories.prospect(by=rep, first_name=name) for name in ("Ana", "Luc", "Eva"))
    fair = factories.prospect_list(by=rep, name="Fair", members=[ana])

    added = api(rep).post(
        f"/api/lists/{fair.pk}/members/", {"prospects": [ana.pk, luc.pk, eva.pk]}, format="json"
    )
    removed = api(rep).post(f"/api/lists/{fair.pk}/members/remove/", {"prospects": [ana.pk]}, format="json")
    size = api(rep).get(f"/api/lists/{fair.pk}/").json()["size"]

    assert added.json() == {"added": 2}
    assert removed.json() == {"removed": 1}
    assert size == 2
    assert set(ListMember.objects.values_list("prospect_id", flat=True)) == {luc.pk, eva.pk}


def test_another_teams_prospect_is_refused_as_an_unknown_id_and_nothing_is_added(rep, south):
    ana = factories.prospect(by=rep, first_name="Ana")
    theirs = factories.prospect(by=south, first_name="Zoe", email="zoe@globex.fr")
    fair = factories.prospect_list(by=rep, name="Fair")

    mixed = api(rep).post(f"/api/lists/{fair.pk}/members/", {"prospects": [ana.pk, theirs.pk]}, format="json")
    missing = api(rep).post(f"/api/lists/{fair.pk}/members/", {"prospects": [ana.pk, 999999]}, format="json")

    assert mixed.status_code == missing.status_code == 400
    assert mixed.json() == {"prospects": [f"No prospect of this list's team has the id {theirs.pk}."]}
    assert missing.json() == {"prospects": ["No prospect of this list's team has the id 999999."]}
    assert not ListMember.objects.exists()


def test_another_teams_list_is_not_found(rep, south):
    theirs = factories.prospect_list(by=south, name="South")
    ana = factories.prospect(by=rep, first_name="Ana")

    read = api(rep).get(f"/api/lists/{theirs.pk}/")
    added = api(rep).post(f"/api/lists/{theirs.pk}/members/", {"prospects": [ana.pk]}, format="json")
    listed = api(rep).get("/api/lists/").json()["results"]

    assert read.status_code == added.status_code == 404
    assert listed == []


def test_a_list_a_campaign_targets_is_kept(rep):
    fair = factories.prospect_list(by=rep, name="Fair")
    factories.campaign(by=rep, target_list=fair, target_segment=None)

    response = api(rep).delete(f"/api/lists/{fair.pk}/")

    assert response.status_code == 409
    assert response.json() == {"detail": "A campaign targets this list: it is kept as its audience."}
    assert ProspectList.objects.filter(pk=fair.pk).exists()


def test_a_list_that_a_campaigns_segment_filters_on_is_kept(rep):
    fair = factories.prospect_list(by=rep, name="Fair")
    spare = factories.prospect_list(by=rep, name="Spare")
    segment = saved_views.save_view(name="On the fair", filters=listing.Filters(in_list=fair.pk), by=rep)
    saved_views.save_view(name="On the spare", filters=listing.Filters(in_list=spare.pk), by=rep)
    factories.campaign(by=rep, target_segment=segment)

    kept = api(rep).delete(f"/api/lists/{fair.pk}/")
    deleted = api(rep).delete(f"/api/lists/{spare.pk}/")

    assert kept.status_code == 409
    assert kept.json() == {"detail": "A campaign's segment filters on this list: it is kept."}
    assert deleted.status_code == 204
    assert list(ProspectList.objects.values_list("name", flat=True)) == ["Fair"]


def test_the_dpo_reads_lists_but_writes_none(rep, dpo):
    fair = factories.prospect_list(by=rep, name="Fair")

    read = api(dpo).get("/api/lists/")
    write = api(dpo).post("/api/lists/", {"name": "Mine"}, format="json")
    members = api(dpo).post(f"/api/lists/{fair.pk}/members/", {"prospects": [1]}, format="json")

    assert [row["name"] for row in read.json()["results"]] == ["Fair"]
    assert write.status_code == members.status_code == 403


# --- Saved views -----------------------------------------------------------------------------


def test_a_rep_saves_a_view_and_a_campaign_targets_it_as_a_segment(rep):
    fair = factories.prospect_list(by=rep, name="Fair")

    made = api(rep).post(
        "/api/saved-views/",
        {"name": "Inbound on the fair", "filters": {"source_type": "inbound", "in_list": fair.pk},
         "sort": "-company", "shared": True},
        format="json",
    )  # fmt: skip
    view = SavedView.objects.get()

    assert made.status_code == 201, made.json()
    assert (view.filters, view.sort, view.shared) == (
        {"source_type": "inbound", "in_list": fair.pk},
        "-company",
        True,
    )
    assert made.json()["filters"]["source_type"] == "inbound" and made.json()["filters"]["in_list"] == fair.pk
    assert saved_views.filters_of(view) == listing.Filters(source_type="inbound", in_list=fair.pk)


def test_a_view_with_a_bad_filter_or_sort_is_refused_naming_the_field(rep, south):
    theirs = factories.prospect_list(by=south, name="South")

    unknown_list = api(rep).post(
        "/api/saved-views/", {"name": "X", "filters": {"in_list": theirs.pk}}, format="json"
    )
    short = api(rep).post("/api/saved-views/", {"name": "X", "filters": {"q": "ab"}}, format="json")
    sort = api(rep).post("/api/saved-views/", {"name": "X", "sort": "email"}, format="json")
    nameless = api(rep).post("/api/saved-views/", {"name": " "}, format="json")

    assert unknown_list.json() == {"filters": {"in_list": ["Choose one of your team's lists."]}}
    assert list(short.json()["filters"]) == ["q"]
    assert list(sort.json()) == ["sort"]
    assert list(nameless.json()) == ["name"]
    assert not SavedView.objects.exists()


def test_views_are_listed_to_their_author_and_shared_ones_to_the_team_and_only_the_author_deletes(
    rep, other_rep, south
):
    mine = saved_views.save_view(name="Mine", filters=listing.Filters(), by=rep)
    shared = saved_views.save_view(name="Shared", filters=listing.Filters(), shared=True, by=other_rep)
    saved_views.save_view(name="Private", filters=listing.Filters(), by=other_rep)
    elsewhere = saved_views.save_view(name="South", filters=listing.Filters(), shared=True, by=south)

    listed = [row["name"] for row in api(rep).get("/api/saved-views/").json()["results"]]
    refused = api(rep).delete(f"/api/saved-views/{shared.pk}/")
    hidden = api(rep).delete(f"/api/saved-views/{elsewhere.pk}/")
    deleted = api(rep).delete(f"/api/saved-views/{mine.pk}/")

    assert listed == ["Mine", "Shared"]
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["Only the person who saved a view can delete it."]}
    assert hidden.status_code == 404
    assert deleted.status_code == 204
    assert set(SavedView.objects.values_list("name", flat=True)) == {"Shared", "Private", "South"}


def test_the_schema_describes_lists_views_and_the_campaigns_target(rep):
    schema = yaml.safe_load(api(rep).get("/api/schema/").content)

    paths = set(schema["paths"])
    campaign = schema["components"]["schemas"]["Campaign"]["properties"]

    assert {
        "/api/lists/",
        "/api/lists/{id}/",
        "/api/lists/{id}/members/",
        "/api/lists/{id}/members/remove/",
    } <= paths
    assert {"/api/saved-views/", "/api/saved-views/{id}/"} <= paths
    assert {"target_list", "target_segment"} <= set(campaign)
    assert "delete" in schema["paths"]["/api/saved-views/{id}/"]
