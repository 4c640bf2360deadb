"""Hosted web forms (issue 17): versions, the public page, evidence, identical answers, abuse."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.models import Consent, Method
from consent.objections import record_objection
from org.accounts import team_of
from prospects.models import Interaction, Prospect, Source
from tests import factories
from tests.forms_capture.sample_forms import NOTICE, WORDING, visitor_post, web_form
from webforms import definitions
from webforms.models import FormTally, FormVersion, Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.LOYAL_WEBFORM_MIN_SECONDS = 0


def url_of(form) -> str:
    return reverse("webforms:public", kwargs={"slug": form.slug})


def stored() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Prospect, Source, Consent, Interaction)}


def test_each_edit_makes_a_new_version_and_keeps_the_old_one(rep, admin_user):
    form = web_form(rep, by=admin_user)
    first = definitions.current_version(form)

    definition = definitions.Definition(
        name="Contact us",
        slug="contact",
        language="en",
        owner=rep,
        fields=["name", "email"],
        notice="New notice.",
    )
    definitions.save_form(definition, form=form, by=admin_user)

    versions = list(FormVersion.objects.filter(form=form).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].rendered == f"{NOTICE}\n\n{WORDING}" and versions[0].pk == first.pk
    assert versions[0].sha256 == hashlib.sha256(f"{NOTICE}\n\n{WORDING}".encode()).hexdigest()
    assert versions[1].rendered == "New notice." and versions[1].consents == []


def test_a_definition_without_the_email_field_or_with_a_box_for_an_uncollected_channel_is_refused(rep):
    bad = definitions.Definition(
        name="x",
        slug="x",
        language="en",
        owner=rep,
        fields=["name"],
        notice="n",
        consents=[{"purpose": "b2b_prospecting", "channel": "phone", "wording": "w"}],
    )

    with pytest.raises(ValidationError) as raised:
        definitions.save_form(bad, by=rep)

    assert set(raised.value.message_dict) == {"fields", "consents"}
    assert FormVersion.objects.count() == 0


def test_a_submission_writes_its_own_evidence_and_a_pending_double_opt_in(rep, settings, mailoutbox):
    settings.LOYAL_TRUSTED_PROXY_COUNT = 0
    form = web_form(rep)
    version = definitions.current_version(form)

    response = visitor_post(
        Client(),
        url_of(form),
        headers={"User-Agent": "Firefox/140", "Referer": "https://acme.example/contact"},
    )

    assert response.status_code == 200
    prospect = Prospect.objects.get()
    source = prospect.sources.get()
    assert source.type == "web_form_consent"
    assert source.evidence == {
        "form_id": "contact",
        "notice_version": "contact-v1",
        "wording_hash": version.sha256,
        "ip": "127.0.0.1",
        "user_agent": "Firefox/140",
        "page_url": "https://acme.example/contact",
    }
    consent = Consent.objects.get(prospect=prospect)
    assert consent.method == Method.DOUBLE_OPT_IN and not consent.counts
    assert (
        consent.wording == WORDING and consent.wording_sha256 == hashlib.sha256(WORDING.encode()).hexdigest()
    )
    assert prospect.language == "en" and prospect.owner == rep and prospect.team == team_of(rep)
    assert len(mailoutbox) == 1 and "/u/confirm/" in mailoutbox[0].body
    assert mailoutbox[0].subject == "Please confirm your choices"
    assert prospect.interactions.get().type == "form_submission"


def test_no_box_ticked_makes_a_notice_source_and_no_consent(rep, mailoutbox):
    form = web_form(rep)

    visitor_post(Client(), url_of(form), tick=False)

    assert Source.objects.get().type == "web_form_notice"
    assert not Consent.objects.exists() and not mailoutbox


def test_the_confirmation_mail_speaks_the_form_s_language(rep, mailoutbox):
    form = web_form(rep, language="fr")

    visitor_post(Client(), url_of(form))

    assert mailoutbox[0].subject != "Please confirm your choices"


def test_suppressed_known_and_new_addresses_get_byte_identical_thank_you_pages(rep):
    form = web_form(rep)
    gone = factories.prospect(by=rep, first_name="Gone", last_name="Away", email="gone@acme.example")
    record_objection(gone, via="link")
    known = factories.prospect(by=rep, first_name="Known", last_name="Person", email="known@acme.example")
    before_suppressed = stored()

    suppressed = visitor_post(Client(), url_of(form), email="gone@acme.example")
    after_suppressed = stored()
    known_answer = visitor_post(Client(), url_of(form), email="known@acme.example")
    new = visitor_post(Client(), url_of(form), email="new@acme.example")

    def seen(response):
        headers = {k: v for k, v in response.headers.items() if k.lower() != "date"}
        return response.status_code, response.content, headers, dict(response.cookies)

    assert seen(suppressed) == seen(known_answer) == seen(new)
    assert suppressed.status_code == 200 and b"Thank you" in suppressed.content
    assert after_suppressed == before_suppressed  # the suppressed address created nothing
    assert Prospect.objects.filter(first_name="Ada").count() == 1  # the new one only
    known.refresh_from_db()
    assert known.sources.filter(type="web_form_consent").exists()
    assert known.interactions.filter(type="form_submission", is_voluntary_prospect_contact=True).exists()
    assert known.last_prospect_contact_at is not None  # the contact moved retention


def test_a_known_person_s_submission_moves_the_retention_date(rep):
    form = web_form(rep)
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        known = factories.prospect(by=rep, email="known@acme.example")
    before = known.retention_until

    visitor_post(Client(), url_of(form), email="known@acme.example")

    known.refresh_from_db()
    assert known.retention_until > before


def test_a_honeypot_post_creates_nothing_and_is_counted(rep):
    form = web_form(rep)

    response = visitor_post(Client(), url_of(form), website="http://spam.example")

    assert response.status_code == 200 and b"Thank you" in response.content
    assert stored() == {"Prospect": 0, "Source": 0, "Consent": 0, "Interaction": 0}
    assert FormTally.objects.get(form=form, outcome=Outcome.HONEYPOT).count == 1


def test_thirty_posts_from_one_address_within_a_minute_are_limited_after_the_threshold(rep, settings):
    settings.LOYAL_WEBFORM_RATE_PER_IP = 10
    form = web_form(rep)
    client = Client()

    statuses = [
        visitor_post(client, url_of(form), email=f"person{n}@acme.example", tick=False).status_code
        for n in range(30)
    ]

    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429] * 20
    assert Prospect.objects.count() == 10
    limited = visitor_post(client, url_of(form), email="late@acme.example")
    assert "Please wait a minute" in limited.content.decode()
    assert FormTally.objects.get(form=form, outcome=Outcome.RATE_LIMITED).count == 21
    assert Prospect.objects.count() == 10


def test_the_per_form_limit_holds_across_addresses(rep, settings):
    settings.LOYAL_WEBFORM_RATE_PER_FORM = 3
    settings.LOYAL_TRUSTED_PROXY_COUNT = 1
    form = web_form(rep)

    statuses = [
        visitor_post(
            Client(), url_of(form), email=f"p{n}@acme.example", headers={"X-Forwarded-For": f"203.0.113.{n}"}
        ).status_code
        for n in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]


def test_a_post_sent_faster_than_the_minimum_fill_time_is_refused_with_a_message(rep, settings):
    settings.LOYAL_WEBFORM_MIN_SECONDS = 60
    form = web_form(rep)

    response = visitor_post(Client(), url_of(form))

    assert response.status_code == 400 and "faster than anyone can fill it in" in response.content.decode()
    assert not Prospect.objects.exists()
    assert FormTally.objects.get(form=form, outcome=Outcome.TOO_FAST).count == 1


def test_the_plain_snippet_s_post_without_token_comes_back_to_be_sent_again(rep):
    form = web_form(rep)
    client = Client()

    first = client.post(url_of(form), {"first_name": "Ada", "last_name": "L", "email": "ada@acme.example"})

    assert first.status_code == 400 and "send the form again" in first.content.decode()
    assert 'value="ada@acme.example"' in first.content.decode()
    assert not Prospect.objects.exists()


def test_a_bad_email_is_refused_naming_the_field(rep):
    form = web_form(rep)

    response = visitor_post(Client(), url_of(form), email="not an address")

    assert response.status_code == 400 and 'id="id_email_errors"' in response.content.decode()
    assert not Prospect.objects.exists()


def test_the_public_page_may_be_framed_by_other_sites_and_no_other_page_may(rep, client):
    form = web_form(rep)

    public = Client().get(url_of(form))
    other = Client().get(reverse("login"))

    assert "X-Frame-Options" not in public.headers
    assert "frame-ancestors *" in public.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]


def test_the_public_page_needs_no_csrf_cookie_and_sets_none(rep):
    form = web_form(rep)
    client = Client(enforce_csrf_checks=True)

    response = visitor_post(client, url_of(form))

    assert response.status_code == 200 and Prospect.objects.count() == 1
    assert not response.cookies


def test_a_form_not_live_answers_404(rep):
    form = web_form(rep)
    form.is_live = False
    form.save()

    assert Client().get(url_of(form)).status_code == 404


def test_an_unconfirmed_consent_expires_with_its_link_and_never_counts(rep, mailoutbox):
    form = web_form(rep)
    visitor_post(Client(), url_of(form))
    link = re.search(r"/u/confirm/\S+/", mailoutbox[0].body).group(0)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        late = Client().post(link)

    assert late.status_code == 400
    assert not Consent.objects.get().counts
