"""Issue 19, acceptance 1: each irreversible action of the pages does nothing until confirmed, then
exactly what its confirmation page announced. No JavaScript is needed: the page is a form."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from consent.models import Objection
from prospects.models import Prospect
from registry import requests
from registry.models import RegisterVersion, RestrictionLift
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.registry.conftest import attest_every_fact

pytestmark = pytest.mark.browser


def request_for(prospect, *, kind: str, by):
    intake = requests.Intake(
        kind=kind,
        received_on=timezone.localdate(),
        channel="letter",
        identity_check="ID seen",
        prospect=prospect,
    )
    return requests.receive(intake, by=by)


def ask_then_confirm(page, click: str, *, question: str, unchanged, done, details: str = "") -> None:
    """Click ``click``: the confirmation page asks ``question`` and nothing has changed; back on
    the page, ask again and confirm: ``done`` holds."""
    with page.expect_navigation():
        page.click(click)
    page.locator("#confirm-question").wait_for()
    assert question in page.locator("#confirm-question").inner_text()
    assert details in (page.locator("#confirm-details").inner_text() if details else "")
    assert unchanged(), "the action ran before it was confirmed"
    with page.expect_navigation():
        page.click("#confirm")
    assert done(), "the confirmed action did not do what it announced"


def test_the_dpo_signs_off_the_register_only_once_confirmed(page, live_server):
    dpo = factories.user(role="dpo", username="nadia")
    attest_every_fact(by=dpo)
    login(page, live_server, "nadia", factories.PASSWORD)
    page.goto(f"{live_server.url}/registry/")
    number = RegisterVersion.objects.order_by("-number").first().number

    with page.expect_navigation():
        page.click("#sign-off")
    assert page.locator("#confirm-question").inner_text() == (
        f"Sign off version {number} of the record of processing activities as Nadia Test?"
    )
    assert "No version has been signed off yet" in page.locator("#confirm-details").inner_text()
    assert not RegisterVersion.objects.filter(signed_by__isnull=False).exists()
    with page.expect_navigation():
        page.click("#confirm-cancel")
    assert page.locator("#signed-state").inner_text() == "Not signed off yet"

    ask_then_confirm(
        page,
        "#sign-off",
        question=f"Sign off version {number}",
        unchanged=lambda: not RegisterVersion.objects.filter(signed_by__isnull=False).exists(),
        done=lambda: RegisterVersion.objects.get(number=number).signed_by == dpo,
    )
    assert page.locator("#signed-state").inner_text().startswith("Signed off by Nadia Test")


def test_the_admin_erases_a_record_only_once_confirmed(page, live_server):
    admin = factories.user(role="admin", username="paul")
    person = factories.prospect(by=factories.user(role="sales", username="camille"), first_name="Lea")
    item = request_for(person, kind="erasure", by=admin)
    login(page, live_server, "paul", factories.PASSWORD)
    page.goto(f"{live_server.url}/registry/requests/{item.pk}/")

    ask_then_confirm(
        page,
        "#execute",
        question="Erase the record of Lea Dupont and everything about it, history included, for good?",
        unchanged=lambda: Prospect.objects.filter(pk=person.pk).exists(),
        done=lambda: not Prospect.objects.filter(pk=person.pk).exists(),
    )
    assert page.locator("#status").inner_text().startswith("Answered")
    screenshot(page, "erasure-confirmed")


def test_the_admin_restricts_then_lifts_a_restriction_only_once_confirmed(page, live_server):
    admin = factories.user(role="admin", username="paul")
    person = factories.prospect(by=factories.user(role="sales", username="camille"), first_name="Lea")
    item = request_for(person, kind="restriction", by=admin)
    login(page, live_server, "paul", factories.PASSWORD)
    page.goto(f"{live_server.url}/registry/requests/{item.pk}/")
    page.select_option("#id_ground", "accuracy")

    ask_then_confirm(
        page,
        "#execute",
        question="Restrict processing of the record of Lea Dupont on the ground:",
        unchanged=lambda: not Prospect.objects.get(pk=person.pk).is_restricted,
        done=lambda: Prospect.objects.get(pk=person.pk).restriction_ground == "accuracy",
    )

    page.goto(f"{live_server.url}/registry/restrictions/{person.pk}/lift/")
    page.fill("#id_informed_on", timezone.localdate().isoformat())
    page.select_option("#id_informed_by", "letter")
    page.fill("#id_text", "Your data were checked: processing resumes.")
    ask_then_confirm(
        page,
        "#lift",
        question="Lift the restriction on the record of Lea Dupont?",
        unchanged=lambda: Prospect.objects.get(pk=person.pk).is_restricted,
        done=lambda: not Prospect.objects.get(pk=person.pk).is_restricted,
    )
    assert RestrictionLift.objects.get().text == "Your data were checked: processing resumes."


def test_the_admin_records_an_objection_request_only_once_confirmed(page, live_server):
    admin = factories.user(role="admin", username="paul")
    person = factories.prospect(by=factories.user(role="sales", username="camille"), first_name="Lea")
    item = request_for(person, kind="objection", by=admin)
    login(page, live_server, "paul", factories.PASSWORD)
    page.goto(f"{live_server.url}/registry/requests/{item.pk}/")

    ask_then_confirm(
        page,
        "#execute",
        question="Record that Lea Dupont objects to prospecting on every channel?",
        unchanged=lambda: not Objection.objects.exists() and Prospect.objects.filter(pk=person.pk).exists(),
        # Announced by the page's warning: a non-customer is reduced to the hashes.
        done=lambda: (
            Objection.objects.get().channel == "" and not Prospect.objects.filter(pk=person.pk).exists()
        ),
    )


def test_a_rep_records_an_objection_from_the_prospect_page_only_once_confirmed(page, live_server):
    rep = factories.user(role="sales", username="camille")
    person = factories.prospect(by=rep, first_name="Lea", email="lea.dupont@acme.fr")
    login(page, live_server, "camille", factories.PASSWORD)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.click("text=Record an objection received by phone, letter or reply")
    page.select_option("#id_objection-channel", "email")
    page.select_option("#id_objection-received_via", "phone")

    ask_then_confirm(
        page,
        "#objection-form button[type=submit]",
        question="Record that Lea Dupont objects to prospecting by Email?",
        unchanged=lambda: not Objection.objects.exists(),
        done=lambda: list(Objection.objects.values_list("channel", "received_via")) == [("email", "phone")],
    )
    assert page.url.endswith(person.get_absolute_url())


def test_the_admin_deactivates_a_rep_only_once_confirmed(page, live_server):
    leaving = factories.user(role="sales", username="camille")
    staying = factories.user(role="sales", username="hugo")
    factories.user(role="admin", username="paul")
    for name in ("Lea", "Marc"):
        factories.prospect(by=leaving, first_name=name, email=f"{name.lower()}@acme.fr")
    factories.next_step(Prospect.objects.first(), by=leaving, due_at=timezone.now() + timedelta(days=1))
    login(page, live_server, "paul", factories.PASSWORD)
    page.goto(f"{live_server.url}/prospects/reps/{leaving.pk}/deactivate/")
    page.select_option("#id_successor", str(staying.pk))

    ask_then_confirm(
        page,
        "main form button[type=submit]",
        question="Deactivate Camille Test and hand 2 prospects to Hugo Test?",
        details="1 open next step goes to Hugo Test too.",
        unchanged=lambda: get_user_model().objects.get(pk=leaving.pk).is_active,
        done=lambda: (
            not get_user_model().objects.get(pk=leaving.pk).is_active
            and set(Prospect.objects.values_list("owner", flat=True)) == {staying.pk}
        ),
    )
    assert page.url == f"{live_server.url}/users/"
