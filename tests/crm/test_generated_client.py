"""The schema suffices: a client generated from /api/schema/ by openapi-python-client does the job.

The test generates the client into a temporary folder, imports it, and with that client alone
(its models, its enums, its parsing of every answer) logs a prospect of every source type,
records a consent, an objection and an interaction, and reads back who may be contacted. A
field the schema names wrongly, types wrongly or leaves out fails here: the generated models
refuse an answer that does not match them, and the server refuses a body that the schema
described wrongly.
"""

import importlib
import subprocess
import sys
from datetime import date
from pathlib import Path

import attrs
import httpx
import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from consent.state import consent_state
from prospects.models import Interaction, Prospect, SourceType

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PACKAGE = "loyal_generated_client"
# Evidence per field name, in the formats the schema gives; the schema says which are required.
VALUES = {
    "date": date(2026, 6, 12),
    "delivery_date": date(2026, 10, 1),
    "ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0",
    "channel": "phone",
    "wording_hash": "9f2c0e",
    "information_proof": "Collection form v2 names partners and offers an opt-out",
}


def _camel(value: str) -> str:
    return "".join(part.capitalize() for part in value.split("_"))


@pytest.fixture
def _keeps_the_connection():
    """As Django's test client does: the app's requests must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def generated(tmp_path, rep, _keeps_the_connection):
    """The generated package, imported, and an authenticated client of it talking to the app."""
    wsgi = get_wsgi_application()
    token = Token.objects.create(user=rep)
    transport = httpx.WSGITransport(app=wsgi)
    schema = httpx.Client(transport=transport, base_url="http://testserver").get(
        "/api/schema/?format=json", headers={"Authorization": f"Token {token.key}"}
    )
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yml").write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            "schema.json",
            "--meta",
            "none",
            "--config",
            "config.yml",
            "--output-path",
            PACKAGE,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Unable to process" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module(PACKAGE)
        client = package.AuthenticatedClient(
            base_url="http://testserver",
            token=token.key,
            prefix="Token",
            httpx_args={"transport": transport},
            raise_on_unexpected_status=True,
        )
        yield client
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def _source(source_type: str, n: int):
    """The source's request model of the generated client, filled from its own required fields."""
    models = _module("models")
    model = getattr(models, f"{_camel(source_type)}SourceInputRequest")
    kind = getattr(models, f"{_camel(source_type)}TypeEnum")
    values = {}
    for field in model.__attrs_attrs__:
        if field.name in ("type_", "additional_properties") or field.default is not attrs.NOTHING:
            continue
        if field.name == "profile_url":
            values[field.name] = f"https://www.linkedin.com/in/anne-leroy-{n}"
        else:
            values[field.name] = VALUES.get(field.name, f"{field.name} {n}")
    return model(type_=next(iter(kind)), **values)


def test_a_generated_client_logs_every_source_type_and_records_consent_objection_interaction(generated):
    client = generated
    models = _module("models")
    create = _module("api.prospects.prospects_create")
    created = {}

    for n, source_type in enumerate(SourceType.values):
        linkedin = source_type.startswith("linkedin")
        body = models.ProspectRequest(
            first_name="Anne",
            last_name=f"Leroy{n}",
            job_title="Head of purchasing",
            company="Acme",
            email="" if linkedin else f"anne.leroy{n}@acme.fr",
            linkedin_url=f"https://www.linkedin.com/in/anne-leroy-{n}" if linkedin else "",
            language=models.LanguageEnum.EN,
            source=_source(source_type, n),
        )
        created[source_type] = create.sync(client=client, body=body)

    assert all(isinstance(answer, models.Prospect) for answer in created.values()), created
    answered = {answer.sources[0].type_.value for answer in created.values()}
    assert answered == set(SourceType.values)
    card = created[SourceType.BUSINESS_CARD]
    consents = _module("api.prospects.prospects_consents_create")
    consent = consents.sync(
        card.id,
        client=client,
        body=models.ConsentRequest(
            purpose_code="b2b_prospecting",
            channel=models.ChannelEnum.EMAIL,
            action=models.ActionEnum.GRANT,
            method=models.MethodEnum.SIGNED_FORM,
            wording="I agree that Acme emails me offers.",
            wording_version="form-3",
            evidence_ref="Binder 2026, page 14",
        ),
    )
    interaction = _module("api.prospects.prospects_interactions_create").sync(
        card.id,
        client=client,
        body=models.InteractionRequest(type_=models.InteractionTypeEnum.EMAIL_REPLY, summary="Interested"),
    )
    objector = created[SourceType.EVENT]
    objection = _module("api.prospects.prospects_objections_create").sync(
        objector.id,
        client=client,
        body=models.ObjectionRequest(received_via=models.ReceivedViaEnum.PHONE),  # every channel
    )
    listing = _module("api.prospects.prospects_list")
    contactable = listing.sync(client=client, contactable=models.ProspectsListContactable.YES)

    assert isinstance(consent, models.Consent) and consent.counts is True
    assert isinstance(interaction, models.Interaction) and interaction.is_voluntary_prospect_contact
    assert isinstance(objection, models.Objection)
    assert consent_state(Prospect.objects.get(pk=card.id), channel="email") == "valid"
    assert Interaction.objects.filter(prospect_id=card.id, type="email_reply").exists()
    # Art. 21: a non-customer objecting to every channel is reduced to the suppression hashes.
    assert not Prospect.objects.filter(pk=objector.id).exists()
    assert {row.id for row in contactable.results} == {answer.id for answer in created.values()} - {
        objector.id
    }
