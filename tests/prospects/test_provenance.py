"""The evidence each source type requires, and the refusal of scraped data (CNIL, KASPR 2024)."""

import pytest

from prospects.provenance import ProvenanceError, clean_evidence, policy_source
from tests import factories
from tests.factories import EVIDENCE


def test_complete_business_card_evidence_is_kept_normalised():
    raw = {"event": " VivaTech ", "place": "Paris", "date": "2026-06-12", "collector": "Camille"}

    evidence = clean_evidence("business_card", raw)

    assert evidence == {
        "event": "VivaTech",
        "place": "Paris",
        "date": "2026-06-12",
        "collector": "Camille",
        "notice_given": False,
    }


@pytest.mark.parametrize("source_type", ["scraping", "email_finder", "extension", "crawler"])
def test_scraping_source_types_are_refused_citing_kaspr_and_the_cnil(source_type):
    with pytest.raises(ProvenanceError) as refused:
        clean_evidence(source_type, {})

    assert refused.value.field == "type"
    assert "KASPR" in refused.value.message
    assert "CNIL" in refused.value.message


def test_unknown_source_type_is_refused_naming_the_type():
    with pytest.raises(ProvenanceError) as refused:
        clean_evidence("met_at_the_pub", {})

    assert refused.value.field == "type"
    assert "met_at_the_pub" in refused.value.message


def test_broker_source_without_contract_ref_is_refused_naming_it():
    evidence = {key: value for key, value in EVIDENCE["broker"].items() if key != "contract_ref"}

    with pytest.raises(ProvenanceError) as refused:
        clean_evidence("broker", evidence)

    assert refused.value.field == "contract_ref"
    assert "Contract reference" in refused.value.message


@pytest.mark.parametrize("copied", ["headline", "email", "phone", "current_company"])
def test_linkedin_source_with_copied_profile_fields_is_refused(copied):
    evidence = {**EVIDENCE["linkedin_connection"], copied: "Head of purchasing at Acme"}

    with pytest.raises(ProvenanceError) as refused:
        clean_evidence("linkedin_connection", evidence)

    assert refused.value.field == copied
    assert f"“{copied}” is not kept" in refused.value.message
    assert "profile link only" in refused.value.message


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/sales/lead/ACwAAB1234,NAME_SEARCH,abcd",
        "https://www.linkedin.com/sales/people/ACwAAB1234",
        "https://www.linkedin.com/talent/profile/AEMAAB1234",
    ],
)
def test_prospecting_tool_profile_links_are_refused(url):
    with pytest.raises(ProvenanceError) as refused:
        clean_evidence("linkedin_public_profile", {"profile_url": url})

    assert refused.value.field == "profile_url"
    assert "Sales Navigator" in refused.value.message


def test_linkedin_profile_link_is_kept_in_its_normal_form():
    raw = {"profile_url": "https://fr.linkedin.com/in/Jean-Dupont-Acme/?originalSubdomain=fr"}

    evidence = clean_evidence("linkedin_connection", raw)

    assert evidence == {"profile_url": "linkedin.com/in/jean-dupont-acme"}


@pytest.mark.parametrize(
    ("source_type", "field", "value"),
    [
        ("business_card", "collector", "Kaspr extension"),
        ("business_card", "event", "Lusha export"),
        ("manual", "description", "Found with an email finder"),
        ("manual", "description", "Scraped from the speakers page"),
        ("broker", "broker", "Dropcontact"),
    ],
)
def test_evidence_mentioning_a_harvesting_tool_is_refused(source_type, field, value):
    evidence = {**EVIDENCE[source_type], field: value}

    with pytest.raises(ProvenanceError) as refused:
        clean_evidence(source_type, evidence)

    assert refused.value.field == field
    assert "KASPR" in refused.value.message


def test_evidence_date_in_the_future_is_refused():
    evidence = {**EVIDENCE["business_card"], "date": "2999-01-01"}

    with pytest.raises(ProvenanceError) as refused:
        clean_evidence("business_card", evidence)

    assert refused.value.field == "date"


def test_broker_without_proof_of_information_fails_closed_at_the_gate():
    evidence = clean_evidence("broker", {**EVIDENCE["broker"], "information_proof": ""})

    source = policy_source("broker", evidence)

    assert source == "broker_without_proof"


@pytest.mark.django_db
def test_the_prospect_page_shows_an_evidence_date_in_the_one_date_format(client, rep):
    """Issue 19, Build 3: one date format per language on pages, evidence dates included."""
    person = factories.prospect(by=rep, source_type="broker", evidence=factories.EVIDENCE["broker"])
    factories.log_in(client, rep)

    page = client.get(person.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "1 October 2026" in page and "2026-10-01" not in page
