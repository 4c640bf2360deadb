"""The registry's pages: who may open them, the public privacy notice, the dashboard without inline code."""

import html
import re

import pytest

from outreach.models import Message
from registry import art30, requests
from tests import factories
from tests.org.test_processors import formset_data
from tests.registry.conftest import campaign

pytestmark = pytest.mark.django_db

PAGES = [
    "/registry/", "/registry/dashboard/", "/registry/requests/", "/registry/breaches/", "/registry/erasures/",
    "/registry/activities/b2b_prospecting/",
]  # fmt: skip
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", re.IGNORECASE)


@pytest.mark.parametrize("path", PAGES)
def test_the_dpo_and_the_admin_open_each_page_and_a_rep_gets_403(client, rep, dpo, admin_user, path):
    factories.prospect(by=rep)
    outcomes = {}
    for user in (dpo, admin_user, rep):
        factories.log_in(client, user)
        outcomes[user.username] = client.get(path)

    assert outcomes["dpo"].status_code == outcomes["admin"].status_code == 200
    assert outcomes["rep"].status_code == 403
    assert not INLINE.search(outcomes["dpo"].content.decode())


def test_the_dashboard_draws_svg_bars_for_each_chart(client, rep, dpo):
    named = factories.prospect(by=rep, email="a@acme.fr")
    factories.prospect(
        by=rep, email="contact@other.fr", first_name="Info", last_name="Desk", source_type="event"
    )
    Message.objects.create(
        campaign=campaign(by=rep), prospect=named, decision="refuse", reason="REF_OBJECTION",
        legal_reference="GDPR art. 21(3)", status="refused",
    )  # fmt: skip
    factories.log_in(client, dpo)

    page = client.get("/registry/dashboard/").content.decode()

    for key in ("sources", "audiences", "contactability", "refusals", "purges"):
        assert f'id="chart-{key}"' in page
    # Two sources, two audiences, four global blocks, one refusal reason, twelve months.
    assert page.count('<rect class="bar"') == 2 + 2 + 4 + 1 + 12
    assert "REF_OBJECTION" in page


def test_the_privacy_notice_is_public_in_french_and_english(client):
    english = client.get("/privacy/?lang=en").content.decode()
    french = client.get("/privacy/?lang=fr").content.decode()

    assert "Privacy notice" in english and "B2B prospecting by social selling" in english
    assert "Politique de confidentialité" in french and "Prospection commerciale B2B" in french
    assert "CNIL" in french and "dpo@loyal.example" in french
    assert not INLINE.search(french)


def test_the_privacy_notice_follows_the_register(client, settings):
    settings.LOYAL_CONTROLLER = {**settings.LOYAL_CONTROLLER, "name": "Prospectia SARL"}
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "prospect_years": 2}

    page = client.get("/privacy/?lang=fr").content.decode()

    assert "Prospectia SARL" in page
    assert art30.declared("fr")["activities"][0]["retention"][0].split(" à compter")[0] in page
    assert "2 ans" in page


def test_the_admin_edits_the_controller_and_the_register_makes_a_version(client, admin_user, dpo):
    factories.log_in(client, dpo)
    client.get("/registry/")
    factories.log_in(client, admin_user)
    data = settings_controller() | {"name": "Loyal Europe SAS"} | formset_data([])

    response = client.post("/registry/organisation/", data)
    factories.log_in(client, dpo)
    page = client.get("/registry/").content.decode()

    assert response.status_code == 302
    assert "Loyal Europe SAS" in page and 'id="sign-off"' in page and "Version 2" in page


def settings_controller() -> dict:
    from django.conf import settings

    return dict(settings.LOYAL_CONTROLLER)


def test_the_request_page_offers_the_admin_the_action_of_the_right(client, admin_user, dpo, rep):
    prospect = factories.prospect(by=rep)
    item = requests.receive(
        requests.Intake(
            kind="access", received_on=requests.timezone.localdate(), channel="email", prospect=prospect
        ),
        by=dpo,
    )

    factories.log_in(client, admin_user)
    admin_page = client.get(f"/registry/requests/{item.pk}/").content.decode()
    factories.log_in(client, dpo)
    dpo_page = client.get(f"/registry/requests/{item.pk}/").content.decode()

    assert 'id="execute"' in admin_page and 'id="execute"' not in dpo_page


@pytest.mark.parametrize(
    ("language", "heading", "words", "objecting"),
    [
        ("en", "Your right to object (GDPR 21)", "one-click link", "object at any time"),
        ("fr", "Votre droit d'opposition (RGPD 21)", "en un clic", "vous opposer"),
    ],
)
def test_the_privacy_notice_sets_the_right_to_object_apart(client, language, heading, words, objecting):
    page = html.unescape(client.get(f"/privacy/?lang={language}").content.decode())

    before, after = page.split('id="right-to-object"', 1)
    section, rest = after.split("</section>", 1)
    assert heading in section and words in section and objecting in section
    assert "rectification" not in section  # the other rights are told in their own section
    assert objecting not in before and objecting not in rest  # told once, in its own section


def test_the_privacy_notice_names_each_processor_with_its_country_in_the_readers_language(client, settings):
    settings.LOYAL_PROCESSORS = [
        {"role": "hosting", "name": "EuroHost SAS", "country": "FR", "safeguard": "eu_eea"},
        {"role": "emailing", "name": "Mailer Inc.", "country": "US", "safeguard": "bcr"},
    ]

    english = html.unescape(client.get("/privacy/?lang=en").content.decode())
    french = html.unescape(client.get("/privacy/?lang=fr").content.decode())

    assert "Hosting: EuroHost SAS, FR, In the EU/EEA (no transfer)" in english
    assert "Mailer Inc. (Emailing), US: Binding corporate rules (art. 47)" in english
    assert "Hébergement : EuroHost SAS, FR, Dans l'UE/EEE (pas de transfert)" in french
    assert "Mailer Inc. (E-mailing), US : Règles d'entreprise contraignantes (art. 47)" in french
