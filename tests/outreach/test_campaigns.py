import pytest
from django.core.exceptions import ValidationError

from consent.models import Purpose
from outreach import sending
from outreach.campaigns import create_campaign
from outreach.models import CampaignStatus, Message
from registry.forms import OrganisationForm
from tests import factories
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


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"hosting": "Hosting provider in the EU (to be named)"}, "hosting provider (processor)"),
        ({"dpo_email": ""}, "DPO email"),
        ({"emailing": "  "}, "emailing provider (processor)"),
    ],
)
def test_no_campaign_starts_while_an_organisation_fact_is_missing(rep, settings, changes, named):
    settings.LOYAL_CONTROLLER = {**settings.LOYAL_CONTROLLER, **changes}
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)

    with pytest.raises(ValidationError) as refused:
        sending.start_sending(campaign, by=rep)

    assert named in refused.value.messages[0] and "L34-5" in refused.value.messages[0]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and not Message.objects.exists()


def test_a_campaign_starts_once_the_organisation_page_names_them(rep, admin_client, settings):
    settings.LOYAL_CONTROLLER = {**settings.LOYAL_CONTROLLER, "hosting": "Host (to be named)"}
    informed(by=rep, email="ana@acme.fr")
    campaign = factories.campaign(by=rep)
    form = {k: v for k, v in settings.LOYAL_CONTROLLER.items() if k in OrganisationForm.Meta.fields}

    admin_client.post("/registry/organisation/", {**form, "hosting": "OVH SAS, France (EU)"})

    assert sending.start_sending(campaign, by=rep) == 1
