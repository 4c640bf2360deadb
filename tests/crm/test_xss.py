"""XSS (issue 9): hostile text typed into any field comes back escaped on every page showing it.

The tests of each app's fields are in test_xss_<app>.py, on the helpers of hostile.py: each
writes Hypothesis-generated hostile text through the product's own way in (a form, a
public page, an upload) and reads every page that shows it, as each role who sees it; a
value that validation refuses comes back as a form error, escaped, never a server error.
This module keeps the list of fields honest (every free-text field of the models is
tested, or named with the reason why not), checks the page reader itself, and tests the
fields of accounts and the code of conduct, input reflected from the address, and the
error pages.
"""

import itertools
from collections import Counter
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.template import engines
from django.test import Client, override_settings
from hypothesis import strategies as st

from org.models import CodeOfConduct, Team
from tests import factories
from tests.crm import (
    test_xss_consent,
    test_xss_outreach,
    test_xss_pipeline,
    test_xss_prospects,
    test_xss_registry,
    test_xss_webforms,
    test_xss_webhooks,
)
from tests.crm.hostile import (
    M,
    check,
    email,
    emails,
    failing_urlconf,
    fill,
    filled,
    logged_in,
    marker,
    payloads,
    post,
    problems,
    read,
    refused,
    run,
    texts,
)

pytestmark = pytest.mark.slow

