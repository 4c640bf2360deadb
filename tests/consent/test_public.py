"""The public pages: no login, the person's language, clear pages for bad or dead links."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consent import links
from consent.models import Consent, ConsentState, Objection, Route
from consent.objections import record_objection
from consent.state import consent_state
from outreach.contactability import contactability
from outreach.policy import Reason
from prospects import suppression
from prospects.models import Prospect, Suppression
from prospects.ownership import deactivate_rep
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(rep):
    return factories.prospect(by=rep, email="anne.leroy@gmail.com", phone="06 12 34 56 78", language="fr")


@pytest.fixture
def visitor():
    """A stranger's browser: no session, and CSRF checked as a real browser would be."""
    return Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64)")


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_opening_the_unsubscribe_link_records_nothing(person, visitor):
    response = visitor.get(_path(links.unsubscribe_url(person, "email")))

    assert response.status_code == 200
    assert b'id="unsubscribe-button"' in response.content
    assert not Objection.objects.exists() and not Suppression.objects.exists()


def test_unsubscribe_works_without_login_twice_in_a_row(person, visitor):
    path = _path(links.unsubscribe_url(person, "email"))

    first = visitor.post(path)
    second = visitor.post(path)

    assert first.status_code == second.status_code == 200
    assert b'id="unsubscribed"' in first.content and b'id="unsubscribed"' in second.content
    objection = Objection.objects.get()
    assert (objection.channel, objection.received_via, objection.recorded_by) == ("email", Route.LINK, None)
    assert suppression.is_suppressed(person, channel="email")
    assert {row.channel: row.verdict.reason for row in contactability(person)}[
        "email"
    ] == Reason.REF_OBJECTION


def test_one_click_unsubscribe_from_the_mail_client_answers_200(person, visitor):
    path = _path(links.unsubscribe_url(person, ""))

    response = visitor.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Objection.objects.get().channel == ""
    assert suppression.is_suppressed(person, channel="postal")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t[:10],
        lambda t: "garbage",
        lambda t: "a:b:c",
    ],
)
def test_tampered_unsubscribe_link_gets_a_clear_400_page(person, visitor, method, alter):
    token = links.unsubscribe_token(person, "email")

    response = getattr(visitor, method)(f"/u/unsubscribe/{alter(token)}/")

    assert response.status_code == 400
    assert b"This link is not valid" in response.content or b"Ce lien" in response.content
    assert not Objection.objects.exists()


