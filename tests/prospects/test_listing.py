"""Finding prospects: search, filters, and pages that cost the same however deep the list goes."""

from datetime import UTC, datetime

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prospects import listing, retention, suppression
from prospects.models import Company, Prospect, Suppression
from tests import factories

LIST = reverse("prospects:list")
API_LIST = "/api/prospects/"


def found(filters: listing.Filters) -> list[str]:
    rows, _next = listing.page(listing.filtered(Prospect.objects.all(), filters))
    return [prospect.full_name for prospect in rows]


@pytest.fixture
def three(rep, other_rep):
    """Three prospects logged in that order, so the newest first is Claire, Paul, Anne."""
    factories.prospect(by=rep, first_name="Anne", last_name="Martin", email="anne.martin@acme.fr")
    factories.prospect(
        by=other_rep,
        first_name="Paul",
        last_name="Durand",
        company_name="Globex",
        email="contact@globex.fr",
        source_type="broker",
    )
    factories.prospect(
        by=rep,
        first_name="Claire",
        last_name="Petit",
        company_name="Initech",
        email="",
        source_type="linkedin_connection",
        evidence={"profile_url": "https://www.linkedin.com/in/claire-petit"},
    )


# --- Search and filters ----------------------------------------------------------------


def test_list_is_newest_first(three):
    names = found(listing.Filters())

    assert names == ["Claire Petit", "Paul Durand", "Anne Martin"]


@pytest.mark.parametrize(
    ("q", "names"), [("mart", ["Anne Martin"]), ("globex", ["Paul Durand"]), ("ANNE", ["Anne Martin"])]
)
def test_search_matches_names_and_company_in_any_case(three, q, names):
    matches = found(listing.Filters(q=q))

    assert matches == names


def test_search_words_must_all_match(three):
    both, one = found(listing.Filters(q="Paul Globex")), found(listing.Filters(q="Paul Acme"))

    assert both == ["Paul Durand"]
    assert one == []


def test_a_short_word_narrows_a_search_that_has_a_long_one(three):
    matches = found(listing.Filters(q="an Martin"))

    assert matches == ["Anne Martin"]


@pytest.mark.parametrize("q", ["a", "an", "Jo Li"])
def test_a_search_of_short_words_only_asks_for_more_letters_on_the_page_and_the_api(rep_client, three, q):
    page = rep_client.get(LIST, {"q": q})
    api = rep_client.get(API_LIST, {"q": q})

    assert page.status_code == 200
    assert page.context["form"].errors["q"] == ["Type at least 3 letters of a name or a company."]
    assert api.status_code == 400
    assert api.json() == {"q": ["Type at least 3 letters of a name or a company."]}


def test_an_email_or_phone_search_needs_no_three_letters(three):
    assert listing.search_problem("a@b.fr") is None
    assert listing.search_problem("06 12 34 56 78") is None
    assert listing.search_problem("Li") is not None


def test_search_by_email_matches_the_exact_address_only(three):
    exact, partial = found(listing.Filters(q="Contact@Globex.fr")), found(listing.Filters(q="contact@globex"))

    assert exact == ["Paul Durand"]
    assert partial == []


def test_filters_by_source_audience_and_owner(three, other_rep):
    by_source = found(listing.Filters(source_type="linkedin_connection"))
    by_audience = found(listing.Filters(audience="b2b_generic"))
    by_owner = found(listing.Filters(owner=other_rep.pk))

    assert by_source == ["Claire Petit"]
    assert by_audience == ["Paul Durand"]
    assert by_owner == ["Paul Durand"]


def test_contactable_filter_leaves_out_whoever_objected_or_expired(three):
    suppression.suppress(Prospect.objects.get(first_name="Anne"), origin=Suppression.Origin.LINK)
    Prospect.objects.filter(first_name="Paul").update(retention_until=timezone.localdate().replace(year=2020))

    yes, no = found(listing.Filters(contactable="yes")), found(listing.Filters(contactable="no"))

    assert yes == ["Claire Petit"]
    assert no == ["Paul Durand", "Anne Martin"]


def test_contactable_filter_agrees_with_the_purge_on_a_legal_hold(three):
    today = timezone.localdate()
    Prospect.objects.filter(first_name="Paul").update(
        retention_until=today.replace(year=2020), legal_hold_until=today + timezone.timedelta(days=90)
    )

    yes = found(listing.Filters(contactable="yes"))

    assert "Paul Durand" in yes
    assert not Prospect.objects.filter(retention.expired(today)).filter(first_name="Paul").exists()


def test_ending_soon_filter_keeps_deadlines_within_thirty_days(three):
    Prospect.objects.filter(first_name="Anne").update(
        retention_until=timezone.localdate() + timezone.timedelta(days=10)
    )

    names = found(listing.Filters(ending_soon=True))

    assert names == ["Anne Martin"]


def test_pages_walk_the_whole_list_once(rep):
    factories.many_prospects(by=rep, count=120)
    seen, after = [], ""

    for _page in range(3):
        rows, after = listing.page(Prospect.objects.all(), after=after)
        seen.append([prospect.first_name for prospect in rows])

    assert [len(names) for names in seen] == [50, 50, 20]
    assert [name for names in seen for name in names] == [f"Jean{index}" for index in range(120)]
    assert after == ""


def test_forged_cursor_starts_from_the_first_page(rep):
    factories.many_prospects(by=rep, count=3)

    rows, _next = listing.page(Prospect.objects.all(), after="not-a-cursor")

    assert [prospect.first_name for prospect in rows] == ["Jean0", "Jean1", "Jean2"]


# --- Constant queries per page -------------------------------------------------------------


