"""The organisation's processors: where each is, under which safeguard, edited on the organisation page."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from org.models import Organisation, Processor
from tests import factories

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FIELDS = (
    "role", "role_label", "name", "country", "safeguard", "documentation", "public_description_en",
    "public_description_fr",
)  # fmt: skip


def formset_data(rows: list[dict], *, initial: int = 0, prefix: str = "processors") -> dict:
    """The POST of the organisation page's processor formset, one dict per form (``id``, ``DELETE`` kept)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name in (*FIELDS, "id", "DELETE"):
            if name in row:
                data[f"{prefix}-{index}-{name}"] = row[name]
    return data


def organisation_data() -> dict:
    return {
        name: value
        for name, value in settings.LOYAL_CONTROLLER.items()
        if name in ("name", "address", "email", "legal_representative", "dpo_name", "dpo_email", "transfers")
    }


def processor(**values) -> Processor:
    organisation = Organisation.objects.current()
    return Processor(organisation=organisation, **{"role": "hosting", "name": "Host SAS", **values})


# --- The model's rules -------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["ZZ", "FRA", "1"])
def test_a_country_that_is_no_iso_code_is_refused_naming_the_field(country):
    with pytest.raises(ValidationError) as refused:
        processor(country=country, safeguard="scc").clean()

    assert "ISO 3166" in refused.value.message_dict["country"][0]


def test_a_country_is_stored_as_its_upper_case_code_and_in_the_eu_needs_no_safeguard():
    lower = processor(country=" de ")
    lower.clean()
    assert lower.country == "DE" and lower.safeguard == "eu_eea" and not lower.is_transfer


def test_a_country_outside_the_eu_gets_no_safeguard_by_default():
    outside = processor(country="US")
    outside.clean()
    assert outside.is_transfer and outside.safeguard == ""  # missing: campaigns stay refused


def test_a_processor_outside_the_eu_without_a_safeguard_is_refused():
    with pytest.raises(ValidationError) as refused:
        processor(country="US", safeguard="none").clean()

    assert "art. 44-46" in refused.value.message_dict["safeguard"][0]


def test_a_processor_outside_the_eu_cannot_claim_to_be_in_it():
    with pytest.raises(ValidationError) as refused:
        processor(country="US", safeguard="eu_eea").clean()

    assert "safeguard" in refused.value.message_dict


def test_a_processor_in_the_eu_makes_no_transfer():
    with pytest.raises(ValidationError) as refused:
        processor(country="FR", safeguard="scc").clean()

    assert "no transfer" in refused.value.message_dict["safeguard"][0]


def test_a_processor_outside_the_eu_with_its_safeguard_is_a_transfer():
    transfer = processor(name="Mailer Inc.", role="emailing", country="US", safeguard="scc")
    transfer.clean()

    assert transfer.is_transfer
    assert (
        transfer.transfer_line("en")
        == "Mailer Inc. (Emailing), US: Standard contractual clauses (art. 46(2)(c))"
    )
    assert (
        transfer.transfer_line("fr")
        == "Mailer Inc. (E-mailing), US : Clauses contractuelles types (art. 46(2)(c))"
    )


def test_the_role_other_needs_its_label():
    with pytest.raises(ValidationError) as refused:
        processor(role="other", country="FR", safeguard="eu_eea").clean()

    assert "role_label" in refused.value.message_dict


def test_the_transfers_are_derived_from_the_processors_then_the_free_text():
    organisation = Organisation.objects.current()
    organisation.transfers = "Support desk in Canada, adequacy decision"
    processors = [
        processor(country="FR", safeguard="eu_eea"),
        processor(name="Cloud Inc.", country="US", safeguard="scc"),
    ]

    lines = organisation.transfer_lines("en", processors)

    assert lines == [
        "Cloud Inc. (Hosting), US: Standard contractual clauses (art. 46(2)(c))",
        "Support desk in Canada, adequacy decision",
    ]
    organisation.transfers = ""
    assert organisation.transfer_lines("fr", processors[:1]) == [
        "Aucun\u202f: chaque sous-traitant est dans l'UE/EEE."
    ]


