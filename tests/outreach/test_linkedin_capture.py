"""The "Add from LinkedIn" page: the bookmarklet, one address for link and evidence, the first message."""

import re
from html import unescape

from django.urls import reverse

from consent.links import read_invitation
from org.models import AccessLog
from outreach.linkedin_capture import bookmarklet
from prospects.models import Prospect
from tests import factories

PROFILE = "https://www.linkedin.com/in/jeanne-martin-acme"


def person(**fields) -> dict:
    return {
        "source_type": "linkedin_connection",
        "profile_url": PROFILE,
        "first_name": "Jeanne",
        "last_name": "Martin",
        "company_name": "Acme",
        "job_title": "Buyer",
        "language": "fr",
        **fields,
    }


def test_the_bookmarklet_reads_only_the_address_of_the_page():
    code = bookmarklet("https://crm.example.com/outreach/linkedin/", "linkedin_public_profile")

    assert code.startswith("javascript:(function(){var u=location.origin+location.pathname;")
    assert "'?source=linkedin_public_profile&url='+encodeURIComponent(u)" in code
    assert '"https://crm.example.com/outreach/linkedin/"' in code
    # Nothing of the page itself: no DOM, title, selection or cookie is read.
    assert not re.search(r"document|innerText|textContent|getSelection|title|cookie", code)


def test_the_page_offers_both_bookmarklets_and_states_the_rules(rep_client):
    page = unescape(rep_client.get(reverse("outreach:linkedin_capture")).content.decode())

    assert page.count('class="bookmarklet button" href="javascript:') == 2
    assert "?source=linkedin_connection&url=" in page and "?source=linkedin_public_profile&url=" in page
    assert "http://testserver/outreach/linkedin/" in page
    assert "A connection is not a consent" in page
    assert "never a private e-mail" in page
    assert "offers their sign-up link" in page


def test_the_page_opened_by_the_bookmarklet_is_prefilled(rep_client):
    url = reverse("outreach:linkedin_capture") + f"?source=linkedin_public_profile&url={PROFILE}"

    page = rep_client.get(url).content.decode()

    assert f'name="profile_url" value="{PROFILE}"' in page
    assert 'value="linkedin_public_profile" required id="id_source_type_1" checked' in page
    assert 'name="linkedin_url"' not in page  # the address is asked once


def test_one_address_fills_the_link_and_the_evidence_and_nothing_else(rep_client, rep):
    response = rep_client.post(reverse("outreach:linkedin_capture"), person())

    prospect = Prospect.objects.get()
    source = prospect.sources.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:linkedin_message", args=[prospect.pk])
    # The one address, in its canonical form, in both places; nothing else in the evidence.
    assert prospect.linkedin_url == "linkedin.com/in/jeanne-martin-acme"
    assert (source.type, source.evidence) == ("linkedin_connection", {"profile_url": prospect.linkedin_url})
    assert source.recorded_by == rep


def test_a_private_address_stays_private_whatever_the_rep_declares(rep_client):
    fields = person(email="jeanne@gmail.com", audience="b2b_nominative", audience_justification="Her card")

    rep_client.post(reverse("outreach:linkedin_capture"), fields)

    # docs/rules.md §1.7: the override never applies to a LinkedIn source.
    assert list(Prospect.objects.values_list("audience", flat=True)) in ([], ["b2c"])


def test_an_address_that_is_not_a_profile_is_refused_on_the_one_field(rep_client):
    response = rep_client.post(
        reverse("outreach:linkedin_capture"), person(profile_url="https://example.com/jeanne")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'field invalid">\s*<label for="id_profile_url"', page)
    assert not Prospect.objects.exists()


def test_the_first_message_is_in_the_person_s_language_with_their_sign_up_link(rep_client, rep):
    rep_client.post(reverse("outreach:linkedin_capture"), person(language="fr"))
    prospect = Prospect.objects.get()

    page = unescape(rep_client.get(reverse("outreach:linkedin_message", args=[prospect.pk])).content.decode())

    token = re.search(r"http://[^/\s]+/u/join/([^/\s]+)/", page)
    assert token and read_invitation(token.group(1)) == (prospect.pk, rep.pk)
    assert "Bonjour Jeanne" in page
    assert "VOTRE DROIT D'OPPOSITION" in page.upper()


def test_the_first_message_is_in_english_for_an_english_speaker(rep_client):
    rep_client.post(reverse("outreach:linkedin_capture"), person(language="en"))
    prospect = Prospect.objects.get()

    page = unescape(rep_client.get(reverse("outreach:linkedin_message", args=[prospect.pk])).content.decode())

    assert "Hello Jeanne, thank you for connecting." in page
    assert "YOUR RIGHT TO OBJECT" in page
    assert AccessLog.objects.filter(prospect_id=prospect.pk, action="view").exists()


def test_another_team_s_prospect_has_no_message(rep_client):
    stranger = factories.user(role="sales", username="stranger", team=factories.team("Export desk"))
    prospect = factories.prospect(by=stranger)

    response = rep_client.get(reverse("outreach:linkedin_message", args=[prospect.pk]))

    assert response.status_code == 404