def counted_get(client, url: str, params: dict | None = None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(queries)


FILTERS = [
    {},
    {"q": "Jean"},
    {"q": "Dupont Acme"},
    {"source_type": "business_card", "audience": "b2b_nominative", "contactable": "yes"},
    {"ending_soon": "", "contactable": "no", "q": "jean"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_list_page_costs_the_same_queries_on_every_page(rep_client, rep, params):
    factories.many_prospects(by=rep, count=120)
    params = {**params, "owner": rep.pk} if "contactable" in params else params
    if params.get("contactable") == "no":
        Prospect.objects.update(retention_until=timezone.localdate().replace(year=2020))
    rep_client.get("/")  # the session's expiry, pushed forward once a minute, is no page's cost

    first, first_count = counted_get(rep_client, LIST, params)
    second, second_count = counted_get(rep_client, LIST, {**params, "after": first.context["next_cursor"]})
    third, third_count = counted_get(rep_client, LIST, {**params, "after": second.context["next_cursor"]})

    assert [len(page.context["rows"]) for page in (first, second, third)] == [50, 50, 20]
    assert first_count == second_count == third_count


@pytest.mark.parametrize("params", FILTERS)
def test_api_list_costs_the_same_queries_on_every_page(rep_client, rep, params):
    factories.many_prospects(by=rep, count=120)
    params = {**params, "owner": rep.pk} if "contactable" in params else params
    params = {key: value for key, value in params.items() if value != ""}
    if params.get("contactable") == "no":
        Prospect.objects.update(retention_until=timezone.localdate().replace(year=2020))
    rep_client.get("/")  # the session's expiry, pushed forward once a minute, is no page's cost

    first, first_count = counted_get(rep_client, API_LIST, params)
    second, second_count = counted_get(rep_client, first.json()["next"])
    third, third_count = counted_get(rep_client, second.json()["next"])

    assert [len(page.json()["results"]) for page in (first, second, third)] == [50, 50, 20]
    assert third.json()["next"] is None
    assert first_count == second_count == third_count


def test_htmx_request_gets_only_the_rows(rep_client, rep):
    factories.many_prospects(by=rep, count=60)

    response = rep_client.get(LIST, HTTP_HX_REQUEST="true")

    assert "<html" not in response.text
    assert response.text.count("<tr>") == 50
    assert 'id="more"' in response.text


def test_a_word_in_hundreds_of_company_names_finds_the_same_prospects(rep):
    """Past MAX_LISTED_COMPANIES the companies are read by subquery; the result is the same."""
    Company.objects.bulk_create(Company(name=f"Groupe {n}") for n in range(listing.MAX_LISTED_COMPANIES + 5))
    factories.prospect(by=rep, first_name="Anne", email="anne@acme.fr", company_name="Groupe 7")
    factories.prospect(by=rep, first_name="Paul", email="paul@acme.fr", company_name="Initech")

    many, few = found(listing.Filters(q="groupe")), found(listing.Filters(q="Groupe 7"))

    assert many == few == ["Anne Dupont"]


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("name", lambda p: (p.last_name, p.first_name, p.pk)),
        ("-retention", lambda p: (p.retention_until, p.pk)),
        ("-last_contact", lambda p: (p.last_prospect_contact_at or datetime.min.replace(tzinfo=UTC), p.pk)),
        ("company", lambda p: (p.company_sort, p.pk)),
        ("-owner", lambda p: (p.owner_id, p.pk)),
    ],
)
def test_a_sorted_list_pages_by_keyset_through_every_row_once_in_order(rep, other_rep, sort, key):
    made = factories.many_prospects(by=rep, count=23)
    Prospect.objects.filter(pk__in=[p.pk for p in made[::3]]).update(last_prospect_contact_at=timezone.now())
    Prospect.objects.filter(pk__in=[p.pk for p in made[::2]]).update(last_name="Aubert")
    Prospect.objects.filter(pk__in=[p.pk for p in made[::4]]).update(company_sort="Globex", owner=other_rep)
    expected = sorted(Prospect.objects.all(), key=key, reverse=sort.startswith("-"))

    seen, cursor = [], ""
    while True:
        rows, cursor = listing.sorted_page(Prospect.objects.visible_to(rep), sort=sort, after=cursor, size=5)
        seen += rows
        if not cursor:
            break

    assert [p.pk for p in seen] == [p.pk for p in expected]


@pytest.mark.parametrize("descending", [False, True])
def test_the_stage_sort_pages_through_every_row_once_in_the_pipelines_order(rep, descending):
    from prospects.models import Stage

    made = factories.many_prospects(by=rep, count=17)
    stages = list(Stage.objects.order_by("position", "pk"))
    # The admin put the last stage first: the order is the pipeline's, not the stages' ids.
    Stage.objects.filter(pk=stages[-1].pk).update(position=0)
    Stage.objects.filter(pk__in=[s.pk for s in stages[:-1]]).update(position=models.F("position") + 1)
    order = [stages[-1], *stages[:-1]]
    for index, prospect in enumerate(made):
        prospect.stage = None if index % 5 == 4 else order[index % 3 * 2]
    Prospect.objects.bulk_update(made, ["stage"])
    rank = {stage.pk: position for position, stage in enumerate(order)}
    expected = sorted(made, key=lambda p: (rank.get(p.stage_id, len(order)), p.pk), reverse=descending)

    seen, cursor = [], ""
    while True:
        rows, cursor = listing.sorted_page(
            Prospect.objects.visible_to(rep), sort="-stage" if descending else "stage", after=cursor, size=4
        )
        seen += rows
        if not cursor:
            break

    assert [p.pk for p in seen] == [p.pk for p in expected]