APPS = ("crm", "org", "prospects", "consent", "outreach", "webforms", "registry")
# Free-text fields that no person types: why each is left out.
NOT_TYPED = {
    "org.Processor.country": "a two-letter ISO 3166 code: anything else is refused (Processor.clean)",
    "prospects.Company.domain": "nothing writes it: no form, API field or service sets a domain",
    "prospects.Suppression.digest": "a keyed hash computed by the suppression list",
    "prospects.Suppression.channel": "a channel code that the domain picks from Channel",
    "prospects.PurgeRun.counts": "counts per reason, computed by the purge",
    "prospects.PurgeRun.rows": "counts per table, computed by the purge",
    "prospects.ImportRejection.field": "one of the import's field names; the page shows the mapped heading",
    "consent.Purpose.code": "a slug declared by a migration",
    "consent.Consent.wording_sha256": "a hex digest computed by consent.recording",
    "consent.Objection.channel": "a channel code that the domain picks from Channel",
    "prospects.SavedView.filters": "the list's filter values, stored by prospects.saved_views from Filters",
    "prospects.SavedView.sort": "a sort key that prospects.saved_views picks from listing.SORTS",
    "outreach.Message.gate_inputs": "the gate's inputs, written by outreach.decisions from codes",
    "outreach.Message.legal_reference": "a legal reference from the decision table",
    "outreach.Message.last_error": "the type of a mail server's error, written by outreach.sending",
    "outreach.NoticeRecord.template_version": "a version constant of outreach.notices",
    "outreach.InboundMessage.folder": "the folder name of the LOYAL_MAILBOX_FOLDER setting",
    "outreach.InboundMessage.message_key": "a hex digest of the Message-ID, by outreach.inbound",
    "outreach.MailboxState.folder": "the folder name of the LOYAL_MAILBOX_FOLDER setting",
    "outreach.ObjectionProposal.dismiss_reason": "typed through outreach.proposals; no page shows it yet",
    "outreach.UndeliverableAddress.email_index": "a keyed hash computed by outreach.inbound",
    "outreach.UndeliverableAddress.status": "an RFC 3463 status code matched by outreach.inbound",
    "registry.RegisterVersion.content": "built by registry.art30 from code and the Organisation (tested)",
    "registry.RegisterVersion.sha256": "a hex digest of the register's content",
    "registry.SubjectRequest.response_sha256": "a hex digest of the subject-access export",
    "registry.ProcessingActivity.code": "a slug declared in registry/activities.py, seeded by a migration",
    "registry.ProcessingActivity.legal_bases": "letters the page's checkboxes pick from LegalBasis",
    "registry.ProcessingActivity.processors": "Organisation field names the page's checkboxes pick",
    "auth.User.password": "a password hash",
    "prospects.Propagation.channel": "a channel code copied by prospects.propagation from the objection",
    "prospects.Propagation.email_digest": "a hex digest of the blind index, never shown",
    "prospects.Propagation.phone_digest": "a hex digest of the blind index, never shown",
    "prospects.Propagation.linkedin_digest": "a hex digest of the blind index, never shown",
    "prospects.Recipient.sent_how": "written by the domain from an export's number (consent.brokers)",
    "prospects.PurgeRun.error": "the class of the exception that stopped a run, written by prospects.purge",
    "prospects.ImportCleanup.jobs": "the ids of the imports a clean-up cleared (prospects.import_cleanup)",
    "registry.RestrictionLift.ground": "a ground code copied by registry.rights from the restriction",
    "registry.RestrictionLift.text": "the 18(3) notice's text, kept as evidence; no page shows it yet",
    "webforms.WebForm.slug": "a slug: the form's SlugField refuses anything but letters, digits, - and _",
    "webforms.FormVersion.fields": "field codes the page's checkboxes pick from webforms.models.Field",
    "webforms.FormVersion.rendered": "built by webforms.definitions from the notice and wordings (tested)",
    "webforms.FormVersion.sha256": "a hex digest of the version's text, by webforms.definitions",
    "webforms.RateWindow.scope": "a scope code written by webforms.throttle",
    "webforms.RateWindow.key": "a keyed hash of the client's address or a form's id, by webforms.throttle",
    "prospects.WebhookEndpoint.events": "event codes that prospects.webhooks picks from WebhookEventType",
    "prospects.WebhookEndpoint.secret": "generated by prospects.webhooks, shown once, never typed",
    "prospects.WebhookEndpoint.disabled_reason": "a sentence of prospects.webhooks with a number of hours",
    "prospects.WebhookEvent.key": "a random webhook-id made by prospects.webhooks",
    "prospects.WebhookEvent.data": "ids, codes and hex digests built by prospects.webhooks",
    "prospects.WebhookAttempt.error": "an HTTP status or a socket error, written by prospects.webhooks",
    "registry.Erasure.kept": "built by registry.rights.kept_text; shown as the request's outcome (tested)",
}
CONDUCT = {"text_en": 2000, "text_fr": 2000}
USER = {"username": 150, "first_name": 150, "last_name": 150}
NAMES = {"auth.User.first_name", "auth.User.last_name"}
FIELDS = {
    *(f"org.CodeOfConduct.{name}" for name in CONDUCT),
    *(f"auth.User.{name}" for name in (*USER, "email")),  # no page shows a user's email: written, checked
    "org.Team.name",
}
TESTED = (
    FIELDS,
    test_xss_prospects.FIELDS,
    test_xss_consent.FIELDS,
    test_xss_outreach.FIELDS,
    test_xss_registry.FIELDS,
    test_xss_pipeline.FIELDS,
    test_xss_webforms.FIELDS,
    test_xss_webhooks.FIELDS,
)


def free_text_fields() -> set[str]:
    """Every editable CharField, TextField or JSONField without choices of the apps' models and User."""
    models_ = [model for app in APPS for model in apps.get_app_config(app).get_models()] + [get_user_model()]
    return {
        f"{model._meta.label}.{field.name}"
        for model in models_
        if not model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        and field.editable
        and not field.choices
    }


def test_the_fields_tested_are_every_free_text_field_of_the_models():
    """A new free-text field fails this test until a test writes and reads it, or says why not."""
    tested = set().union(*TESTED)

    assert tested | set(NOT_TYPED) == free_text_fields()
    assert not tested & set(NOT_TYPED)


