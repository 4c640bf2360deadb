"""The list page's fixed cost: its forms' owners, lists and stages read once, the same HTML.

The filter form and the bulk form offer the same accounts, lists and stages. Each choice
field iterating its own queryset cost a query (and, on PostgreSQL, a server-side cursor)
per field: ``forms.Offered`` reads each once for the page, and the forms render exactly what
they rendered from their querysets.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from org.accounts import team_of
from prospects import ownership
from prospects.forms import BulkForm, FilterForm, Offered
from prospects.models import ProspectList, Stage
from tests import factories

pytestmark = pytest.mark.django_db
LIST = reverse("prospects:list")
# Session, user (roles and the code of conduct read with it), owners, lists, stages, the
# page, its count, the saved views.
LIST_PAGE_QUERIES = 8


@pytest.fixture
def workspace(rep, other_rep):
    """Two reps of the team and a departed one, two lists (one with markup in its name)."""
    gone = factories.user(role="sales", username="gone", team=team_of(rep))
    gone.is_active = False
    gone.save()
    factories.prospect_list(by=rep, name='Fair <b>"2026"</b> & co')
    factories.prospect_list(by=rep, name="Spring leads")
    factories.many_prospects(by=rep, count=60)
    return {"gone": gone}


def forms_as_rendered(rep, data, *, offered: bool) -> dict[str, str]:
    owners = ownership.possible_owners(rep)
    lists = ProspectList.objects.visible_to(rep)
    shown = Offered.read(owners=owners, lists=lists) if offered else None
    filters = FilterForm(data, owners=owners, lists=lists, offered=shown)
    filters.is_valid()
    bulk = BulkForm(data, owners=owners.filter(is_active=True), lists=lists, offered=shown)
    return {f"filter {f.name}": str(f) for f in filters} | {f"bulk {f.name}": str(f) for f in bulk}


@pytest.mark.parametrize(
    "choose",
    [
        lambda rep, w: None,
        lambda rep, w: {"owner": str(rep.pk), "stage": str(Stage.objects.order_by("position")[1].pk)},
        lambda rep, w: {
            "in_list": str(ProspectList.objects.order_by("pk").first().pk),
            "to_list": str(ProspectList.objects.order_by("pk").last().pk),
            "new_owner": str(rep.pk),
            "step_owner": str(rep.pk),
            "to_stage": str(Stage.objects.order_by("position").last().pk),
            "action": "set_stage",
        },
        lambda rep, w: {"owner": str(w["gone"].pk), "stage": "999999", "q": "ab"},
    ],
    ids=["unbound", "chosen", "bulk choices", "invalid"],
)
def test_the_forms_render_the_same_html_from_the_choices_read_once(rep, workspace, choose):
    data = choose(rep, workspace)

    from_querysets = forms_as_rendered(rep, data, offered=False)
    read_once = forms_as_rendered(rep, data, offered=True)

    assert read_once == from_querysets
    assert "Fair &lt;b&gt;&#34;2026&#34;&lt;/b&gt; &amp; co" in read_once["filter in_list"]
    assert ">Gone Test<" in read_once["filter owner"]
    assert ">Gone Test<" not in read_once["bulk new_owner"]
    assert ">won<" not in read_once["bulk to_stage"]


def test_a_choice_read_once_is_still_checked_against_the_fields_queryset(rep, workspace):
    outsider = factories.user(role="sales", username="outsider", team=factories.team("Elsewhere"))
    owners = ownership.possible_owners(rep)
    lists = ProspectList.objects.visible_to(rep)
    offered = Offered.read(owners=owners, lists=lists)

    form = FilterForm({"owner": str(outsider.pk)}, owners=owners, lists=lists, offered=offered)

    assert not form.is_valid()
    assert "owner" in form.errors


def test_the_list_page_reads_each_choice_once(rep_client, workspace, django_assert_max_num_queries):
    rep_client.get(LIST)  # the session's first request may write it

    with django_assert_max_num_queries(LIST_PAGE_QUERIES):
        response = rep_client.get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(">Spring leads</option>") == 2  # the filter's and the bulk action's
    colleague = get_user_model().objects.get(username="rep2")
    # The owner filter's, the bulk assignment's and the bulk next step's (other selects may hold
    # an option of the same value: a stage or a list with the same id).
    name = re.escape(colleague.get_full_name())  # accounts are offered by the person's name
    owner_option = re.compile(rf'<option value="{colleague.pk}">{name}</option>')
    assert len(owner_option.findall(page)) == 3


def test_the_next_rows_read_no_choice(rep_client, workspace, django_assert_max_num_queries):
    rep_client.get(LIST)
    after = rep_client.get(LIST).context["next_cursor"]

    with django_assert_max_num_queries(LIST_PAGE_QUERIES - 3):
        response = rep_client.get(LIST, {"after": after}, headers={"HX-Request": "true", "HX-Target": "more"})

    assert response.status_code == 200
    assert "<select" not in response.content.decode()
