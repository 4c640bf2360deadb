"""Logging and editing a prospect: provenance, audience, duplicates, history (issue 3)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prospects import suppression
from prospects.identity import blind_index
from prospects.intake import ProspectData, SourceData, create_prospect, update_prospect
from prospects.models import Note, Prospect, Suppression
from tests import factories
from tests.factories import EVIDENCE


def jean(**overrides) -> ProspectData:
    fields = {
        "first_name": "Jean",
        "last_name": "Dupont",
        "company_name": "Acme",
        "email": "jean.dupont@acme.fr",
    }
    return ProspectData(**{**fields, **overrides})


def card(**evidence) -> SourceData:
    return SourceData(type="business_card", evidence={**EVIDENCE["business_card"], **evidence})


def refusal(data: ProspectData, source: SourceData | None, by) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        create_prospect(data, source=source, by=by)
    return refused.value.message_dict


# --- Provenance ----------------------------------------------------------------------


def test_prospect_without_source_is_refused_and_nothing_is_stored(rep):
    before = factories.stored_rows()

    errors = refusal(jean(note="Met at the fair"), None, rep)

    assert list(errors) == ["source"]
    assert "without its source" in errors["source"][0]
    assert factories.stored_rows() == before


def test_prospect_from_scraping_is_refused_citing_kaspr_and_nothing_is_stored(rep):
    before = factories.stored_rows()

    errors = refusal(jean(company_name="New Co"), SourceData(type="scraping", evidence={}), rep)

    assert list(errors) == ["source.type"]
    assert "KASPR" in errors["source.type"][0]
    assert "CNIL" in errors["source.type"][0]
    assert factories.stored_rows() == before


def test_broker_source_without_contract_ref_is_refused_naming_the_field(rep):
    evidence = {key: value for key, value in EVIDENCE["broker"].items() if key != "contract_ref"}
    before = factories.stored_rows()

    errors = refusal(jean(), SourceData(type="broker", evidence=evidence), rep)

    assert list(errors) == ["source.contract_ref"]
    assert factories.stored_rows() == before


def test_linkedin_source_with_a_copied_headline_is_refused(rep):
    evidence = {**EVIDENCE["linkedin_connection"], "headline": "Head of purchasing at Acme"}

    errors = refusal(jean(), SourceData(type="linkedin_connection", evidence=evidence), rep)

    assert list(errors) == ["source.headline"]


def test_sales_navigator_link_is_refused_as_a_source(rep):
    evidence = {"profile_url": "https://www.linkedin.com/sales/lead/ACwAAB1234,NAME_SEARCH,x1"}

    errors = refusal(jean(), SourceData(type="linkedin_public_profile", evidence=evidence), rep)

    assert "Sales Navigator" in errors["source.profile_url"][0]


def test_evidence_naming_a_harvesting_tool_is_refused(rep):
    errors = refusal(jean(), card(collector="Kaspr extension"), rep)

    assert list(errors) == ["source.collector"]
    assert "KASPR" in errors["source.collector"][0]


def test_source_and_evidence_are_stored_with_the_prospect(rep):
    prospect = create_prospect(jean(), source=card(notice_given="on"), by=rep)

    source = prospect.sources.get()
    assert source.type == "business_card"
    assert source.evidence["collector"] == "Camille"
    assert source.notice == "at_collection"
    assert source.recorded_by == rep


def test_linkedin_profile_is_taken_from_the_linkedin_source(rep):
    source = SourceData(type="linkedin_connection", evidence=EVIDENCE["linkedin_connection"])

    prospect = create_prospect(jean(email=""), source=source, by=rep)

    assert prospect.linkedin_url == "linkedin.com/in/jean-dupont-acme"
    assert prospect.linkedin_index


def test_linkedin_profile_differing_from_the_source_is_refused(rep):
    source = SourceData(type="linkedin_connection", evidence=EVIDENCE["linkedin_connection"])

    errors = refusal(jean(linkedin_url="https://www.linkedin.com/in/someone-else"), source, rep)

    assert list(errors) == ["linkedin_url"]


def test_prospect_with_no_way_to_reach_them_is_refused(rep):
    errors = refusal(jean(email=""), card(), rep)

    assert "at least one way to reach" in errors["email"][0]


# --- Audience ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "audience"),
    [
        ("contact@acme.fr", "b2b_generic"),
        ("jean.dupont@acme.fr", "b2b_nominative"),
        ("jean.dupont@gmail.com", "b2c"),
        ("Jean.Dupont@GMAIL.com", "b2c"),
    ],
)
def test_audience_is_classified_from_the_address(rep, email, audience):
    prospect = create_prospect(jean(email=email), source=card(), by=rep)

    assert prospect.audience == audience
    assert prospect.audience_justification == ""


def test_audience_override_without_justification_is_refused(rep):
    before = factories.stored_rows()

    errors = refusal(jean(email="jean.dupont@gmail.com", audience="b2b_nominative"), card(), rep)

    assert list(errors) == ["audience_justification"]
    assert "Private address" in errors["audience_justification"][0]
    assert factories.stored_rows() == before


def test_audience_override_with_justification_is_stored(rep):
    data = jean(
        email="jean.dupont@gmail.com",
        audience="b2b_nominative",
        audience_justification="  Freelance consultant: the card gives this address as his work address. ",
    )

    prospect = create_prospect(data, source=card(), by=rep)

    prospect.refresh_from_db()
    assert prospect.audience == "b2b_nominative"
    assert (
        prospect.audience_justification
        == "Freelance consultant: the card gives this address as his work address."
    )


def test_a_free_mail_on_a_linkedin_prospect_is_stored_as_private(rep):
    source = SourceData(type="linkedin_connection", evidence=EVIDENCE["linkedin_connection"])

    prospect = create_prospect(jean(email="jean.dupont@gmail.com"), source=source, by=rep)

    assert prospect.audience == "b2c"


def test_a_free_mail_on_a_linkedin_prospect_cannot_be_declared_professional(rep):
    """docs/rules.md §1.7: the §1.2 override never applies to a LinkedIn contact's private address."""
    source = SourceData(type="linkedin_connection", evidence=EVIDENCE["linkedin_connection"])
    data = jean(
        email="jean.dupont@gmail.com",
        audience="b2b_nominative",
        audience_justification="Independent buyer; gave this address in a LinkedIn message.",
    )

    errors = refusal(data, source, rep)

    assert list(errors) == ["audience"]
    assert "LinkedIn" in errors["audience"][0]


