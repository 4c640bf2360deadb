"""The list page as a workspace: sortable headings, the filter kept in the URL."""

import re
from html import unescape

import pytest
from django.urls import reverse

from prospects import listing, saved_views
from prospects.models import Company, ListMember, Prospect, SavedView
from tests import factories

pytestmark = pytest.mark.django_db
LIST = reverse("prospects:list")


def headings(page: str) -> dict[str, tuple[str, str]]:
    """Each sortable heading's text, with its link and its aria-sort ("" when not current)."""
    found = re.findall(r'<th scope="col"( aria-sort="(\w+)")?><a href="([^"]+)" class="sort">([^<]+)', page)
    return {text.strip(): (unescape(href), aria) for _attr, aria, href, text in found}


def names(response) -> list[str]:
    return re.findall(r'href="/prospects/\d+/">([^<]+)</a>', response.content.decode())


def test_each_sortable_heading_links_to_its_sort_keeping_the_filter_and_marks_the_current_one(rep_client):
    page = rep_client.get(LIST, {"audience": "b2b_nominative", "sort": "company"}).content.decode()

    shown = headings(page)

    assert set(shown) == {"Name", "Company", "Stage", "Owner", "Last contact", "Kept until", "Created"}
    assert shown["Company"] == ("?audience=b2b_nominative&sort=-company", "ascending")
    assert shown["Name"] == ("?audience=b2b_nominative&sort=name", "")
    assert shown["Created"] == ("?audience=b2b_nominative&sort=-created", "")
    assert shown["Last contact"] == ("?audience=b2b_nominative&sort=-last_contact", "")
    assert page.count("aria-sort=") == 1
    assert '<input type="hidden" name="sort" value="company">' in page


def test_the_newest_first_list_marks_created_descending_and_its_link_turns_it_around(rep_client):
    page = rep_client.get(LIST).content.decode()

    assert headings(page)["Created"] == ("?sort=created", "descending")
    assert 'name="sort"' not in page.split('id="workspace"')[0]


def test_the_page_sorted_by_company_shows_the_companies_in_order_and_pages_on(rep_client, rep):
    for index, company in enumerate(["Initech", "Acme", "", "Globex"]):
        factories.prospect(by=rep, first_name=f"P{index}", email=f"p{index}@x.fr", company_name=company)

    ascending = names(rep_client.get(LIST, {"sort": "company"}))
    descending = names(rep_client.get(LIST, {"sort": "-company"}))

    assert ascending == ["P2 Dupont", "P1 Dupont", "P3 Dupont", "P0 Dupont"]
    assert descending == list(reversed(ascending))


def test_a_prospect_logged_with_an_existing_company_sorts_under_its_stored_name(rep):
    Company.objects.create(name="Acme")

    made = factories.prospect(by=rep, company_name="ACME")

    assert Prospect.objects.get(pk=made.pk).company_sort == "Acme"


def test_the_next_page_link_keeps_the_sort_and_the_filter(rep_client, rep):
    factories.many_prospects(by=rep, count=listing.PAGE_SIZE + 3)

    first = rep_client.get(LIST, {"sort": "name", "source_type": "business_card"})
    more = re.search(r'id="more"><td colspan="10"><a href="\?([^"]+)"', first.content.decode()).group(1)
    second = rep_client.get(f"{LIST}?{unescape(more)}")

    assert "sort=name" in unescape(more) and "source_type=business_card" in unescape(more)
    assert len(names(first)) == listing.PAGE_SIZE and len(names(second)) == 3
    assert not set(names(first)) & set(names(second))


def test_an_unknown_or_forged_sort_or_cursor_gives_the_first_page_newest_first(rep_client, rep):
    factories.many_prospects(by=rep, count=3)
    huge = "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAsIDFd"  # [10**30, 1]: past any id

    forged = rep_client.get(LIST, {"sort": "owner", "after": huge})
    unknown = rep_client.get(LIST, {"sort": "email"})

    assert forged.status_code == unknown.status_code == 200
    assert names(unknown) == ["Jean0 Dupont", "Jean1 Dupont", "Jean2 Dupont"]
    assert len(names(forged)) == 3


# --- Saved views ------------------------------------------------------------------------------


def test_saving_the_current_filter_names_a_view_that_the_menu_applies(rep_client, rep):
    factories.prospect(by=rep, first_name="Ines", email="ines@acme.fr", source_type="inbound")
    factories.prospect(by=rep, first_name="Paul", email="paul@acme.fr")

    saved = rep_client.post(
        reverse("prospects:view_save"),
        {"source_type": "inbound", "sort": "name", "name": "Inbound", "shared": "on"},
    )
    view = SavedView.objects.get()
    page = rep_client.get(LIST).content.decode()
    link = re.search(r'<ul id="saved-views"><li><a href="\?([^"]+)">Inbound</a>', page).group(1)
    applied = rep_client.get(f"{LIST}?{unescape(link)}")

    assert saved.status_code == 302 and saved.url == f"{LIST}?source_type=inbound&sort=name"
    assert (view.filters, view.sort, view.shared, view.created_by) == (
        {"source_type": "inbound"},
        "name",
        True,
        rep,
    )
    assert names(applied) == ["Ines Dupont"]


