"""Messages, notices and consent wordings name the controller as the administrator saved it.

L34-5 wants the advertiser's identity in every message, GDPR 13/14 the controller's in every
notice, and a consent names the controller it is given to (GDPR 4(11), 7): all read the
organisation page (org.models.Organisation), not the environment's defaults.
"""

import pytest
from django.conf import settings
from django.test import Client

from consent.channels import Channel
from consent.invitations import wording_for
from consent.models import Purpose
from org.models import Organisation
from outreach.content import compose
from outreach.notices import notice_text
from registry.forms import OrganisationForm
from tests import factories
from tests.org.test_processors import formset_data


@pytest.fixture
def saved(db):
    return Organisation.objects.create(
        pk=Organisation.SINGLETON,
        **{**settings.LOYAL_CONTROLLER, "name": "Acme Solutions SAS", "address": "3 quai Ouest, Lyon"},
    )


def test_a_campaign_message_and_its_notice_name_the_saved_controller(rep, saved):
    person = factories.prospect(by=rep, email="anne.martin@acme.fr")
    campaign = factories.campaign(by=rep)

    content = compose(campaign, person, with_notice=True)

    assert "Acme Solutions SAS, 3 quai Ouest, Lyon" in content.body
    assert settings.LOYAL_CONTROLLER["name"] not in content.body


def test_the_privacy_notice_names_the_saved_controller(rep, saved):
    person = factories.prospect(by=rep, email="anne.martin@acme.fr", source_type="linkedin_connection")

    text = notice_text(person, language="en")

    assert "Acme Solutions SAS" in text
    assert settings.LOYAL_CONTROLLER["name"] not in text


def test_the_consent_wording_names_the_saved_controller(saved):
    purpose = Purpose.objects.get(code="b2b_prospecting")

    wording = wording_for(purpose, Channel.EMAIL)

    assert wording.startswith("I agree that Acme Solutions SAS contacts me by email")


def test_a_name_changed_on_the_organisation_page_reaches_footer_notice_wording_and_register(
    rep, admin_client, dpo
):
    form = {
        name: value
        for name, value in settings.LOYAL_CONTROLLER.items()
        if name in OrganisationForm.Meta.fields
    }
    person = factories.prospect(by=rep, email="anne.martin@acme.fr", source_type="linkedin_connection")
    campaign = factories.campaign(by=rep)

    saved = admin_client.post(
        "/registry/organisation/", {**form, "name": "Renamed Industries SA", **formset_data([])}
    )

    assert saved.status_code == 302
    assert "Renamed Industries SA" in compose(campaign, person, with_notice=True).body
    assert "Renamed Industries SA" in notice_text(person, language="fr")
    assert "Renamed Industries SA" in wording_for(Purpose.objects.get(code="b2b_prospecting"), Channel.EMAIL)
    register = factories.log_in(Client(), dpo).get("/registry/")
    assert register.status_code == 200
    assert "Renamed Industries SA" in register.content.decode()
