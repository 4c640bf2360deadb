"""The prospects API: the same rules as the pages, errors as JSON naming the field."""

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from org.models import AccessAction, AccessLog
from prospects.models import Interaction, InteractionType, Prospect
from tests import factories

LIST = "/api/prospects/"


def api_for(user) -> APIClient:
    client = APIClient()
    factories.log_in(client, user)
    return client


def payload(source: dict | None = None, **overrides) -> dict:
    body = {
        "first_name": "Jean",
        "last_name": "Dupont",
        "company": "Acme",
        "email": "jean.dupont@acme.fr",
        "source": source
        if source is not None
        else {"type": "business_card", **factories.EVIDENCE["business_card"]},
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


@pytest.fixture
def api(rep):
    return api_for(rep)


@pytest.fixture
def foreign_rep(db):
    return factories.user(role="sales", username="export-rep", team=factories.team("Export"))


# --- Logging a prospect ----------------------------------------------------------------------


def test_rep_logs_a_prospect_with_its_source(api, rep):
    response = api.post(LIST, payload(), format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["owner"], body["email"], body["audience"]) == (
        "rep",
        "jean.dupont@acme.fr",
        "b2b_nominative",
    )
    assert body["sources"][0]["type"] == "business_card"
    assert body["retention_until"] == (timezone.localdate() + relativedelta(years=3)).isoformat()
    assert Prospect.objects.get().owner == rep


def test_prospect_without_source_is_refused_naming_source_and_nothing_is_stored(api):
    before = factories.stored_rows()
    body = payload()
    del body["source"]

    response = api.post(LIST, body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["source"]
    assert "without its source" in response.json()["source"][0]
    assert factories.stored_rows() == before


def test_scraping_source_is_refused_naming_source_type_and_nothing_is_stored(api):
    before = factories.stored_rows()

    response = api.post(LIST, payload({"type": "scraping"}, company="Scraped Co"), format="json")

    assert response.status_code == 400
    message = response.json()["source"]["type"][0]
    assert "KASPR" in message
    assert "CNIL" in message
    assert factories.stored_rows() == before


def test_source_that_is_not_an_object_is_refused_naming_its_type(api):
    response = api.post(LIST, payload("linkedin"), format="json")

    assert response.status_code == 400
    assert "type" in response.json()["source"]
    assert not Prospect.objects.exists()


def test_broker_source_without_contract_ref_is_refused_naming_it(api):
    evidence = {key: value for key, value in factories.EVIDENCE["broker"].items() if key != "contract_ref"}

    response = api.post(LIST, payload({"type": "broker", **evidence}), format="json")

    assert response.status_code == 400
    assert list(response.json()["source"]) == ["contract_ref"]
    assert not Prospect.objects.exists()


def test_linkedin_source_with_copied_profile_fields_is_refused(api):
    source = {
        "type": "linkedin_connection",
        **factories.EVIDENCE["linkedin_connection"],
        "headline": "CFO at Acme",
    }

    response = api.post(LIST, payload(source), format="json")

    assert response.status_code == 400
    assert list(response.json()["source"]) == ["headline"]
    assert not Prospect.objects.exists()


def test_sales_navigator_link_is_refused(api):
    source = {
        "type": "linkedin_public_profile",
        "profile_url": "https://www.linkedin.com/sales/lead/ACwAAB12,NAME,x",
    }

    response = api.post(LIST, payload(source), format="json")

    assert response.status_code == 400
    assert "Sales Navigator" in response.json()["source"]["profile_url"][0]


def test_evidence_naming_a_harvesting_tool_is_refused(api):
    source = {"type": "business_card", **factories.EVIDENCE["business_card"], "collector": "Kaspr extension"}

    response = api.post(LIST, payload(source), format="json")

    assert response.status_code == 400
    assert "KASPR" in response.json()["source"]["collector"][0]
    assert not Prospect.objects.exists()


def test_audience_override_without_justification_is_refused(api):
    response = api.post(
        LIST, payload(email="jean.dupont@gmail.com", audience="b2b_nominative"), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["audience_justification"]


def test_audience_override_with_justification_is_stored(api):
    body = payload(
        email="contact@acme.fr", audience="b2b_nominative", audience_justification="Sole trader's address."
    )

    response = api.post(LIST, body, format="json")

    assert response.status_code == 201
    prospect = Prospect.objects.get()
    assert (prospect.audience, prospect.audience_justification) == (
        "b2b_nominative",
        "Sole trader's address.",
    )


def test_a_free_mail_on_a_linkedin_prospect_stays_private_whatever_is_declared(api):
    """docs/rules.md §1.7: the §1.2 override never applies to a LinkedIn contact's private address."""
    source = {"type": "linkedin_connection", **factories.EVIDENCE["linkedin_connection"]}
    professional = {"audience": "b2b_nominative", "audience_justification": "Freelancer, says it is for work"}

    kept = api.post(LIST, payload(source, email="jean.dupont@gmail.com"), format="json")
    other = {"type": "linkedin_connection", "profile_url": "https://www.linkedin.com/in/paul-durand"}
    declared = api.post(LIST, payload(other, email="paul.durand@gmail.com", **professional), format="json")

    assert kept.status_code == 201
    assert kept.json()["audience"] == "b2c"
    assert declared.status_code == 400
    assert "LinkedIn" in declared.json()["audience"][0]


def test_duplicate_phone_in_another_format_is_refused_naming_the_existing_record(api, rep):
    existing = factories.prospect(by=rep, email="", phone="06 12 34 56 78")

    response = api.post(LIST, payload(email="", phone="+33 6 12 34 56 78"), format="json")

    assert response.status_code == 400
    assert response.json() == {"phone": [f"Already recorded for Jean Dupont (prospect #{existing.pk})."]}


def test_another_team_s_duplicate_names_the_team_only_and_is_logged(api, rep, foreign_rep):
    theirs = factories.prospect(by=foreign_rep, first_name="Zoé", last_name="Secret", email="zoe@acme.fr")

    response = api.post(LIST, payload(email="zoe@acme.fr"), format="json")

    assert response.status_code == 400
    message = response.json()["email"][0]
    assert message == "Already recorded in the organisation, by the Export team: ask them."
    assert "Secret" not in response.content.decode() and str(theirs.pk) not in response.content.decode()
    assert AccessLog.objects.filter(
        user=rep, prospect_id=theirs.pk, action=AccessAction.DUPLICATE_CHECK
    ).exists()


@pytest.mark.parametrize("name", ["Jean\tDupont", "Jean\nDupont", "Jean\x1b[31m"])
def test_a_name_with_a_control_character_is_refused_naming_the_field(api, name):
    response = api.post(LIST, payload(first_name=name), format="json")

    assert response.status_code == 400
    assert "control characters" in response.json()["first_name"][0]
    assert not Prospect.objects.exists()


def test_first_note_with_an_insult_is_refused_and_nothing_is_stored(api):
    before = factories.stored_rows()

    response = api.post(LIST, payload(note="Arrogant idiot, but has budget."), format="json")

    assert response.status_code == 400
    assert "insulting" in response.json()["note"][0]
    assert factories.stored_rows() == before


# --- Edits -------------------------------------------------------------------------------------


def test_patch_edits_the_prospect_and_keeps_the_previous_version(api, rep):
    prospect = factories.prospect(by=rep, job_title="Buyer")

    response = api.patch(f"{LIST}{prospect.pk}/", {"job_title": "CFO"}, format="json")

    assert response.status_code == 200
    assert [v.job_title for v in prospect.history.order_by("history_date", "history_id")] == ["Buyer", "CFO"]
    assert prospect.history.latest().history_user == rep


def test_patch_to_an_existing_email_is_refused(api, rep):
    factories.prospect(by=rep, first_name="Anne", last_name="Martin", email="anne.martin@acme.fr")
    prospect = factories.prospect(by=rep)

    response = api.patch(f"{LIST}{prospect.pk}/", {"email": "ANNE.MARTIN@acme.fr"}, format="json")

    assert response.status_code == 400
    assert "Anne Martin" in response.json()["email"][0]
    assert prospect.history.count() == 1


# --- Interactions ------------------------------------------------------------------------------


def test_email_open_through_the_api_does_not_move_the_deadline(api, met_last_spring):
    deadline = met_last_spring.retention_until

    response = api.post(f"{LIST}{met_last_spring.pk}/interactions/", {"type": "email_open"}, format="json")

    assert response.status_code == 201
    assert response.json()["is_voluntary_prospect_contact"] is False
    met_last_spring.refresh_from_db()
    assert met_last_spring.retention_until == deadline


def test_reply_through_the_api_restarts_the_three_years(api, met_last_spring):
    response = api.post(f"{LIST}{met_last_spring.pk}/interactions/", {"type": "email_reply"}, format="json")

    assert response.status_code == 201
    assert response.json()["is_voluntary_prospect_contact"] is True
    met_last_spring.refresh_from_db()
    assert met_last_spring.retention_until == timezone.localdate() + relativedelta(years=3)


def test_interactions_are_listed_newest_first(api, rep):
    prospect = factories.prospect(by=rep)
    api.post(f"{LIST}{prospect.pk}/interactions/", {"type": "email_sent"}, format="json")
    api.post(f"{LIST}{prospect.pk}/interactions/", {"type": "email_reply"}, format="json")

    response = api.get(f"{LIST}{prospect.pk}/interactions/")

    assert [row["type"] for row in response.json()["results"]] == ["email_reply", "email_sent"]


def test_interaction_with_health_data_in_its_summary_is_refused(api, rep):
    prospect = factories.prospect(by=rep)

    response = api.post(
        f"{LIST}{prospect.pk}/interactions/",
        {"type": "call_inbound", "summary": "Off sick all month."},
        format="json",
    )

    assert response.status_code == 400
    assert "summary" in response.json()
    assert not Interaction.objects.exists()


# --- Search and filters ------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["JEAN.Dupont@acme.fr", "06 12 34 56 78", "+33612345678", "dupont"])
def test_list_search_finds_by_email_phone_or_name(api, rep, q):
    jean = factories.prospect(by=rep, email="jean.dupont@acme.fr", phone="0612345678")
    factories.prospect(by=rep, first_name="Anne", last_name="Martin", email="anne.martin@acme.fr")

    response = api.get(LIST, {"q": q})

    assert [row["id"] for row in response.json()["results"]] == [jean.pk]


def test_list_filters_by_source_type_and_audience(api, rep):
    card = factories.prospect(by=rep)
    generic = factories.prospect(by=rep, first_name="Accueil", last_name="Globex", email="contact@globex.fr")

    by_source = api.get(LIST, {"source_type": "business_card", "audience": "b2b_nominative"})
    by_audience = api.get(LIST, {"audience": "b2b_generic"})

    assert [row["id"] for row in by_source.json()["results"]] == [card.pk]
    assert [row["id"] for row in by_audience.json()["results"]] == [generic.pk]


def test_unknown_filter_value_is_refused_naming_the_parameter(api):
    response = api.get(LIST, {"source_type": "scraping"})

    assert response.status_code == 400
    assert list(response.json()) == ["source_type"]


# --- Who may see and do what ---------------------------------------------------------------------


def test_dpo_reads_the_list_and_a_prospect(dpo, rep):
    prospect = factories.prospect(by=rep)
    api = api_for(dpo)

    listing = api.get(LIST)
    detail = api.get(f"{LIST}{prospect.pk}/")

    assert [row["id"] for row in listing.json()["results"]] == [prospect.pk]
    assert detail.status_code == 200
    assert detail.json()["email"] == "jean.dupont@acme.fr"


def test_dpo_cannot_log_edit_or_add_to_a_prospect(dpo, rep):
    prospect = factories.prospect(by=rep)
    api = api_for(dpo)
    before = factories.stored_rows()

    created = api.post(LIST, payload(email="anne.martin@acme.fr"), format="json")
    patched = api.patch(f"{LIST}{prospect.pk}/", {"job_title": "CFO"}, format="json")
    put = api.put(f"{LIST}{prospect.pk}/", payload(), format="json")
    interaction = api.post(f"{LIST}{prospect.pk}/interactions/", {"type": "email_reply"}, format="json")

    assert [r.status_code for r in (created, patched, put, interaction)] == [403, 403, 403, 403]
    assert factories.stored_rows() == before


def test_nobody_deletes_a_prospect_through_the_api(api, rep):
    prospect = factories.prospect(by=rep)

    response = api.delete(f"{LIST}{prospect.pk}/")

    assert response.status_code in (403, 405)
    assert Prospect.objects.filter(pk=prospect.pk).exists()


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"job_title": "CFO"}),
        ("get", "interactions/", None),
        ("post", "interactions/", {"type": "email_reply"}),
    ],
)
def test_rep_of_another_team_gets_not_found(foreign_rep, rep, method, suffix, body):
    prospect = factories.prospect(by=rep)

    response = getattr(api_for(foreign_rep), method)(f"{LIST}{prospect.pk}/{suffix}", body, format="json")

    assert response.status_code == 404
    assert prospect.history.count() == 1
    assert not prospect.interactions.exists()


