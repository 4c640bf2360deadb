"""The list page as a workspace: sortable headings, the filter kept in the URL."""

import re
from html import unescape

import pytest
from django.urls import reverse

from prospects import listing
from prospects.models import Company, Prospect
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

    assert set(shown) == {"Name", "Company", "Owner", "Last contact", "Kept until", "Created"}
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
    more = re.search(r'id="more"><td colspan="9"><a href="\?([^"]+)"', first.content.decode()).group(1)
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