def test_bad_link_page_speaks_the_browser_language(person, visitor):
    response = visitor.get("/u/unsubscribe/garbage/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert response.status_code == 400
    assert response["Content-Language"] == "fr"


def test_unsubscribe_link_of_an_erased_prospect_gets_a_clear_page(person, visitor):
    path = _path(links.unsubscribe_url(person, "email"))
    record_objection(person, channel="", via=Route.REQUEST)
    person.delete()

    page = visitor.get(path)
    clicked = visitor.post(path)
    one_click = visitor.post(path, {"List-Unsubscribe": "One-Click"})

    assert (page.status_code, clicked.status_code, one_click.status_code) == (410, 410, 200)
    assert b"We no longer hold your details" in page.content


def test_public_page_speaks_the_prospect_language_and_can_be_switched(person, visitor, settings):
    path = _path(links.unsubscribe_url(person, "email"))

    default = visitor.get(path, HTTP_ACCEPT_LANGUAGE="en")
    switched = visitor.get(path + "?lang=en")

    assert default["Content-Language"] == "fr" and b'<html lang="fr">' in default.content
    assert switched["Content-Language"] == "en" and b'<html lang="en">' in switched.content
    assert b'href="?lang=en"' in default.content


def test_public_pages_need_no_login_and_show_nothing_about_the_person(person, visitor):
    response = visitor.get(_path(links.preferences_url(person)))

    assert response.status_code == 200
    assert not {b"leroy", b"gmail", b"12 34", b"jean", b"dupont"} & set(
        re.findall(rb"[\w ]+", response.content.lower())
    )
    assert b"leroy" not in response.content.lower() and b"dupont" not in response.content.lower()


def test_preference_page_objects_per_channel_and_withdraws_consents_at_once(rep, person, visitor):
    factories.consent(person, by=rep, channel="email")
    factories.consent(person, by=rep, channel="email", purpose_code="newsletter")
    path = _path(links.preferences_url(person))
    csrf = visitor.get(path).cookies["csrftoken"].value

    response = visitor.post(
        path, {"csrfmiddlewaretoken": csrf, "object_to": ["sms"], "withdraw": ["newsletter:email"]}
    )

    assert response.status_code == 200 and b'id="preferences-saved"' in response.content
    assert suppression.is_suppressed(person, channel="sms") and not suppression.is_suppressed(
        person, channel="email"
    )
    assert Objection.objects.get().received_via == Route.PREFERENCES
    assert consent_state(person, channel="email", purpose_code="newsletter") == ConsentState.WITHDRAWN
    assert consent_state(person, channel="email") == ConsentState.VALID


def test_preference_page_objection_to_everything(person, visitor):
    path = _path(links.preferences_url(person))
    csrf = visitor.get(path).cookies["csrftoken"].value

    response = visitor.post(path, {"csrfmiddlewaretoken": csrf, "object_to_all": "on"})

    assert response.status_code == 200
    assert "Votre opposition est enregistrée" in response.content.decode()
    assert Objection.objects.get().channel == ""
    assert all(row.verdict.reason == Reason.REF_OBJECTION for row in contactability(person))
    assert not Prospect.objects.filter(pk=person.pk).exists()


def test_preference_page_objection_to_everything_keeps_a_customer_and_shows_the_choices(rep, visitor):
    customer = factories.customer(by=rep, email="paul.client@acme.fr", language="en")
    path = _path(links.preferences_url(customer))
    csrf = visitor.get(path).cookies["csrftoken"].value

    response = visitor.post(path, {"csrfmiddlewaretoken": csrf, "object_to_all": "on"})

    assert response.status_code == 200 and b"Your objection is recorded" not in response.content
    assert Prospect.objects.filter(pk=customer.pk).exists()
    assert suppression.is_suppressed(customer)


def test_the_footer_link_reduces_the_record_to_its_hash_and_says_so(person, visitor):
    path = _path(links.unsubscribe_url(person, ""))

    response = visitor.post(path)
    again = visitor.post(path)

    assert response.status_code == 200
    assert "Votre opposition est enregistrée" in response.content.decode()
    assert "anne" not in response.content.decode().lower()
    assert not Prospect.objects.filter(pk=person.pk).exists()
    assert again.status_code == 410 and Objection.objects.count() == 1


def test_tampered_preference_link_gets_a_clear_400_page(person, visitor):
    response = visitor.get(_path(links.preferences_url(person))[:-5] + "xx/")

    assert response.status_code == 400


def test_invitation_records_pending_consents_with_proof_and_emails_the_confirmation(
    rep, person, visitor, mailoutbox
):
    path = _path(links.invitation_url(person, issued_by=rep)) + "?lang=en"
    page = visitor.get(path)
    shown = re.search(rb'value="b2b_prospecting:email"[^>]*>\s*([^<]+)<', page.content)

    response = visitor.post(
        path,
        {
            "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
            "choices": ["b2b_prospecting:email"],
            "lang": "en",
        },
        HTTP_USER_AGENT="Mozilla/5.0 (X11)",
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 200 and b"Check your mailbox" in response.content
    consent = Consent.objects.get()
    assert shown and consent.wording == shown.group(1).decode().strip().replace("&#x27;", "'")
    assert (consent.method, consent.ip, consent.user_agent, consent.collected_by) == (
        "double_opt_in", "203.0.113.9", "Mozilla/5.0 (X11)", rep
    )  # fmt: skip
    assert len(consent.wording_sha256) == 64 and consent.wording_version
    assert consent_state(person, channel="email") == ConsentState.NONE
    assert len(mailoutbox) == 1 and "/u/confirm/" in mailoutbox[0].body


def test_confirmation_link_shows_a_button_then_confirms_on_post(rep, person, visitor, mailoutbox):
    path = _path(links.invitation_url(person, issued_by=rep))
    page = visitor.get(path)
    visitor.post(path, {"csrfmiddlewaretoken": page.cookies["csrftoken"].value, "choices": ["events:email"]})
    confirm = _path(re.search(r"https?://\S+/u/confirm/\S+/", mailoutbox[0].body).group(0))

    prefetched = visitor.get(confirm)
    still_none = consent_state(person, channel="email", purpose_code="events")
    confirmed = visitor.post(confirm, {"csrfmiddlewaretoken": prefetched.cookies["csrftoken"].value})

    assert prefetched.status_code == 200 and b'id="confirm-button"' in prefetched.content
    assert still_none == ConsentState.NONE
    assert confirmed.status_code == 200
    assert consent_state(person, channel="email", purpose_code="events") == ConsentState.VALID
    assert Consent.objects.get().confirmation.user_agent is not None


def test_invitation_of_a_rep_who_has_left_still_works_and_names_them_as_collector(
    rep, other_rep, admin_user, person, visitor, mailoutbox
):
    path = _path(links.invitation_url(person, issued_by=rep))
    deactivate_rep(rep, successor=other_rep, by=admin_user)
    page = visitor.get(path)

    response = visitor.post(
        path, {"csrfmiddlewaretoken": page.cookies["csrftoken"].value, "choices": ["b2b_prospecting:email"]}
    )

    assert response.status_code == 200
    assert Consent.objects.get().collected_by == rep
    assert len(mailoutbox) == 1


def test_eight_posts_of_one_invitation_send_one_confirmation(rep, person, visitor, mailoutbox):
    path = _path(links.invitation_url(person, issued_by=rep))
    page = visitor.get(path)
    form = {"csrfmiddlewaretoken": page.cookies["csrftoken"].value, "choices": ["b2b_prospecting:email"]}

    answers = [visitor.post(path, form) for _post in range(8)]

    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1  # the same page, mail or not
    assert len(mailoutbox) == 1
    assert Consent.objects.count() == 1


def test_the_ninth_post_of_one_invitation_sends_no_mail(rep, person, visitor, mailoutbox):
    path = _path(links.invitation_url(person, issued_by=rep))
    page = visitor.get(path)
    form = {"csrfmiddlewaretoken": page.cookies["csrftoken"].value, "choices": ["b2b_prospecting:email"]}
    first = [visitor.post(path, form) for _post in range(8)]
    sent = len(mailoutbox)

    ninth = visitor.post(path, form)

    assert sent == 1
    assert ninth.status_code == 200 and ninth.content == first[-1].content
    assert len(mailoutbox) == 1


def test_a_channel_asked_a_day_ago_may_be_asked_again(rep, person, visitor, mailoutbox):
    path = _path(links.invitation_url(person, issued_by=rep))
    page = visitor.get(path)
    form = {"csrfmiddlewaretoken": page.cookies["csrftoken"].value, "choices": ["b2b_prospecting:email"]}
    visitor.post(path, form)
    Consent.objects.update(recorded_at=timezone.now() - timedelta(hours=24, minutes=1))

    visitor.post(path, form)

    assert len(mailoutbox) == 2


def test_invitation_with_nothing_ticked_records_nothing(rep, person, visitor, mailoutbox):
    path = _path(links.invitation_url(person, issued_by=rep))
    page = visitor.get(path)

    response = visitor.post(path, {"csrfmiddlewaretoken": page.cookies["csrftoken"].value})

    assert response.status_code == 400
    assert not Consent.objects.exists() and not mailoutbox


def test_invitation_does_not_offer_a_channel_the_person_objected_to(rep, person, visitor):
    record_objection(person, channel="email", via=Route.LINK)

    page = visitor.get(_path(links.invitation_url(person, issued_by=rep)))

    assert b"b2b_prospecting:email" not in page.content
    assert b"b2b_prospecting:phone" in page.content


@pytest.mark.parametrize("name", ["invitation", "confirm", "preferences"])
def test_other_public_links_to_an_erased_prospect_get_a_clear_page(rep, person, visitor, name):
    urls = {
        "invitation": links.invitation_url(person, issued_by=rep),
        "confirm": links.confirmation_url(person, [1]),
        "preferences": links.preferences_url(person),
    }
    path = _path(urls[name])
    person.delete()

    response = visitor.get(path)

    assert response.status_code == 410


def test_the_right_to_object_has_its_own_section_with_a_one_click_button(person, visitor):
    path = _path(links.preferences_url(person))
    page = visitor.get(path)
    html = page.content.decode()
    section = html.split('id="right-to-object"', 1)[1].split("</section>", 1)[0]
    others = html.split('id="other-choices"', 1)[1]
    csrf = page.cookies["csrftoken"].value

    # GDPR 21(4): presented clearly and separately from any other information.
    assert "Votre droit d'opposition (RGPD art. 21)" in section
    assert 'name="object_to_all" value="on"' in section and 'id="object-to-all"' in section
    assert 'name="withdraw"' not in section and 'name="object_to"' not in section
    assert 'name="object_to_all" value="on"' not in others
    assert html.index('id="right-to-object"') < html.index('id="other-choices"')

    response = visitor.post(path, {"csrfmiddlewaretoken": csrf, "object_to_all": "on"})

    assert response.status_code == 200
    assert Objection.objects.get().channel == ""
    assert not Prospect.objects.filter(pk=person.pk).exists()


def test_saving_other_choices_does_not_object_to_everything(person, visitor):
    path = _path(links.preferences_url(person))
    csrf = visitor.get(path).cookies["csrftoken"].value

    visitor.post(path, {"csrfmiddlewaretoken": csrf, "object_to_all": "False", "object_to": ["sms"]})

    assert list(Objection.objects.values_list("channel", flat=True)) == ["sms"]
