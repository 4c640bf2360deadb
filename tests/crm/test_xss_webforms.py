"""XSS, the web forms: the name, notice and box wordings an administrator types, and what a
visitor types on the public page; each written through its form and read back, escaped, on
every page that shows it (the public page, the form's page with its snippets, the prospect)."""

import pytest
from django.test import Client

from prospects.models import Prospect
from tests import factories
from tests.crm.hostile import logged_in, marker, post, read
from webforms.models import FormVersion, WebForm

pytestmark = pytest.mark.django_db

FIELDS = {"webforms.WebForm.name", "webforms.FormVersion.notice", "webforms.FormVersion.consents"}
PAYLOADS = ('<script>alert("{m}")</script>', "\"><img src=x onerror=alert('{m}')>", "<svg onload={m}>")


def definition(rep, name: str, notice: str, wording: str) -> dict:
    return {
        "name": name,
        "slug": "contact",
        "language": "en",
        "owner": rep.pk,
        "fields": ["name", "email", "company", "message"],
        "notice": notice,
        "is_live": "on",
        "box-TOTAL_FORMS": "1",
        "box-INITIAL_FORMS": "0",
        "box-MIN_NUM_FORMS": "0",
        "box-MAX_NUM_FORMS": "6",
        "box-0-purpose": "b2b_prospecting",
        "box-0-channel": "email",
        "box-0-wording": wording,
    }


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_form_texts_and_visitor_input_are_escaped_on_every_page(payload, settings):
    settings.LOYAL_WEBFORM_MIN_SECONDS = 0
    rep = factories.user(role="sales", username="rep")
    clients = logged_in(sales=rep, admin=factories.user(role="admin", username="admin"))
    name, notice, wording, first, company, message = (payload.format(m=marker()) for _ in range(6))

    post(clients["admin"], "/webforms/new/", definition(rep, name, notice, wording))
    form = WebForm.objects.get(name=name)
    assert FormVersion.objects.get(form=form).consents[0]["wording"] == wording
    visitor = Client()
    page = read(
        visitor, "/f/contact/", {"name": name, "notice": notice, "wording": wording}, shown=("notice",)
    )
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    post(
        visitor,
        "/f/contact/",
        {
            "token": token,
            "first_name": first,
            "last_name": "X",
            "email": "a@acme.example",
            "company": company,
            "message": message,
            "consent_0": "on",
        },
    )

    texts = {
        "webforms.WebForm.name": name,
        "webforms.FormVersion.notice": notice,
        "webforms.FormVersion.consents": wording,
    }
    read(clients["admin"], "/webforms/", {"webforms.WebForm.name": name}, shown=["webforms.WebForm.name"])
    read(clients["admin"], f"/webforms/{form.pk}/", texts, shown=texts)
    read(clients["admin"], f"/webforms/{form.pk}/edit/", texts, shown=texts)
    prospect = Prospect.objects.get()
    visitor_texts = {"first_name": first, "company": company, "message": message}
    read(clients["sales"], f"/prospects/{prospect.pk}/", visitor_texts, shown=visitor_texts)