def test_a_free_mail_on_a_business_card_may_be_declared_professional_with_a_reason(rep):
    data = jean(
        email="jean.dupont@gmail.com",
        audience="b2b_nominative",
        audience_justification="Freelancer: the address is on their business card.",
    )

    prospect = create_prospect(data, source=card(), by=rep)

    assert prospect.audience == "b2b_nominative"


@pytest.mark.parametrize(
    ("fields", "audience"),
    [
        ({"email": "", "phone": "06 12 34 56 78"}, "b2c"),
        ({"email": "", "phone": "06 12 34 56 78", "sole_trader": True}, "b2b_nominative"),
        ({"email": "contact@dupont-plomberie.fr", "sole_trader": True}, "b2b_nominative"),
        ({"email": "contact@dupont-plomberie.fr"}, "b2b_generic"),
        ({"email": "", "linkedin_url": "https://www.linkedin.com/in/jean-dupont"}, "b2b_nominative"),
    ],
)
def test_the_automatic_audience_follows_the_sole_trader_and_unknown_phone_rules(rep, fields, audience):
    """docs/rules.md §1.2: a sole trader's address is theirs; a line of unknown kind is private."""
    prospect = create_prospect(jean(**fields), source=card(), by=rep)

    assert (prospect.audience, prospect.sole_trader) == (audience, fields.get("sole_trader", False))


# --- Duplicates ----------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["jean.dupont@acme.fr", "  Jean.Dupont@ACME.fr ", "JEAN.DUPONT@acme.FR"])
def test_same_email_in_any_case_or_spacing_is_refused_naming_the_existing_record(rep, spelling):
    existing = factories.prospect(by=rep, email="jean.dupont@acme.fr")

    errors = refusal(jean(first_name="Jeannot", email=spelling), card(), rep)

    assert list(errors) == ["email"]
    assert f"#{existing.pk}" in errors["email"][0]
    assert "Jean Dupont" in errors["email"][0]
    assert Prospect.objects.count() == 1


@pytest.mark.parametrize(
    "spelling", ["+33612345678", "06 12 34 56 78", "06.12.34.56.78", "+33 (0)6 12 34 56 78"]
)
def test_same_phone_in_any_format_is_refused_naming_the_existing_record(rep, spelling):
    existing = factories.prospect(by=rep, phone="06 12 34 56 78")

    errors = refusal(jean(email="", phone=spelling), card(), rep)

    assert list(errors) == ["phone"]
    assert f"#{existing.pk}" in errors["phone"][0]


