"""The schema says what the API takes and answers: each source type's evidence, every enum a
response can carry, blanks refused where the server refuses them, state conflicts as 409."""

from datetime import date

import pytest
from django.test import Client
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from consent import objections
from prospects.models import Prospect, SourceType
from prospects.provenance import EVIDENCE
from tests import factories

pytestmark = pytest.mark.django_db

LINKEDIN = "https://www.linkedin.com/in/anne-leroy-{n}"


@pytest.fixture
def document(rep_client) -> dict:
    return rep_client.get("/api/schema/?format=json").json()


def api(user) -> Client:
    client = Client()
    factories.log_in(client, user)
    return client


def conforms(document: dict, component: str, instance) -> list[str]:
    """Errors of ``instance`` against a component, its references resolved in the document."""
    registry = Registry().with_resource("urn:loyal", Resource(document, specification=DRAFT4))
    validator = OAS30Validator(
        {"$ref": f"urn:loyal#/components/schemas/{component}"},
        registry=registry,
        format_checker=OAS30Validator.FORMAT_CHECKER,
    )
    return [error.message for error in validator.iter_errors(instance)]


def body_from_schema(document: dict, source_type: str, n: int) -> dict:
    """A source built only from what the schema says: its required fields, in their formats."""
    schemas = document["components"]["schemas"]
    reference = schemas["SourceInput"]["discriminator"]["mapping"][source_type]
    shape = schemas[reference.rsplit("/", 1)[1]]
    source = {"type": source_type}
    for name in shape["required"]:
        field = shape["properties"][name]
        if name == "type":
            continue
        if field.get("format") == "date":
            source[name] = date.today().isoformat()
        elif "linkedin" in field.get("description", "").lower():
            source[name] = LINKEDIN.format(n=n)
        else:
            source[name] = f"{name} {n}"
    return source


def test_the_source_input_is_one_object_per_type_with_its_required_evidence(document):
    schemas = document["components"]["schemas"]
    source_input = schemas["SourceInput"]

    mapping = source_input["discriminator"]["mapping"]

    assert source_input["discriminator"]["propertyName"] == "type"
    assert set(mapping) == set(SourceType.values)
    for source_type, reference in mapping.items():
        shape = schemas[reference.rsplit("/", 1)[1]]
        required = {spec.name for spec in EVIDENCE[source_type] if spec.required and spec.kind != "bool"}
        assert set(shape["required"]) == required | {"type"}, source_type
        assert set(shape["properties"]) == {spec.name for spec in EVIDENCE[source_type]} | {"type"}
        assert schemas[shape["properties"]["type"]["allOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"] == [
            source_type
        ]
        for name in required - {"type"}:
            field = shape["properties"][name]
            assert field.get("format") == "date" or field.get("minLength") == 1, (source_type, name)


@pytest.mark.parametrize("source_type", SourceType.values)
def test_a_prospect_of_every_source_type_is_logged_from_the_schema_alone(rep, document, source_type):
    n = SourceType.values.index(source_type)
    body = {
        "first_name": "Anne",
        "last_name": f"Leroy{n}",
        "email": f"anne.leroy{n}@acme.fr",
        "company": "Acme",
        "source": body_from_schema(document, source_type, n),
    }

    response = api(rep).post("/api/prospects/", body, content_type="application/json")

    assert response.status_code == 201, response.json()
    assert conforms(document, "Prospect", response.json()) == []
    assert response.json()["sources"][0]["type"] == source_type


def test_a_source_s_evidence_is_typed_in_the_answer(rep, document):
    prospect = factories.prospect(by=rep)

    shown = api(rep).get(f"/api/prospects/{prospect.pk}/").json()

    assert conforms(document, "Prospect", shown) == []
    wrong = {**shown["sources"][0], "evidence": {**shown["sources"][0]["evidence"], "date": 12}}
    assert conforms(document, "Source", wrong) != []  # The schema holds the evidence's types.


def test_an_objection_by_the_link_or_the_preference_page_answers_inside_the_enum(rep, document):
    prospect = factories.prospect(by=rep)
    objections.record_objection(prospect, channel="email", via="link", by=None)
    objections.record_objection(prospect, channel="sms", via="preferences", by=None)

    listed = api(rep).get(f"/api/prospects/{prospect.pk}/objections/").json()

    assert {row["received_via"] for row in listed["results"]} == {"link", "preferences"}
    assert conforms(document, "PaginatedObjectionList", listed) == []


def test_a_rep_cannot_record_an_objection_as_the_person_s_own_link(rep):
    prospect = factories.prospect(by=rep)

    response = api(rep).post(
        f"/api/prospects/{prospect.pk}/objections/",
        {"channel": "email", "received_via": "link"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "recorded by the person themselves" in response.json()["received_via"][0]
    assert not prospect.objections.exists()


def test_required_texts_the_server_refuses_blank_say_so_in_the_schema(rep, document):
    schemas = document["components"]["schemas"]
    prospect = factories.prospect(by=rep)

    blank = api(rep).post(
        "/api/next-steps/",
        {"prospect": prospect.pk, "what": "", "due_at": "2030-01-01T09:00:00Z"},
        content_type="application/json",
    )

    assert blank.status_code == 400 and "what" in blank.json()
    # Request bodies are their own components (COMPONENT_SPLIT_REQUEST): what a client sends.
    assert schemas["NextStepRequest"]["properties"]["what"]["minLength"] == 1
    assert schemas["ListRequest"]["properties"]["name"]["minLength"] == 1
    assert schemas["CampaignRequest"]["properties"]["name"]["minLength"] == 1
    assert schemas["ConsentRequest"]["properties"]["purpose_code"]["minLength"] == 1


def test_state_conflicts_are_documented_as_409(document):
    operations = document["paths"]

    documented = {
        (method, path)
        for path, methods in operations.items()
        for method, operation in methods.items()
        if "409" in operation.get("responses", {})
    }

    assert {
        ("post", "/api/campaigns/{id}/send/"),
        ("post", "/api/campaigns/{id}/cancel/"),
        ("patch", "/api/campaigns/{id}/"),
        ("post", "/api/next-steps/{id}/complete/"),
        ("delete", "/api/lists/{id}/"),
    } <= documented
    assert ("post", "/api/prospects/") not in documented


def test_a_campaign_changed_after_sending_answers_409(rep):
    factories.prospect(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    api(rep).post(f"/api/campaigns/{campaign.pk}/send/")

    response = api(rep).patch(
        f"/api/campaigns/{campaign.pk}/", {"name": "Renamed"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "A campaign being sent or done can no longer be changed."}
    assert Prospect.objects.count() == 1
