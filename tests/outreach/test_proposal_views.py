"""The "stop" replies read from the mailbox, on the rep's home and the prospect page, and their forms."""

import pytest

from consent.models import Objection
from outreach import inbound
from outreach.models import InboundMessage, ObjectionProposal
from tests import factories
from tests.outreach.conftest import informed


def stop_reply(prospect, *, text="Merci de ne plus m'écrire.") -> ObjectionProposal:
    raw = (
        f"From: {prospect.email}\r\nTo: replies@loyal.example\r\nSubject: Re: offre\r\n"
        f"Message-ID: <{prospect.pk}@acme.fr>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    ).encode()
    inbound.handle(raw, folder="INBOX", uidvalidity=1, uid=prospect.pk)
    return ObjectionProposal.objects.get(prospect=prospect)


@pytest.fixture
def proposal(rep):
    return stop_reply(informed(by=rep, first_name="Léa", email="lea@acme.fr"))


def test_the_home_page_and_the_prospect_page_list_the_stop_reply(client, rep, proposal):
    factories.log_in(client, rep)

    home = client.get("/").content.decode()
    panel = client.get(f"/outreach/prospects/{proposal.prospect_id}/contactability/").content.decode()

    for page in (home, panel):
        assert f'data-proposal="{proposal.pk}"' in page
        assert "Merci de ne plus m&#x27;écrire." in page


def test_a_rep_of_another_team_does_not_see_it(client, proposal):
    outsider = factories.user(role="sales", username="outsider", team=factories.team("South"))
    factories.log_in(client, outsider)

    assert f'data-proposal="{proposal.pk}"' not in client.get("/").content.decode()
    assert client.post(f"/outreach/stop-replies/{proposal.pk}/confirm/").status_code == 404


def test_confirming_from_the_home_page_records_the_objection(client, rep, proposal):
    factories.log_in(client, rep)

    response = client.post(f"/outreach/stop-replies/{proposal.pk}/confirm/", {"back": "home"})

    assert response.status_code == 302 and response["Location"] == "/"
    objection = Objection.objects.get(prospect=proposal.prospect)
    assert (objection.channel, objection.received_via, objection.recorded_by) == ("email", "reply", rep)
    assert f'data-proposal="{proposal.pk}"' not in client.get("/").content.decode()


def test_dismissing_without_a_reason_is_refused_in_words(client, rep, proposal):
    factories.log_in(client, rep)

    response = client.post(f"/outreach/stop-replies/{proposal.pk}/dismiss/", {"reason": ""}, follow=True)

    assert "Say why this reply is not an objection." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_dismissing_with_a_reason_goes_back_to_the_prospect(client, rep, proposal):
    factories.log_in(client, rep)

    response = client.post(f"/outreach/stop-replies/{proposal.pk}/dismiss/", {"reason": "Quoted our footer"})

    assert response["Location"] == proposal.prospect.get_absolute_url()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.dismiss_reason, proposal.decided_by) == (
        "dismissed",
        "Quoted our footer",
        rep,
    )
    assert not Objection.objects.exists()
    assert InboundMessage.objects.get().kind == "stop"


def test_a_refused_reason_comes_back_as_typed_with_the_error_at_its_field(client, rep, proposal):
    factories.log_in(client, rep)

    response = client.post(
        f"/outreach/stop-replies/{proposal.pk}/dismiss/", {"reason": "Complete idiot", "back": "home"}
    )

    page = response.content.decode()
    proposal.refresh_from_db()
    field = f"dismiss-reason-home-{proposal.pk}"
    assert response.status_code == 400 and proposal.status == "pending"
    assert f'id="{field}"' in page and 'value="Complete idiot"' in page
    assert f'id="{field}_errors"' in page and f'href="#{field}"' in page
    assert 'name="back" value="home"' in page
