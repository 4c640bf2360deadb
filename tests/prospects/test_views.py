"""The prospect pages: logging, the detail page, notes, edits and who may see what."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats

from prospects.models import Note, Prospect
from tests import factories

NEW = reverse("prospects:create")


def form_data(source_type: str = "business_card", **overrides) -> dict:
    data = {
        "first_name": "Jean",
        "last_name": "Dupont",
        "company_name": "Acme",
        "job_title": "Head of purchasing",
        "email": "jean.dupont@acme.fr",
        "language": "fr",
        "source_type": source_type,
    }
    evidence = factories.EVIDENCE.get(source_type, {})
    data.update({f"evidence_{name}": value for name, value in evidence.items()})
    data.update(overrides)
    return data


def client_for(user) -> Client:
    client = Client()
    factories.log_in(client, user)
    return client


@pytest.fixture
def foreign_rep(db):
    """A rep of another team: need-to-know keeps them out of the first team's prospects."""
    return factories.user(role="sales", username="export-rep", team=factories.team("Export"))


# --- Logging a prospect --------------------------------------------------------------


def test_rep_logs_a_prospect_from_a_business_card(rep_client, rep):
    response = rep_client.post(NEW, form_data())

    prospect = Prospect.objects.get()
    assert response.status_code == 302
    assert response["Location"] == prospect.get_absolute_url()
    assert prospect.owner == rep
    assert prospect.sources.get().evidence["event"] == "VivaTech"


def test_form_without_source_is_refused_naming_the_field_and_stores_nothing(rep_client):
    before = factories.stored_rows()

    response = rep_client.post(NEW, form_data(source_type=""))

    assert response.status_code == 400
    assert "source_type" in response.context["form"].errors
    assert "recorded without its source" in response.text
    assert factories.stored_rows() == before


def test_form_with_a_scraping_source_is_refused_citing_kaspr_and_the_cnil(rep_client):
    before = factories.stored_rows()

    response = rep_client.post(NEW, form_data(source_type="scraping", company_name="Scraped Co"))

    assert response.status_code == 400
    errors = response.context["form"].errors["source_type"]
    assert "KASPR" in errors[0]
    assert "CNIL" in errors[0]
    assert "KASPR" in response.text
    assert factories.stored_rows() == before


def test_form_with_a_broker_source_without_contract_ref_is_refused_naming_it(rep_client):
    before = factories.stored_rows()

    response = rep_client.post(NEW, form_data(source_type="broker", evidence_contract_ref=""))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["evidence_contract_ref"]
    assert factories.stored_rows() == before


def test_form_with_a_sales_navigator_link_is_refused(rep_client):
    url = "https://www.linkedin.com/sales/lead/ACwAAB1234,NAME_SEARCH,x1"

    response = rep_client.post(NEW, form_data(source_type="linkedin_connection", evidence_profile_url=url))

    assert response.status_code == 400
    assert "Sales Navigator" in response.context["form"].errors["evidence_profile_url"][0]
    assert not Prospect.objects.exists()


def test_form_with_copied_linkedin_profile_fields_is_refused_naming_them(rep_client):
    before = factories.stored_rows()

    response = rep_client.post(
        NEW, form_data(source_type="linkedin_connection", evidence_headline="Head of purchasing at Acme")
    )

    assert response.status_code == 400
    assert "“headline” is not kept" in response.context["form"].errors["source_type"][0]
    assert factories.stored_rows() == before


def test_form_with_evidence_naming_a_tool_is_refused(rep_client):
    response = rep_client.post(NEW, form_data(evidence_collector="Kaspr extension"))

    assert response.status_code == 400
    assert "KASPR" in response.context["form"].errors["evidence_collector"][0]
    assert not Prospect.objects.exists()