@pytest.mark.parametrize(
    "spelling",
    [
        "https://www.linkedin.com/in/jean-dupont-acme",
        "https://www.linkedin.com/in/jean-dupont-acme/",
        "linkedin.com/in/Jean-Dupont-Acme/?utm_source=share&utm_medium=member_desktop",
        "https://fr.linkedin.com/in/jean-dupont-acme?originalSubdomain=fr",
    ],
)
def test_same_linkedin_profile_in_any_spelling_is_refused_naming_the_existing_record(rep, spelling):
    existing = factories.prospect(
        by=rep, email="", source_type="linkedin_connection", evidence=EVIDENCE["linkedin_connection"]
    )

    errors = refusal(jean(email="", linkedin_url=spelling), card(), rep)

    assert list(errors) == ["linkedin_url"]
    assert f"#{existing.pk}" in errors["linkedin_url"][0]


def test_duplicate_of_a_prospect_of_another_team_is_still_refused(rep):
    other_team = factories.team("Export")
    colleague = factories.user(role="sales", username="export-rep", team=other_team)
    factories.prospect(by=colleague, email="jean.dupont@acme.fr")

    errors = refusal(jean(), card(), rep)

    assert list(errors) == ["email"]


def test_person_who_objected_cannot_be_logged_again(rep):
    # The suppression list outlives the erased prospect: only the keyed hash is left.
    digest = blind_index("email", "jean.dupont@acme.fr")
    Suppression.objects.create(kind=Suppression.Kind.EMAIL, digest=digest, origin=Suppression.Origin.LINK)

    errors = refusal(jean(email="Jean.Dupont@acme.fr"), card(), rep)

    assert "objected" in errors["email"][0]


# --- First note ----------------------------------------------------------------------


def test_first_note_with_health_data_refuses_the_whole_prospect(rep):
    before = factories.stored_rows()

    errors = refusal(jean(note="Off sick, en arrêt maladie jusqu'en mai"), card(), rep)

    assert list(errors) == ["note"]
    assert "health" in errors["note"][0]
    assert factories.stored_rows() == before


def test_factual_first_note_is_stored_with_its_history(rep):
    prospect = create_prospect(jean(note="Interested in the API; call back in March."), source=card(), by=rep)

    note = Note.objects.get(prospect=prospect)
    assert note.author == rep
    assert note.history.get().text == "Interested in the API; call back in March."


# --- Edits ---------------------------------------------------------------------------


def test_edit_is_kept_in_the_history_with_who_made_it(rep, other_rep):
    prospect = factories.prospect(by=rep, job_title="Buyer")

    update_prospect(prospect, jean(job_title="Head of purchasing"), by=other_rep)

    versions = list(prospect.history.order_by("history_date", "history_id"))
    assert [(v.history_type, v.job_title) for v in versions] == [("+", "Buyer"), ("~", "Head of purchasing")]
    assert versions[-1].history_user == other_rep


def test_edit_does_not_move_the_retention_deadline(rep):
    prospect = factories.prospect(by=rep)
    Prospect.objects.filter(pk=prospect.pk).update(retention_until=date(2027, 1, 15))
    prospect.refresh_from_db()

    update_prospect(prospect, jean(job_title="CFO"), by=rep)

    prospect.refresh_from_db()
    assert prospect.job_title == "CFO"
    assert prospect.retention_until == date(2027, 1, 15)


def test_edit_to_the_email_of_another_prospect_is_refused(rep):
    factories.prospect(by=rep, first_name="Anne", last_name="Martin", email="anne.martin@acme.fr")
    prospect = factories.prospect(by=rep)

    with pytest.raises(ValidationError) as refused:
        update_prospect(prospect, jean(email="Anne.Martin@acme.fr"), by=rep)

    assert "Anne Martin" in refused.value.message_dict["email"][0]
    prospect.refresh_from_db()
    assert prospect.email == "jean.dupont@acme.fr"


def test_restricted_prospect_cannot_be_edited(rep):
    prospect = factories.prospect(by=rep)
    Prospect.objects.filter(pk=prospect.pk).update(restricted_at=timezone.now())
    prospect.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        update_prospect(prospect, jean(job_title="CFO"), by=rep)

    assert "art. 18" in refused.value.messages[0]
    assert prospect.history.count() == 1


def test_corrected_email_of_an_opposed_prospect_is_opposed_too(rep):
    person = factories.prospect(by=rep, email="paul.roux@acme.fr")
    suppression.suppress(person, channel="", origin=Suppression.Origin.PHONE)
    data = ProspectData(first_name="Paul", last_name="Roux", email="p.roux@acme.fr", language="fr")

    update_prospect(person, data, by=rep)

    assert suppression.is_suppressed(person)
    assert Suppression.objects.filter(digest=person.email_index, origin=Suppression.Origin.PHONE).exists()