def test_list_holds_only_the_team_prospects(foreign_rep, rep):
    factories.prospect(by=rep)
    theirs = factories.prospect(
        by=foreign_rep, first_name="Hans", last_name="Weber", email="hans.weber@acme.de"
    )

    response = api_for(foreign_rep).get(LIST)

    assert [row["id"] for row in response.json()["results"]] == [theirs.pk]


def test_token_authenticates_a_rep(rep):
    factories.prospect(by=rep)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rep).key}")

    response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_anonymous_caller_is_refused(db):
    response = APIClient().get(LIST)

    assert response.status_code in (401, 403)


def test_rep_who_has_not_acknowledged_the_code_is_refused(db):
    newcomer = factories.user(role="sales", username="newcomer", acknowledged=False)

    response = api_for(newcomer).get(LIST)

    assert response.status_code == 403
    assert "code of conduct" in response.json()["detail"]


def test_patch_of_the_email_reclassifies_an_automatic_audience(api, rep):
    prospect = factories.prospect(by=rep)

    response = api.patch(f"{LIST}{prospect.pk}/", {"email": "contact@acme.fr"}, format="json")

    assert response.status_code == 200
    assert response.json()["audience"] == "b2b_generic"


def test_patch_keeps_an_audience_set_by_hand_with_its_justification(api, rep):
    prospect = factories.prospect(
        by=rep, email="jean.dupont@gmail.com", audience="b2b_nominative", audience_justification="Freelancer."
    )

    response = api.patch(f"{LIST}{prospect.pk}/", {"job_title": "CFO"}, format="json")

    assert response.status_code == 200
    assert (response.json()["audience"], response.json()["audience_justification"]) == (
        "b2b_nominative",
        "Freelancer.",
    )


