import pytest
from django.core.exceptions import ValidationError

from consent.models import Purpose
from org.models import Organisation
from outreach import sending
from outreach.campaigns import create_campaign
from outreach.models import CampaignStatus, Message
from registry.forms import OrganisationForm
from tests import factories
from tests.conftest import NAMED_PROCESSORS
from tests.org.test_processors import formset_data
from tests.outreach.conftest import informed


@pytest.mark.parametrize("field", ["subject_fr", "subject_en", "sender_name"])
def test_a_header_with_a_line_break_is_refused_naming_the_field(rep, field):
    fields = {
        "name": "Spring offer",
        "channel": "email",
        "purpose": Purpose.objects.get(code="b2b_prospecting"),
    }

    with pytest.raises(ValidationError) as refused:
        create_campaign(by=rep, **fields, **{field: "Offer\nBcc: someone@example.com"})

    assert field in refused.value.message_dict


HOSTING, EMAILING = NAMED_PROCESSORS


@pytest.mark.parametrize(
    ("changes", "processors", "named"),
    [
        ({"dpo_email": ""}, NAMED_PROCESSORS, "DPO email"),
        ({}, [EMAILING], "a processor for Hosting"),
        ({}, [HOSTING], "a processor for Emailing"),
        ({}, [HOSTING, {**EMAILING, "country": ""}], "the country of the processor Mailing provider SAS"),
        ({}, [{**HOSTING, "safeguard": ""}, EMAILING], "safeguard of the processor Hosting provider SAS"),
    ],
)
def test_no_campaign_starts_while_an_organisation_fact_is_missing(rep, settings, changes, processors, named):
    settings.LOYAL_CONTROLLER = {**settings.LOYAL_CONTROLLER, **changes}
    settings.LOYAL_PROCESSORS = processors
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)

    with pytest.raises(ValidationError) as refused:
        sending.start_sending(campaign, by=rep)

    assert named in refused.value.messages[0] and "L34-5" in refused.value.messages[0]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and not Message.objects.exists()


def test_a_migrated_processor_without_its_country_keeps_campaigns_from_starting(rep):
    organisation = Organisation.objects.current()
    organisation.save()
    organisation.processors.create(role="hosting", name="OVH SAS", country="FR", safeguard="eu_eea")
    organisation.processors.create(role="emailing", name="Brevo SAS")  # as the data migration leaves it
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)

    with pytest.raises(ValidationError) as refused:
        sending.start_sending(campaign, by=rep)

    assert "the country of the processor Brevo SAS" in refused.value.messages[0]
    assert "OVH SAS" not in refused.value.messages[0]


def test_a_campaign_starts_once_the_organisation_page_names_them(rep, admin_client, settings):
    settings.LOYAL_PROCESSORS = []
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    form = {k: v for k, v in settings.LOYAL_CONTROLLER.items() if k in OrganisationForm.Meta.fields}
    with pytest.raises(ValidationError):
        sending.start_sending(campaign, by=rep)

    response = admin_client.post(
        "/registry/organisation/",
        {
            **form,
            **formset_data(
                [
                    {"role": "hosting", "name": "OVH SAS", "country": "FR", "safeguard": "eu_eea"},
                    {"role": "emailing", "name": "Mailjet SAS", "country": "fr", "safeguard": "eu_eea"},
                ]
            ),
        },
    )

    assert response.status_code == 302
    assert sending.start_sending(campaign, by=rep) == 1
