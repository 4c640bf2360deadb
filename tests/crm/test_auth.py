"""Log-in hardening (acceptance 4): lockout after failures, idle sessions, password rules."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from tests import factories

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def log_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def new_user_form(**overrides) -> dict:
    return {
        "username": "newcomer",
        "first_name": "Léa",
        "last_name": "Moreau",
        "email": "lea.moreau@loyal.example",
        "role": "sales",
        "password": "plum-orchard-quietly-7",
    } | overrides


def test_five_failed_logins_lock_the_account_for_fifteen_minutes(client, rep):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            log_in(client, "rep", "wrong-password-123")

        locked = log_in(client, "rep", factories.PASSWORD)

        assert locked.status_code == 429
        assert b"Too many failed attempts" in locked.content
        assert not locked.wsgi_request.user.is_authenticated

        clock.shift(timedelta(minutes=15, seconds=1))
        after_cool_off = log_in(client, "rep", factories.PASSWORD)

    assert after_cool_off.status_code == 302
    assert after_cool_off["Location"] == "/"
    assert after_cool_off.wsgi_request.user == rep


def test_four_failed_logins_do_not_lock_the_account(client, rep):
    for _ in range(4):
        log_in(client, "rep", "wrong-password-123")

    response = log_in(client, "rep", factories.PASSWORD)

    assert response.status_code == 302


def test_session_idle_for_thirty_one_minutes_is_sent_to_the_login_page(client, rep):
    with time_machine.travel(START, tick=False) as clock:
        factories.log_in(client, rep)
        clock.shift(timedelta(minutes=31))

        response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_session_idle_for_twenty_nine_minutes_stays_open_whatever_its_age(client, rep):
    with time_machine.travel(START, tick=False) as clock:
        factories.log_in(client, rep)
        clock.shift(timedelta(minutes=20))
        client.get("/")
        clock.shift(timedelta(minutes=29))

        response = client.get("/")

    assert response.status_code == 200
    assert response.context["user"] == rep


def test_user_creation_refuses_an_eleven_character_password_naming_the_field(admin_client):
    response = admin_client.post("/users/", new_user_form(password="plum-orch-7"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["password"]
    assert "at least 12 characters" in errors["password"][0]
    assert 'id="id_password_errors"' in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_user_creation_accepts_a_twelve_character_password(admin_client):
    response = admin_client.post("/users/", new_user_form(password="plum-orcha-7"))

    assert response.status_code == 302
    newcomer = get_user_model().objects.get(username="newcomer")
    assert newcomer.check_password("plum-orcha-7")
    assert list(newcomer.groups.values_list("name", flat=True)) == ["sales"]


def test_user_creation_refuses_a_username_with_markup_naming_the_field(admin_client):
    response = admin_client.post("/users/", new_user_form(username="<script>"))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["username"]
    assert not get_user_model().objects.filter(username="<script>").exists()


def test_spraying_many_usernames_from_one_address_is_throttled(client, rep):
    for number in range(30):
        log_in(client, f"someone-{number}", "wrong-password-123")

    response = log_in(client, "rep", factories.PASSWORD)

    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated


def test_failures_from_one_address_never_lock_the_account_elsewhere(admin_user):
    attacker, owner = Client(REMOTE_ADDR="203.0.113.66"), Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(10):
        log_in(attacker, "admin", "wrong-password-123")

    locked = log_in(attacker, "admin", factories.PASSWORD)
    elsewhere = log_in(owner, "admin", factories.PASSWORD)

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_behind_a_proxy_each_client_is_throttled_by_its_own_address(settings, admin_user):
    settings.LOYAL_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    owner = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    for number in range(10):
        log_in(attacker, f"someone-{number}", "wrong-password-123")

    assert log_in(attacker, "admin", factories.PASSWORD).status_code == 429
    assert log_in(owner, "admin", factories.PASSWORD).status_code == 302
