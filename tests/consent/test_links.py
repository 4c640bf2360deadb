"""Signed links: absolute, unforgeable, bound to their purpose; unsubscribe links never expire."""

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from consent import links
from tests import factories

pytestmark = pytest.mark.django_db


def test_unsubscribe_url_is_absolute_and_reads_back_prospect_and_channel(rep, settings):
    settings.LOYAL_SITE_URL = "https://crm.example.fr/"
    person = factories.prospect(by=rep)

    url = links.unsubscribe_url(person, "email")

    assert url.startswith("https://crm.example.fr/u/unsubscribe/")
    assert links.read_unsubscribe(url.rstrip("/").rsplit("/", 1)[1]) == (person.pk, "email")


def test_unsubscribe_link_still_works_years_later(rep):
    person = factories.prospect(by=rep)
    token = links.unsubscribe_token(person, "")

    with time_machine.travel(timezone.now() + timezone.timedelta(days=3650)):
        read = links.read_unsubscribe(token)

    assert read == (person.pk, "")


@pytest.mark.parametrize(
    "alter",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token[: len(token) // 2],
        lambda token: "",
        lambda token: "not-a-token",
        lambda token: signing.dumps([1, "email"], salt="another.salt"),
        lambda token: signing.dumps([1, "fax"], salt=links.UNSUBSCRIBE_SALT),
        lambda token: signing.dumps({"p": 1}, salt=links.UNSUBSCRIBE_SALT),
        lambda token: signing.dumps([True, "email"], salt=links.UNSUBSCRIBE_SALT),
    ],
)
def test_altered_or_foreign_unsubscribe_token_is_refused(rep, alter):
    token = links.unsubscribe_token(factories.prospect(by=rep), "email")

    with pytest.raises(links.BadLink):
        links.read_unsubscribe(alter(token))


def test_a_preference_token_does_not_unsubscribe(rep):
    person = factories.prospect(by=rep)
    token = links.preferences_url(person).rstrip("/").rsplit("/", 1)[1]

    with pytest.raises(links.BadLink):
        links.read_unsubscribe(token)

    assert links.read_preferences(token) == person.pk


def test_invitation_link_expires_after_ninety_days(rep):
    person = factories.prospect(by=rep)
    token = links.invitation_url(person, issued_by=rep).rstrip("/").rsplit("/", 1)[1]

    with time_machine.travel(timezone.now() + timezone.timedelta(days=91)), pytest.raises(links.BadLink):
        links.read_invitation(token)

    assert links.read_invitation(token) == (person.pk, rep.pk)