def test_form_with_a_duplicate_phone_names_the_existing_record(rep_client, rep):
    existing = factories.prospect(by=rep, email="", phone="+33612345678")

    response = rep_client.post(NEW, form_data(email="", phone="06 12 34 56 78"))

    assert response.status_code == 400
    assert f"prospect #{existing.pk}" in response.context["form"].errors["phone"][0]
    assert Prospect.objects.count() == 1


def test_form_with_free_mail_override_and_justification_stores_both(rep_client):
    data = form_data(
        email="jean.dupont@gmail.com",
        audience="b2b_nominative",
        audience_justification="Freelancer: his card gives this address.",
    )

    rep_client.post(NEW, data)

    prospect = Prospect.objects.get()
    assert (prospect.audience, prospect.audience_justification) == (
        "b2b_nominative",
        "Freelancer: his card gives this address.",
    )


@pytest.mark.parametrize(
    ("source_type", "field"),
    [("broker", "evidence_contract_ref"), ("linkedin_connection", "evidence_profile_url")],
)
def test_evidence_fields_follow_the_chosen_source_type(rep_client, source_type, field):
    response = rep_client.get(
        reverse("prospects:evidence"), {"source_type": source_type}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert f'name="{field}"' in response.text
    assert "<html" not in response.text


# --- The detail page -----------------------------------------------------------------


def test_detail_page_shows_when_the_prospect_is_purged(rep_client, rep):
    prospect = factories.prospect(by=rep)

    response = rep_client.get(prospect.get_absolute_url())

    date = formats.date_format(prospect.retention_until, "DATE_FORMAT")
    assert f"Purged on {date}" in response.text


def test_rep_reads_only_their_own_notes(rep_client, rep, other_rep):
    prospect = factories.prospect(by=rep)
    client_for(other_rep).post(
        reverse("prospects:note_add", args=[prospect.pk]), {"text": "Budget owner is the CFO."}
    )
    rep_client.post(reverse("prospects:note_add", args=[prospect.pk]), {"text": "Wants a demo in March."})

    response = rep_client.get(prospect.get_absolute_url())

    assert Note.objects.count() == 2
    assert "Wants a demo in March." in response.text
    assert "Budget owner is the CFO." not in response.text


def test_dpo_reads_every_note(dpo, rep, other_rep):
    prospect = factories.prospect(by=rep)
    client_for(other_rep).post(
        reverse("prospects:note_add", args=[prospect.pk]), {"text": "Budget owner is the CFO."}
    )
    client_for(rep).post(
        reverse("prospects:note_add", args=[prospect.pk]), {"text": "Wants a demo in March."}
    )

    response = client_for(dpo).get(prospect.get_absolute_url())

    assert "Wants a demo in March." in response.text
    assert "Budget owner is the CFO." in response.text


# --- Notes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("En arrêt maladie jusqu'en mai, rappeler après.", "health data"),
        ("Complete idiot, never answers.", "insulting"),
    ],
)
def test_note_with_health_data_or_an_insult_is_refused_on_the_page(rep_client, rep, text, reason):
    prospect = factories.prospect(by=rep)

    response = rep_client.post(reverse("prospects:note_add", args=[prospect.pk]), {"text": text}, follow=True)

    assert reason in response.text
    assert not Note.objects.exists()
    assert not Note.history.exists()


def test_factual_note_is_stored_from_the_page_with_its_history(rep_client, rep):
    prospect = factories.prospect(by=rep)

    rep_client.post(
        reverse("prospects:note_add", args=[prospect.pk]), {"text": "Met at VivaTech; call in March."}
    )

    note = Note.objects.get()
    assert (note.author, note.text) == (rep, "Met at VivaTech; call in March.")
    assert note.history.get().history_user == rep


# --- Edits -----------------------------------------------------------------------------


def test_edit_from_the_page_adds_a_historical_version(rep_client, rep):
    prospect = factories.prospect(by=rep)
    data = {key: value for key, value in form_data().items() if not key.startswith(("evidence_", "source_"))}

    response = rep_client.post(reverse("prospects:edit", args=[prospect.pk]), {**data, "job_title": "CFO"})

    assert response.status_code == 302
    latest = prospect.history.latest()
    assert (latest.history_type, latest.job_title, latest.history_user) == ("~", "CFO", rep)
    assert prospect.history.count() == 2


