"""The footer link of a message objects to all prospecting, not to its channel only.

docs/rules.md §1.4 (G2): an objection to direct marketing is absolute (GDPR 21(2)-(3)); an
opt-out that stops one channel or one brand only breached GDPR 7(3) (CNIL, CALOGA).
"""

from urllib.parse import urlsplit

from consent.models import Objection
from outreach.content import compose
from prospects import suppression
from prospects.models import Prospect
from tests import factories


def test_the_footer_link_of_an_email_stops_every_channel(rep, client):
    person = factories.prospect(by=rep, email="anne.martin@acme.fr", phone="+33 6 12 34 56 78")
    content = compose(factories.campaign(by=rep), person, with_notice=False)

    response = client.post(urlsplit(content.unsubscribe_url).path)

    assert response.status_code == 200
    assert Objection.objects.get().channel == ""
    assert not Prospect.objects.filter(pk=person.pk).exists()  # GDPR 5(1)(c): reduced to its hash
    assert all(suppression.is_suppressed(person, channel=c) for c in ("email", "sms", "phone", "postal"))
    assert content.unsubscribe_url in content.body