@pytest.mark.parametrize(
    ("template", "safe"),
    [
        ("<p>{{ v }}</p>", True),
        ("<input value='{{ v }}'><textarea>{{ v }}</textarea><title>{{ v }}</title>", True),
        ("<a href='/prospects/?q={{ v|urlencode }}'>x</a>", True),
        ("<p>{{ v|safe }}</p>", False),
        ("<input value={{ v }}>", False),
        ("<a onclick='go(\"{{ v }}\")'>x</a>", False),
        ("<a href='{{ v }}'>x</a>", False),
        ("<div hx-get='/prospects/{{ v }}/'></div>", False),
        ("<script>var name = '{{ v }}';</script>", False),
        ("<style>p::after { content: '{{ v }}'; }</style>", False),
        ("<!-- {{ v }} -->", False),
    ],
)
def test_the_page_reader_tells_text_from_markup(template, safe):
    """The oracle of these tests: escaped text passes; markup, code or a URL that the text starts fails."""
    value = fill(f"{M}<img src=x onerror=alert('{M}')>\" onfocus=\"{M}", marker(), size=200)

    found = problems(engines["django"].from_string(template).render({"v": value}), {"f": value})

    assert not found if safe else found


# --- Accounts, teams and the code of conduct -----------------------------------------------------------

ROLES = ("sales", "dpo", "admin")


@pytest.fixture
def clients(rep, dpo, admin_user):
    return logged_in(rep=rep, dpo=dpo, admin=admin_user)


def test_the_code_of_conduct_is_escaped(clients):
    admin, outcomes = clients["admin"], Counter()

    def example(drawn):
        response = post(admin, "/conduct/edit/", filled(drawn, CONDUCT))
        outcomes[response.status_code] += 1
        current = CodeOfConduct.objects.current()
        values = {f"org.CodeOfConduct.{name}": getattr(current, name) for name in CONDUCT}
        read(admin, "/conduct/edit/", values, values)
        read(clients["rep"], "/conduct/", values, {"org.CodeOfConduct.text_en"})
        read(clients["rep"], "/conduct/", values, {"org.CodeOfConduct.text_fr"}, HTTP_ACCEPT_LANGUAGE="fr")
        read(clients["dpo"], "/conduct/", values, {"org.CodeOfConduct.text_en"})

    run(texts(CONDUCT), example)

    assert outcomes[302] == 20, outcomes


def test_user_names_and_teams_are_escaped(clients, rep):
    """No form writes a team: one is written as ``bin/run`` writes them, then shown.

    A username takes Django's username characters only: a hostile one is refused, and the
    page shows it back escaped; a plain one with the marker is then stored and shown.
    """
    admin, outcomes, roles = clients["admin"], Counter(), itertools.cycle(ROLES)
    strategy = st.fixed_dictionaries(
        {"user": texts(USER, lines=False), "team": payloads(), "email": emails()}
    )

    def example(drawn):
        team = Team.objects.create(name=fill(drawn["team"], marker(), size=100))
        typed = filled(drawn["user"], USER) | {"email": email(drawn["email"])}
        role = next(roles)
        password = "Vaste-prairie-1832-bleue"
        form = {"role": role, "team": team.pk, "password": password}
        labels = {f"auth.User.{name}": value for name, value in typed.items()} | {"org.Team.name": team.name}
        response = post(admin, "/users/", typed | form)
        outcomes[response.status_code] += 1
        if response.status_code != 302:
            refused(response, labels, "/users/")
            typed["username"] = f"user.{marker()}"
            response = post(admin, "/users/", typed | form)
            if response.status_code != 302:
                return refused(response, labels | {"auth.User.username": typed["username"]}, "/users/")
        outcomes["stored"] += 1
        person = get_user_model().objects.latest("pk")
        values = {f"auth.User.{name}": getattr(person, name) for name in typed} | {"org.Team.name": team.name}
        read(admin, "/users/", values, NAMES | {"auth.User.username", "org.Team.name"})
        own = factories.log_in(Client(), person)
        if role == "sales":  # a new rep is sent to the code of conduct first
            read(admin, f"/prospects/reps/{person.pk}/deactivate/", values, {"auth.User.username"})
            # The successors are offered by their names (org.forms.PersonChoiceField).
            read(admin, f"/prospects/reps/{rep.pk}/deactivate/", values, NAMES)
            read(own, "/conduct/", values, NAMES)
        else:  # a new admin or DPO is sent to enrol an authenticator app first
            read(own, "/accounts/mfa/setup/", values, NAMES)

    run(strategy, example)

    assert outcomes["stored"] >= 10, outcomes