# --- Who may see and do what -----------------------------------------------------------


def test_dpo_reads_the_list_and_the_detail_page(dpo, rep):
    prospect = factories.prospect(by=rep)
    client = client_for(dpo)

    listing = client.get(reverse("prospects:list"))
    detail = client.get(prospect.get_absolute_url())

    assert listing.status_code == 200
    assert prospect.full_name in listing.text
    assert detail.status_code == 200
    assert reverse("prospects:edit", args=[prospect.pk]) not in detail.text


@pytest.mark.parametrize("name", ["prospects:edit", "prospects:note_add", "prospects:interaction_add"])
def test_dpo_cannot_change_a_prospect(dpo, rep, name):
    prospect = factories.prospect(by=rep)

    response = client_for(dpo).post(reverse(name, args=[prospect.pk]), form_data(text="Note", type="meeting"))

    assert response.status_code == 403
    assert prospect.history.count() == 1
    assert not prospect.notes.exists()
    assert not prospect.interactions.exists()


def test_dpo_cannot_log_a_prospect(dpo):
    response = client_for(dpo).post(NEW, form_data())

    assert response.status_code == 403
    assert not Prospect.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("prospects:detail", "get"),
        ("prospects:edit", "get"),
        ("prospects:edit", "post"),
        ("prospects:note_add", "post"),
        ("prospects:interaction_add", "post"),
    ],
)
def test_rep_of_another_team_gets_not_found(foreign_rep, rep, name, method):
    prospect = factories.prospect(by=rep)

    response = getattr(client_for(foreign_rep), method)(reverse(name, args=[prospect.pk]), {"text": "x"})

    assert response.status_code == 404


def test_list_shows_only_the_team_prospects(foreign_rep, rep, other_rep):
    factories.prospect(by=rep, first_name="Anne", last_name="Martin", email="anne.martin@acme.fr")
    factories.prospect(by=other_rep, first_name="Paul", last_name="Durand", email="paul.durand@acme.fr")
    factories.prospect(by=foreign_rep, first_name="Hans", last_name="Weber", email="hans.weber@acme.de")

    response = client_for(rep).get(reverse("prospects:list"))

    assert [p.full_name for p in response.context["rows"]] == ["Paul Durand", "Anne Martin"]


def test_rep_who_has_not_acknowledged_the_code_reaches_no_prospect_page(db):
    newcomer = factories.user(role="sales", username="newcomer", acknowledged=False)

    response = client_for(newcomer).get(reverse("prospects:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("conduct"))


def test_edit_form_shows_an_automatic_audience_as_automatic(rep_client, rep):
    prospect = factories.prospect(by=rep)

    response = rep_client.get(reverse("prospects:edit", args=[prospect.pk]))

    assert response.context["form"]["audience"].value() == ""


def test_edit_form_keeps_an_audience_set_by_hand(rep_client, rep):
    prospect = factories.prospect(
        by=rep, email="jean.dupont@gmail.com", audience="b2b_nominative", audience_justification="Freelancer."
    )

    response = rep_client.get(reverse("prospects:edit", args=[prospect.pk]))

    assert response.context["form"]["audience"].value() == "b2b_nominative"


def test_new_email_from_the_edit_form_reclassifies_an_automatic_audience(rep_client, rep):
    prospect = factories.prospect(by=rep)
    form = rep_client.get(reverse("prospects:edit", args=[prospect.pk])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}

    response = rep_client.post(
        reverse("prospects:edit", args=[prospect.pk]), {**data, "email": "contact@acme.fr"}
    )

    assert response.status_code == 302
    assert Prospect.objects.get(pk=prospect.pk).audience == "b2b_generic"