# --- The organisation page -------------------------------------------------------------------


@pytest.fixture
def browser(admin_user):
    """An administrator's client that checks CSRF tokens, as a browser's requests are."""
    client = Client(enforce_csrf_checks=True)
    factories.log_in(client, admin_user)
    return client


def post_page(browser, data: dict):
    token = CSRF.search(browser.get("/registry/organisation/").content.decode()).group(1)
    return browser.post("/registry/organisation/", {"csrfmiddlewaretoken": token, **data})


HOST = {"role": "hosting", "name": "OVH SAS", "country": "FR", "safeguard": "eu_eea",
        "public_description_fr": "Hébergement : OVHcloud, France",
        "public_description_en": "Hosting: OVHcloud, France"}  # fmt: skip
MAILER = {
    "role": "emailing",
    "name": "Mailer Inc.",
    "country": "US",
    "safeguard": "scc",
    "documentation": "DPA-2026-7",
}


def test_the_organisation_page_saves_its_processors_with_it(browser, admin_user):
    response = post_page(browser, {**organisation_data(), **formset_data([HOST, MAILER])})

    assert response.status_code == 302
    saved = Organisation.objects.get()
    assert saved.updated_by == admin_user
    assert sorted(saved.processors.values_list("name", "country", "safeguard")) == [
        ("Mailer Inc.", "US", "scc"),
        ("OVH SAS", "FR", "eu_eea"),
    ]


def test_the_organisation_page_edits_and_removes_processors(browser):
    post_page(browser, {**organisation_data(), **formset_data([HOST, MAILER])})
    host, mailer = Processor.objects.get(name="OVH SAS"), Processor.objects.get(name="Mailer Inc.")
    page = browser.get("/registry/organisation/").content.decode()
    assert 'value="Mailer Inc."' in page and 'value="DPA-2026-7"' in page

    rows = [{**HOST, "id": str(host.pk), "country": "DE"}, {**MAILER, "id": str(mailer.pk), "DELETE": "on"}]
    response = post_page(browser, {**organisation_data(), **formset_data(rows, initial=2)})

    assert response.status_code == 302
    assert list(Processor.objects.values_list("name", "country")) == [("OVH SAS", "DE")]


def test_a_transfer_without_safeguard_is_refused_next_to_the_field_and_nothing_is_saved(browser):
    data = {
        **organisation_data(),
        "name": "Renamed SAS",
        **formset_data([HOST, {**MAILER, "safeguard": "none"}]),
    }

    response = post_page(browser, data)

    assert response.status_code == 200
    page = response.content.decode()
    errors = re.search(r'id="id_processors-1-safeguard_errors">(.*?)</div>', page, re.S)
    assert errors and "needs a safeguard" in errors.group(1)
    assert not Organisation.objects.exists() and not Processor.objects.exists()


def test_an_error_on_the_organisation_saves_no_processor(browser):
    post_page(browser, {**organisation_data(), **formset_data([HOST])})
    data = {**organisation_data(), "email": "not an address", **formset_data([MAILER])}

    response = post_page(browser, data)

    assert response.status_code == 200 and 'id="id_email_errors"' in response.content.decode()
    assert list(Processor.objects.values_list("name", flat=True)) == ["OVH SAS"]


def test_the_page_refuses_a_post_without_its_csrf_token(admin_user):
    browser = Client(enforce_csrf_checks=True)
    factories.log_in(browser, admin_user)

    response = browser.post("/registry/organisation/", {**organisation_data(), **formset_data([HOST])})

    assert response.status_code == 403 and not Processor.objects.exists()


def test_the_demo_organisation_names_every_processor_a_campaign_needs():
    from crm import demo
    from outreach.content import missing_facts

    demo.seed()

    organisation = Organisation.objects.current()
    assert not organisation._state.adding  # the saved record, not the defaults of the settings
    assert {processor.role for processor in organisation.processor_list()} == {"hosting", "emailing"}
    assert missing_facts(organisation) == []
