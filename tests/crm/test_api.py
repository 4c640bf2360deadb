"""The API (acceptance 5): a valid OpenAPI 3 schema, nothing open to anonymous callers, tokens."""

import io
import re
import uuid
from collections.abc import Iterator

import openapi_spec_validator
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RoutePattern
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from org import conduct
from prospects.ownership import deactivate_rep
from tests import factories

NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
CONVERTER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")


def validate_openapi(document: dict) -> None:
    """openapi-spec-validator (a test dependency), then drf-spectacular's own JSON Schema."""
    openapi_spec_validator.validate(document)
    validate_schema(document)


def sample(name: str, converter) -> str:
    """A URL fragment that the parameter's converter accepts."""
    if isinstance(converter, IntConverter):
        return converter.to_url(1)
    if isinstance(converter, UUIDConverter):
        return converter.to_url(uuid.uuid4())
    value = "json" if name == "format" else "1"
    return converter.to_url(value) if converter is not None else value


def concrete(pattern) -> str:
    """One level of a URL pattern with its parameters filled in."""
    if isinstance(pattern, RoutePattern):
        return CONVERTER.sub(lambda m: sample(m["name"], pattern.converters[m["name"]]), str(pattern))
    text = NAMED_GROUP.sub(lambda m: sample(m["name"], None), str(pattern))
    return text.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")


def example_paths(patterns, prefix: str = "/") -> Iterator[tuple[str, URLPattern]]:
    """A concrete path for every URL pattern, walking included URLconfs."""
    for entry in patterns:
        path = prefix + concrete(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from example_paths(entry.url_patterns, path)
        else:
            yield path, entry


def api_paths() -> list[tuple[str, URLPattern]]:
    return [
        (path, pattern)
        for path, pattern in example_paths(get_resolver().url_patterns)
        if path.startswith("/api/")
    ]


def test_schema_is_a_valid_openapi_3_document_listing_the_api(rep_client):
    response = rep_client.get("/api/schema/?format=json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/me/" in document["paths"]
    validate_openapi(document)


def test_schema_generates_without_warnings():
    output = io.StringIO()

    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=output)

    assert '"openapi"' in output.getvalue()


def test_url_walk_finds_the_api_endpoints():
    paths = {path for path, _pattern in api_paths()}

    assert {"/api/", "/api/me/", "/api/schema/", "/api/docs/"} <= paths


@pytest.mark.parametrize(("path", "pattern"), api_paths(), ids=lambda value: getattr(value, "name", value))
def test_every_api_url_refuses_anonymous_callers(client, db, path, pattern):
    assert resolve(path).func == pattern.callback, f"{path} does not resolve to its own pattern"

    response = client.get(path)

    assert response.status_code in (401, 403), f"{path} answered {response.status_code}"


def test_token_issued_in_the_application_authenticates_api_calls(rep_client, rep):
    issued = rep_client.post("/accounts/token/")
    key = Token.objects.get(user=rep).key
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")

    response = api.get("/api/me/")

    assert key in issued.content.decode()
    assert response.status_code == 200
    assert response.json() == {"username": "rep", "roles": ["sales"]}


def test_a_password_change_revokes_the_token(rep_client, rep):
    rep_client.post("/accounts/token/")
    key = Token.objects.get(user=rep).key

    changed = rep_client.post(
        "/accounts/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "walnut-harbour-slowly-42",
            "new_password2": "walnut-harbour-slowly-42",
        },
    )

    assert changed.status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/me/").status_code in (401, 403)
    assert not Token.objects.filter(user=rep).exists()


def test_a_deactivated_rep_s_token_opens_nothing(rep_client, rep, other_rep, admin_user):
    rep_client.post("/accounts/token/")
    key = Token.objects.get(user=rep).key

    deactivate_rep(rep, successor=other_rep, by=admin_user)

    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/me/").status_code in (401, 403)


def test_the_code_of_conduct_gate_applies_to_tokens(rep_client, rep, admin_user):
    rep_client.post("/accounts/token/")
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=rep).key}")
    assert api.get("/api/me/").status_code == 200

    conduct.publish(text_en="Be fair.", text_fr="Soyez loyal.", by=admin_user)
    response = api.get("/api/prospects/")

    assert response.status_code == 403
    assert "code of conduct" in response.json()["detail"]


def test_replacing_a_token_revokes_the_old_one(rep_client, rep):
    rep_client.post("/accounts/token/")
    old_key = Token.objects.get(user=rep).key
    rep_client.post("/accounts/token/")

    response = Client(HTTP_AUTHORIZATION=f"Token {old_key}").get("/api/me/")

    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Invalid token."
    assert Token.objects.get(user=rep).key != old_key
