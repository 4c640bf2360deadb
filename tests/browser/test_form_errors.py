"""Issue 19, acceptance 2: every typed form of the product, submitted with one invalid field,
comes back with what was typed in the other fields and the error next to the invalid one, linked
from the summary at the top of the form. The forms are those of tests/browser/form_table.py."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from prospects import importing, webhooks
from prospects.models import Prospect
from registry.breaches import BreachReport, record_breach
from tests import factories
from tests.browser.conftest import login, screenshot, type_the_password
from tests.browser.form_table import TYPED
from tests.browser.test_confirm import request_for
from tests.forms_capture.sample_forms import web_form
from tests.outreach.conftest import informed
from tests.outreach.test_proposal_views import stop_reply

pytestmark = pytest.mark.browser

# The field's own box holds its error: the label, the input and the message together.
ERROR_NEXT_TO = "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' field ')][1]//*[@role='alert']"


# A box to tick, or a radio button to choose, is given as "on" in a form's fills.
TICKED = "on"


def is_checkbox(page, selector: str) -> bool:
    return page.locator(selector).evaluate("element => element.type") in ("checkbox", "radio")


def put(page, selector: str, value: str) -> None:
    """Type into an input or a text area, choose in a select, tick a box or a radio button, as a
    person would; a file input is left with no file chosen."""
    if page.locator(selector).evaluate("element => element.tagName") == "SELECT":
        page.select_option(selector, value)
    elif page.locator(selector).evaluate("element => element.type") == "file":
        assert value == "", "a form's table names no file to upload"
        page.set_input_files(selector, [])
    elif is_checkbox(page, selector):
        page.set_checked(selector, value == TICKED)
    else:
        page.fill(selector, value)


def kept(page, selector: str, value: str) -> None:
    """The field shows what was typed, chosen or ticked before the form was refused."""
    message = f"{selector} lost what was typed"
    if is_checkbox(page, selector):
        expect(page.locator(selector), message).to_be_checked(checked=value == TICKED)
    else:
        expect(page.locator(selector), message).to_have_value(value)


def submit_with_one_error(page, url: str, form, names: dict) -> None:
    page.goto(url)
    if form.opens:
        page.click(form.opens)
    fills = {selector: value.format(**names) for selector, value in form.fills.items()}
    for selector, value in fills.items():
        put(page, selector, value)
    put(page, *form.invalid)
    with page.expect_navigation():
        page.click(form.submit)

    invalid, typed = form.invalid
    for selector, value in fills.items():
        kept(page, selector, value)
    if form.keeps_invalid:
        expect(page.locator(invalid), "the refused value was lost").to_have_value(typed)
    error = page.locator(invalid).locator(ERROR_NEXT_TO)
    expect(error.first, f"no error next to {invalid}").to_be_visible()
    expect(error.first).not_to_be_empty()
    field_id = page.locator(invalid).get_attribute("id")
    link = page.locator(f".error-summary a[href='#{field_id}']")
    expect(link, f"the summary does not link to {invalid}").to_have_count(1)
    link.click()
    expect(page.locator(invalid)).to_be_focused()


def forms_of(role: str):
    return [(name, form) for name, form in TYPED.items() if form.role == role]


def run_forms(page, live_server, role: str, names: dict) -> None:
    failed, forms = {}, forms_of(role)
    assert forms, f"no form of the table is submitted as {role!r}"
    for name, form in forms:
        url = live_server.url + form.page.format(**names)
        try:
            submit_with_one_error(page, url, form, names)
        except (AssertionError, PlaywrightError) as error:
            failed[name] = str(error).splitlines()[0]
            screenshot(page, f"form-error-{name.replace(':', '-')}")
    assert failed == {}


def test_a_reps_forms_keep_what_was_typed_and_show_the_error_at_its_field(page, live_server, tmp_path):
    rep = factories.user(role="sales", username="camille")
    person = factories.prospect(by=rep, first_name="Lea", email="lea.dupont@acme.fr")
    step = factories.next_step(person, by=rep)
    campaign = factories.campaign(by=rep)
    replied = stop_reply(informed(by=rep, first_name="Marc", email="marc@acme.fr"))
    delivery = tmp_path / "delivery.csv"
    delivery.write_text("Given,Family,Mail\nAda,Lovelace,ada@analytical.fr\n", encoding="utf-8")
    draft = importing.create_job(
        path=str(delivery),
        filename=delivery.name,
        source_type="broker",
        evidence=factories.EVIDENCE["broker"],
        owner=rep,
        by=rep,
    )
    importing.inspect(draft)
    login(page, live_server, "camille", factories.PASSWORD)

    names = {
        "prospect": person.get_absolute_url(),
        "step": step.pk,
        "campaign": campaign.pk,
        "stop_reply": replied.prospect.get_absolute_url(),
        "draft": draft.pk,
    }
    run_forms(page, live_server, "rep", {**names, "today": ""})


def test_an_admins_forms_keep_what_was_typed_and_show_the_error_at_its_field(page, live_server):
    rep = factories.user(role="sales", username="camille")
    admin = factories.user(role="admin", username="paul")
    restricted = factories.prospect(by=rep, first_name="Rita", email="rita@acme.fr")
    Prospect.objects.filter(pk=restricted.pk).update(
        restricted_at=timezone.now(), restriction_ground="accuracy"
    )
    login(page, live_server, "paul", factories.PASSWORD)

    item = request_for(restricted, kind="erasure", by=admin)
    unlinked = request_for(None, kind="access", by=admin)
    held = factories.prospect(by=rep, first_name="Hugo", email="hugo@acme.fr")
    endpoint = webhooks.register(url="https://erp.acme.example/hooks", events=["prospect.created"], by=admin)
    names = {
        "restricted": restricted.pk,
        "request": item.pk,
        "unlinked": unlinked.pk,
        "held": held.pk,
        "endpoint": endpoint.pk,
    }
    run_forms(page, live_server, "admin", {**names, "today": timezone.localdate().isoformat()})


def breach_entries(dpo) -> dict:
    """A breach the CNIL is not told of yet, and one it was notified of (which may be followed up)."""
    discovered = timezone.now() - timedelta(days=5)
    facts = {
        "discovered_at": discovered,
        "nature": "A laptop with an export was stolen",
        "data_concerned": "Names and work emails",
        "people_concerned": "Prospects of the North team",
        "consequences": "Unwanted emails",
        "measures": "Disk encrypted; passwords reset",
    }
    waiting = record_breach(BreachReport(**facts, delay_reason="Assessing the risk"), by=dpo)
    notified = record_breach(BreachReport(**facts, cnil_notified_at=discovered + timedelta(hours=30)), by=dpo)
    return {"breach": waiting.pk, "notified": notified.pk}


def test_a_dpos_forms_keep_what_was_typed_and_show_the_error_at_its_field(page, live_server):
    dpo = factories.user(role="dpo", username="dana")
    rep = factories.user(role="sales", username="camille")
    webform = web_form(rep, by=dpo)
    names = {**breach_entries(dpo), "webform": webform.pk}
    login(page, live_server, "dana", factories.PASSWORD)

    run_forms(page, live_server, "dpo", names)


def test_a_visitors_forms_keep_what_was_typed_and_show_the_error_at_its_field(page, live_server, settings):
    settings.LOYAL_WEBFORM_MIN_SECONDS = 0
    rep = factories.user(role="sales", username="camille")
    web_form(rep, slug="contact")

    run_forms(page, live_server, "visitor", {})


def test_the_second_factors_pages_show_a_wrong_code_at_its_field(page, live_server):
    factories.user(role="dpo", username="dana")
    factories.user(role="dpo", username="noe", second_factor=False)

    for role, username in (("dpo_code", "dana"), ("dpo_enrol", "noe")):
        page.context.clear_cookies()
        type_the_password(page, live_server, username, factories.PASSWORD)  # the code still to give
        run_forms(page, live_server, role, {})