def test_a_view_without_a_name_is_refused_naming_the_field_and_nothing_is_saved(rep_client):
    response = rep_client.post(
        reverse("prospects:view_save"), {"audience": "b2b_nominative", "name": " "}, follow=True
    )

    assert "Name of the view: This field is required." in response.content.decode()
    assert not SavedView.objects.exists()


def test_the_menu_offers_own_views_and_the_teams_shared_ones_and_only_the_author_deletes(
    rep_client, rep, other_rep
):
    saved_views.save_view(name="Mine", filters=listing.Filters(), by=rep)
    theirs = saved_views.save_view(
        name="Shared by Rep2", filters=listing.Filters(), shared=True, by=other_rep
    )
    saved_views.save_view(name="Private to Rep2", filters=listing.Filters(), by=other_rep)
    elsewhere = factories.user(role="sales", username="south", team=factories.team("South"))
    saved_views.save_view(name="Other team", filters=listing.Filters(), shared=True, by=elsewhere)

    page = rep_client.get(LIST).content.decode()
    refused = rep_client.post(reverse("prospects:view_delete", args=[theirs.pk]), follow=True)

    menu = re.findall(
        r'<li><a href="\?[^"]*">([^<]+)</a>', page.split('id="saved-views"')[1].split("</ul>")[0]
    )
    assert menu == ["Mine", "Shared by Rep2"]
    assert "Only the person who saved a view can delete it." in refused.content.decode()
    assert SavedView.objects.filter(pk=theirs.pk).exists()


def test_the_author_deletes_a_view_and_another_teams_view_is_not_found(rep_client, rep):
    mine = saved_views.save_view(name="Mine", filters=listing.Filters(), by=rep)
    elsewhere = factories.user(role="sales", username="south", team=factories.team("South"))
    theirs = saved_views.save_view(name="Other team", filters=listing.Filters(), shared=True, by=elsewhere)

    deleted = rep_client.post(reverse("prospects:view_delete", args=[mine.pk]))
    hidden = rep_client.post(reverse("prospects:view_delete", args=[theirs.pk]))

    assert deleted.status_code == 302
    assert hidden.status_code == 404
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Other team"]


# --- Removing from a list ---------------------------------------------------------------------


def test_the_lists_view_removes_a_prospect_from_the_list_and_comes_back_to_it(rep_client, rep):
    ana, luc = factories.prospect(by=rep, first_name="Ana"), factories.prospect(by=rep, first_name="Luc")
    fair = factories.prospect_list(by=rep, name="Fair", members=[ana, luc])
    page = rep_client.get(LIST, {"in_list": fair.pk}).content.decode()

    response = rep_client.post(
        reverse("prospects:remove_from_list", args=[ana.pk]), {"from_list": fair.pk, "back": "list"}
    )

    assert f'action="/prospects/{ana.pk}/lists/remove/"' in page
    assert response.url == f"{LIST}?in_list={fair.pk}"
    assert list(ListMember.objects.values_list("prospect_id", flat=True)) == [luc.pk]
    assert names(rep_client.get(LIST, {"in_list": fair.pk})) == ["Luc Dupont"]


def test_the_prospect_page_removes_it_from_one_list_and_another_teams_list_is_refused(rep_client, rep):
    ana = factories.prospect(by=rep, first_name="Ana")
    fair, spring = (
        factories.prospect_list(by=rep, name="Fair", members=[ana]),
        factories.prospect_list(by=rep, members=[ana]),
    )
    south = factories.user(role="sales", username="south", team=factories.team("South"))
    theirs = factories.prospect_list(by=south, name="South list")
    ListMember.objects.create(prospect_list=theirs, prospect=ana, added_by=south)

    page = rep_client.get(ana.get_absolute_url()).content.decode()
    rep_client.post(reverse("prospects:remove_from_list", args=[ana.pk]), {"from_list": fair.pk})
    refused = rep_client.post(
        reverse("prospects:remove_from_list", args=[ana.pk]), {"from_list": theirs.pk}, follow=True
    )

    assert page.count('name="from_list"') == 2
    assert set(ListMember.objects.values_list("prospect_list_id", flat=True)) == {spring.pk, theirs.pk}
    assert "Choose one of your team&#x27;s lists." in refused.content.decode()


def test_a_refused_view_keeps_the_list_filtered_and_the_sharing_ticked(rep_client, rep):
    factories.prospect(by=rep, first_name="Ines", email="ines@acme.fr", source_type="inbound")
    factories.prospect(by=rep, first_name="Paul", email="paul@acme.fr")

    response = rep_client.post(
        reverse("prospects:view_save"), {"source_type": "inbound", "name": "", "shared": "on"}
    )

    page = response.content.decode()
    assert response.status_code == 400 and not SavedView.objects.exists()
    assert names(response) == ["Ines Dupont"]
    assert re.search(r'<input type="checkbox" name="shared" id="id_shared" checked', page)
    assert 'id="id_name_errors"' in page and 'href="#id_name"' in page