def test_api_pages_through_rows_that_share_one_creation_time_once_each(api, rep):
    made = factories.many_prospects(by=rep, count=120)
    Prospect.objects.update(created_at=timezone.now())  # as rows loaded in one import batch

    seen, url = [], "/api/prospects/"
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    assert sorted(seen) == sorted(p.pk for p in made)
    assert len(seen) == len(set(seen))


def test_a_tampered_api_cursor_is_a_clear_404(api):
    response = api.get("/api/prospects/", {"cursor": "not-a-cursor"})

    assert response.status_code == 404


def test_the_representation_built_by_hand_is_what_drf_would_build(rep):
    from rest_framework import serializers as drf

    from prospects.api import ProspectSerializer, SourceSerializer
    from prospects.timeline import record_interaction

    people = [
        factories.prospect(by=rep, email="anne.martin@acme.fr", company_name=""),
        factories.prospect(by=rep, first_name="Paul", phone="+33 6 12 34 56 78", source_type="broker"),
        factories.prospect(
            by=rep,
            first_name="Claire",
            linkedin_url="https://www.linkedin.com/in/claire-petit",
            source_type="linkedin_connection",
            evidence={"profile_url": "https://www.linkedin.com/in/claire-petit"},
        ),
    ]
    record_interaction(people[0], type=InteractionType.EMAIL_REPLY, by=rep)
    listed = Prospect.objects.filter(pk__in=[p.pk for p in people]).select_related("company", "owner")
    serializer, source_serializer = ProspectSerializer(), SourceSerializer()
    sources = [source for person in listed for source in person.sources.all()]

    ours = [serializer.to_representation(p) for p in listed.prefetch_related("sources")]
    drfs = [drf.ModelSerializer.to_representation(serializer, p) for p in listed.prefetch_related("sources")]
    our_sources = [source_serializer.to_representation(source) for source in sources]
    drf_sources = [drf.ModelSerializer.to_representation(source_serializer, source) for source in sources]

    assert ours == drfs
    assert our_sources == drf_sources
    assert any(p["last_prospect_contact_at"] for p in ours) and any(p["company"] == "" for p in ours)
