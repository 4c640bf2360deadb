"""The list page's rows (the prospect_rows tag): each cell as the row template wrote it.

The rows are written in Python for the list page's speed (issue 16, acceptance 3): these
pin what a row shows, cell by cell, and that a page costs the same queries however many
rows it shows.
"""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.accounts import team_of
from prospects.models import Prospect, Stage
from tests import factories

pytestmark = pytest.mark.django_db
LIST = reverse("prospects:list")


def _row_of(page: str, prospect: Prospect) -> str:
    start = page.index(f'<a href="/prospects/{prospect.pk}/">')
    return page[page.rindex("<tr>", 0, start) : page.index("</tr>", start) + len("</tr>")]


def test_a_row_shows_its_dates_in_the_current_time_zone_and_language(rep_client, rep):
    prospect = factories.prospect(by=rep)
    # 23:30 UTC on 1 March is already 2 March in Paris (the product's time zone).
    Prospect.objects.filter(pk=prospect.pk).update(
        created_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
        last_prospect_contact_at=datetime(2026, 6, 30, 22, 15, tzinfo=UTC),
        retention_until=date(2029, 7, 14),
    )

    english = _row_of(rep_client.get(LIST).content.decode(), prospect)
    french = _row_of(rep_client.get(LIST, HTTP_ACCEPT_LANGUAGE="fr").content.decode(), prospect)

    assert '<time datetime="2026-03-02T00:30:00+01:00">2 March 2026</time>' in english
    assert '<time datetime="2026-07-01T00:15:00+02:00">1 July 2026</time>' in english
    assert '<time datetime="2029-07-14">14 July 2029</time>' in english
    assert '<time datetime="2026-03-02T00:30:00+01:00">2 mars 2026</time>' in french
    assert '<time datetime="2029-07-14">14 juillet 2029</time>' in french


def test_a_row_without_company_stage_or_contact_shows_empty_cells(rep_client, rep):
    rep.first_name = rep.last_name = ""
    rep.save()
    prospect = factories.prospect(by=rep, company_name="", job_title="Buyer")
    Prospect.objects.filter(pk=prospect.pk).update(stage=None, last_prospect_contact_at=None)

    row = _row_of(rep_client.get(LIST).content.decode(), prospect)

    assert "<td></td><td>Buyer</td>" in row
    assert "<td>—</td><td>rep</td>" in row  # no stage; an owner without a name by their username
    assert "\n  <td>—</td>\n" in row  # no contact from the prospect


def test_a_row_names_its_stage_and_its_owner_by_their_full_name(rep_client, rep):
    rep.first_name, rep.last_name = "Anne", "Martin"
    rep.save()
    prospect = factories.prospect(by=rep, company_name="Fonderie <Nord>")
    stage = Stage.objects.order_by("position")[2]
    Prospect.objects.filter(pk=prospect.pk).update(stage=stage)

    row = _row_of(rep_client.get(LIST).content.decode(), prospect)

    assert "<td>Fonderie &lt;Nord&gt;</td>" in row
    assert f"<td>{stage.name}</td><td>Anne Martin</td>" in row
    assert f'value="{prospect.pk}" form="bulk" aria-label="Jean Dupont"' in row


def test_a_reader_sees_rows_without_selection_or_removal(client, rep, dpo):
    prospect = factories.prospect(by=rep)
    on_list = factories.prospect_list(by=rep, members=[prospect])
    factories.log_in(client, dpo)

    page = client.get(LIST, {"in_list": on_list.pk}).content.decode()

    row = _row_of(page, prospect)
    assert 'name="selected"' not in row
    assert "remove" not in row


def test_an_editor_removes_a_row_from_the_list_shown(rep_client, rep):
    prospect = factories.prospect(by=rep, first_name="Zoé", last_name="<Dupré>", email="zoe@acme.fr")
    on_list = factories.prospect_list(by=rep, name='Salon "B" & co', members=[prospect])

    row = _row_of(rep_client.get(LIST, {"in_list": on_list.pk}).content.decode(), prospect)

    assert f'action="/prospects/{prospect.pk}/lists/remove/"' in row
    assert 'name="csrfmiddlewaretoken" value="' in row
    assert f'<input type="hidden" name="from_list" value="{on_list.pk}">' in row
    assert 'aria-label="Remove Zoé &lt;Dupré&gt; from Salon &quot;B&quot; &amp; co"' in row


def test_the_page_costs_the_same_queries_for_three_rows_as_for_fifty(rep_client, rep, other_rep):
    for first_name in ("Ana", "Bob", "Cyd"):
        factories.prospect(by=rep, first_name=first_name)
    rep_client.get(LIST)  # the session's first request may write it
    few = _queries(rep_client)
    factories.many_prospects(by=rep, count=60)
    # Other owners, companies and stages among the rows: none is read row by row.
    newest = Prospect.objects.order_by("-created_at").values("pk")
    Prospect.objects.filter(pk__in=newest[:20]).update(owner=other_rep, team=team_of(rep), company=None)
    Prospect.objects.filter(pk__in=newest[10:40]).update(stage=Stage.objects.order_by("position").last())

    page = rep_client.get(LIST).content.decode()

    assert page.count('name="selected"') == 50
    assert page.count("<td>Rep2 Test</td>") == 20
    assert few > 0
    assert _queries(rep_client) == few


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    return len(captured)
