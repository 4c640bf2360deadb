"""The social-selling code of conduct: reps acknowledge each version before anything else."""

from datetime import UTC, datetime

import pytest
import time_machine

from org.models import CodeOfConduct, ConductAcknowledgement
from tests import factories

NEW_VERSION = {"text_en": "1. Be kind.", "text_fr": "1. Soyez aimable."}


@pytest.fixture
def new_rep(db):
    return factories.user(role="sales", username="newrep", acknowledged=False)


def test_rep_who_has_not_acknowledged_is_sent_to_the_code(client, new_rep):
    factories.log_in(client, new_rep)

    response = client.get("/users/")

    assert response.status_code == 302
    assert response["Location"] == "/conduct/?next=/users/"


def test_rep_who_has_not_acknowledged_gets_a_json_403_from_the_api(client, new_rep):
    factories.log_in(client, new_rep)

    response = client.get("/api/me/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "code of conduct" in response.json()["detail"]


def test_rep_reaches_home_after_acknowledging(client, new_rep):
    factories.log_in(client, new_rep)

    acknowledged = client.post("/conduct/", {"next": "/"})
    home = client.get("/")

    assert acknowledged.status_code == 302
    assert acknowledged["Location"] == "/"
    assert home.status_code == 200
    assert home.context["role"] == "sales"


def test_acknowledgement_records_its_date_and_version(client, new_rep):
    factories.log_in(client, new_rep)
    moment = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)

    with time_machine.travel(moment, tick=False):
        client.post("/conduct/", {"next": "/"})

    ack = ConductAcknowledgement.objects.get(user=new_rep)
    assert ack.acknowledged_at == moment
    assert ack.conduct == CodeOfConduct.objects.current()
    assert ack.conduct.version == 1


def test_acknowledgement_does_not_leave_for_another_site(client, new_rep):
    factories.log_in(client, new_rep)

    response = client.post("/conduct/", {"next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_publishing_a_new_version_asks_reps_again(admin_client, admin_user, rep_client):
    published = admin_client.post("/conduct/edit/", NEW_VERSION)

    response = rep_client.get("/")

    assert published.status_code == 302
    current = CodeOfConduct.objects.current()
    assert (current.version, current.text_en, current.published_by) == (2, "1. Be kind.", admin_user)
    assert response.status_code == 302
    assert response["Location"] == "/conduct/?next=/"


@pytest.mark.parametrize("role", ["dpo", "admin"])
def test_dpo_and_admin_are_not_gated(client, db, role):
    person = factories.user(role=role, username=role)
    factories.log_in(client, person)

    response = client.get("/")

    assert response.status_code == 200
    assert not ConductAcknowledgement.objects.filter(user=person).exists()


@pytest.mark.parametrize("role", ["sales", "dpo"])
def test_only_an_admin_may_publish_a_version(client, db, role):
    factories.log_in(client, factories.user(role=role, username=role))

    response = client.post("/conduct/edit/", NEW_VERSION)

    assert response.status_code == 403
    assert CodeOfConduct.objects.current().version == 1
