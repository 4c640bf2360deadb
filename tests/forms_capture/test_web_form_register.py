"""Issue 17: the register lists the live forms as collection channels; the Art. 15 export shows
the text the person saw."""

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from prospects.models import Prospect
from registry.figures import live_figures
from registry.subject_access import export_subject_data
from tests.forms_capture.sample_forms import NOTICE, WORDING, visitor_post, web_form
from webforms import definitions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.LOYAL_WEBFORM_MIN_SECONDS = 0


def test_the_register_lists_each_live_form_with_the_prospects_it_brought_in(rep):
    web_form(rep)
    paused = web_form(rep, slug="paused")
    paused.is_live = False
    paused.save()
    visitor_post(Client(), reverse("webforms:public", kwargs={"slug": "contact"}))

    figures = {figure.key: figure.value for figure in live_figures()["b2b_prospecting"]}

    assert figures["web_forms"] == {"Contact us (/f/contact/)": 1}


def test_the_subject_access_export_shows_the_exact_text_the_person_saw(rep, admin_user):
    form = web_form(rep)
    url = reverse("webforms:public", kwargs={"slug": "contact"})
    visitor_post(Client(), url)
    definitions.save_form(
        definitions.Definition(
            name="Contact us",
            slug="contact",
            language="en",
            owner=rep,
            fields=["name", "email"],
            notice="Later.",
        ),
        form=form,
        by=admin_user,
    )

    package = export_subject_data(Prospect.objects.get(), by=admin_user)

    files = {
        name: zipfile.ZipFile(io.BytesIO(package.content)).read(name).decode() for name in ("data.json",)
    }
    versions = json.loads(files["data.json"])["data"]["webforms.FormVersion"]
    assert [row["rendered"] for row in versions] == [f"{NOTICE}\n\n{WORDING}"]  # v1, not the later edit
    assert versions[0]["sha256"] == Prospect.objects.get().sources.get().evidence["wording_hash"]
