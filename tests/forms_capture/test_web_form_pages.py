"""The administrator's pages of the web forms: define, edit into a new version, follow, paste."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.forms_capture.sample_forms import NOTICE, WORDING, visitor_post, web_form
from webforms.models import FormVersion, WebForm

pytestmark = pytest.mark.django_db


def definition_post(rep, **overrides) -> dict:
    data = {
        "name": "Newsletter",
        "slug": "newsletter",
        "language": "fr",
        "owner": rep.pk,
        "fields": ["name", "email", "phone"],
        "notice": "Acme SAS vous écrit au sujet de ses logiciels.",
        "is_live": "on",
        "box-TOTAL_FORMS": "2",
        "box-INITIAL_FORMS": "0",
        "box-MIN_NUM_FORMS": "0",
        "box-MAX_NUM_FORMS": "6",
        "box-0-purpose": "b2b_prospecting",
        "box-0-channel": "email",
        "box-0-wording": "J'accepte de recevoir des e-mails d'Acme SAS.",
    }
    return {**data, **overrides}


def test_an_admin_defines_a_form_then_an_edit_adds_a_version(admin_client, rep):
    created = admin_client.post(reverse("webforms:create"), definition_post(rep))
    form = WebForm.objects.get()
    edited = admin_client.post(
        reverse("webforms:edit", kwargs={"pk": form.pk}), definition_post(rep, notice="Nouvelle notice.")
    )

    assert created.status_code == edited.status_code == 302
    versions = FormVersion.objects.filter(form=form).order_by("number")
    assert [v.notice for v in versions] == [
        "Acme SAS vous écrit au sujet de ses logiciels.",
        "Nouvelle notice.",
    ]
    assert versions[0].consents == [
        {
            "purpose": "b2b_prospecting",
            "channel": "email",
            "wording": "J'accepte de recevoir des e-mails d'Acme SAS.",
        }
    ]


def test_a_box_for_a_channel_the_form_does_not_collect_is_refused_naming_the_rule(admin_client, rep):
    response = admin_client.post(
        reverse("webforms:create"), definition_post(rep, fields=["name", "email"], **{"box-0-channel": "sms"})
    )

    assert response.status_code == 400
    assert "does not collect the coordinate for this channel" in response.content.decode()
    assert not WebForm.objects.exists()


def test_the_form_s_page_shows_versions_counts_prospects_and_snippets(admin_client, rep, settings):
    settings.LOYAL_WEBFORM_MIN_SECONDS = 0
    settings.LOYAL_SITE_URL = "https://crm.example.com"
    form = web_form(rep)
    visitor_post(Client(), reverse("webforms:public", kwargs={"slug": "contact"}))
    visitor_post(Client(), reverse("webforms:public", kwargs={"slug": "contact"}), website="spam")

    page = admin_client.get(reverse("webforms:detail", kwargs={"pk": form.pk})).content.decode()

    assert "1 prospect brought in" in page
    assert "contact-v1" in page and NOTICE in page and WORDING in page
    assert "&lt;form method=&quot;post&quot; action=&quot;https://crm.example.com/f/contact/&quot;" in page
    assert "&lt;iframe src=&quot;https://crm.example.com/f/contact/&quot;" in page
    assert "<td>1</td><td>1</td><td>0</td>" in page  # one received, one robot refused


def test_a_rep_cannot_reach_the_forms_pages(rep):
    client = factories.log_in(Client(), rep)

    assert client.get(reverse("webforms:list")).status_code == 403