# --- The address, and error pages -----------------------------------------------------------------------


def test_input_reflected_from_the_address_is_escaped(clients, rep):
    campaign = factories.campaign(by=rep)
    anonymous = Client()
    unverified = factories.log_in(
        Client(), factories.user(role="admin", username="admin2", second_factor=False)
    )

    def example(template):
        value = fill(template, marker(), size=300)
        segment, typed = quote(value.replace("/", ""), safe=""), {"typed": value}
        pages = [
            (anonymous, "/accounts/login/", {"next": value}, True),
            (anonymous, "/privacy/", {"lang": value, "x": value}, True),
            (anonymous, f"/u/unsubscribe/{segment}/", {"lang": value}, False),
            (anonymous, f"/no-such-page/{segment}/", {"x": value}, False),
            (
                clients["rep"],
                "/prospects/",
                {"q": value, "after": value, "source_type": value, "owner": value},
                True,
            ),
            (clients["rep"], "/prospects/new/", {"source_type": value}, True),
            (clients["rep"], "/prospects/new/evidence/", {"source_type": value}, False),
            (clients["rep"], f"/outreach/campaigns/{campaign.pk}/", {"reason": value, "after": value}, True),
            (clients["rep"], "/conduct/", {"next": value}, True),
            (clients["rep"], f"/prospects/{segment}/", {"x": value}, False),
            (clients["dpo"], "/registry/access-log/", {"prospect": value, "before": value}, True),
            (clients["dpo"], f"/registry/export/{segment}/", {"x": value}, False),
            (clients["admin"], "/registry/requests/", {"x": value}, True),
            (unverified, "/accounts/mfa/", {"next": value}, True),
        ]
        for client, url, query, shows in pages:
            response = client.get(url, query)
            assert response.status_code < 500, (url, response.status_code)
            if response["Content-Type"].startswith("text/html") and response.content:
                check(response.content.decode(), typed, {"typed"} if shows else (), url)
        login = anonymous.post("/accounts/login/", {"username": value, "password": "wrong"})
        check(login.content.decode(), typed, {"typed"}, "the refused log-in")

    run(payloads(), example)


def test_error_pages_escape_the_address_they_answer(clients):
    """404, 403, the CSRF refusal, a bad public link and a server error, each for a hostile address."""
    strict, failing = Client(enforce_csrf_checks=True), Client(raise_request_exception=False)

    def example(template):
        value = fill(template, marker(), size=200)
        segment, typed = quote(value.replace("/", ""), safe=""), {"typed": value}
        answers = [
            (Client().get(f"/{segment}/", {"x": value}), 404),
            (clients["rep"].get(f"/registry/{segment}/", {"x": value}), 404),
            (clients["rep"].get("/users/", {"x": value}), 403),
            (strict.post(f"/accounts/login/?next={segment}", {"username": value}), 403),
            (Client().get(f"/u/preferences/{segment}/", {"x": value}), 400),
        ]
        with override_settings(ROOT_URLCONF=failing_urlconf()):
            answers.append((failing.get("/boom/", {"x": value}), 500))
        for response, status in answers:
            assert response.status_code == status, (response.request["PATH_INFO"], response.status_code)
            assert response["Content-Type"].startswith("text/html")
            check(response.content.decode(), typed, (), f"the {status} page")

    run(payloads(), example)
