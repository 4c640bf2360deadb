"""The second factor of admins and DPOs (issue 9, acceptance 4).

An admin or a DPO without a verified device reaches no page beyond the MFA pages; enrolling
an app issues recovery codes; each code works once; wrong codes are throttled.
"""

import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from crm import mfa
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

# Every route an unverified admin or DPO may still open, by name; anything else is gated.
REACHABLE_UNVERIFIED = {
    "mfa",
    "mfa_setup",
    "mfa_recovery",  # sends an unverified user back to "mfa" itself
    "logout",
    "set_language",
    "health",
    "privacy",
}
# The signed links that the people in the base open, and the hosted web forms: logged in or not.
PUBLIC_PREFIXES = ("/u/", "/f/")


def routes(resolver=None, prefix=""):
    """Every route of the site as (name, path with sample arguments)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, "/" + sample_path(prefix + str(entry.pattern))


def sample_path(pattern: str) -> str:
    """A path that the pattern matches: the gate answers before any view looks at the values."""
    samples = {"int": "1", "uuid": str(uuid.uuid4()), "drf_format_suffix": ".json"}
    path = re.sub(r"\(\?P<format>[^)]*\)", "json", pattern)  # the router's regex routes
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples.get(m.group(1), "sample"), path)
    return path.replace("^", "").replace("$", "").replace("/?", "/").replace("\\", "")


def log_in(client: Client, username: str):
    return client.post("/accounts/login/", {"username": username, "password": factories.PASSWORD})


def submit_code(client: Client, url: str, code: str, **extra):
    return client.post(url, {"code": code, **extra})


@pytest.mark.parametrize("role", ["admin", "dpo"])
@pytest.mark.parametrize("enrolled", [True, False], ids=["app-enrolled", "no-app-yet"])
def test_an_unverified_admin_or_dpo_reaches_no_route_beyond_the_mfa_pages(client, role, enrolled):
    person = factories.user(role=role, username=f"{role}-person", second_factor=enrolled)
    log_in(client, person.username)
    reached = []

    for name, path in routes():
        if name in REACHABLE_UNVERIFIED or path.startswith(PUBLIC_PREFIXES):
            continue
        response = client.get(path)
        if path.startswith("/api/"):
            if response.status_code != 403 or "second factor" not in response.json()["detail"]:
                reached.append((name, path, response.status_code))
        elif response.status_code != 302 or not response["Location"].startswith("/accounts/mfa/?next="):
            reached.append((name, path, response.status_code))

    assert reached == []
    assert (
        client.get("/", follow=True)
        .redirect_chain[-1][0]
        .startswith("/accounts/mfa/" if enrolled else "/accounts/mfa/setup/")
    )


def test_the_gate_also_refuses_writes_and_keeps_the_page_asked_for(client):
    person = factories.user(role="admin", username="boss")
    log_in(client, person.username)

    response = client.post("/users/", {"username": "intruder"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/?next=%2Fusers%2F"
    assert not type(person).objects.filter(username="intruder").exists()


def test_a_rep_is_never_asked_for_a_second_factor(client, rep):
    response = log_in(client, "rep")

    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/accounts/mfa/")["Location"] == "/"
    assert client.get("/accounts/mfa/setup/")["Location"] == "/"
    assert client.post("/accounts/mfa/recovery/")["Location"] == "/"
    assert not TOTPDevice.objects.filter(user=rep).exists()


def test_first_log_in_enrols_the_app_and_shows_ten_recovery_codes_once(client):
    person = factories.user(role="dpo", username="nadia", second_factor=False)

    assert log_in(client, "nadia")["Location"] == "/"
    assert client.get("/")["Location"] == "/accounts/mfa/?next=%2F"
    setup = client.get("/accounts/mfa/", follow=True)
    assert setup.redirect_chain[-1][0].startswith("/accounts/mfa/setup/")
    assert b"<svg" in setup.content  # the QR code
    secret = setup.context["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert secret.encode() in setup.content

    wrong = submit_code(client, "/accounts/mfa/setup/", "000000")
    assert wrong.status_code == 200
    assert "code" in wrong.context["form"].errors
    assert not TOTPDevice.objects.filter(user=person, confirmed=True).exists()

    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=5), tick=False):
        confirmed = submit_code(client, "/accounts/mfa/setup/", factories.totp_code(person))
        home = client.get("/")

    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code.encode() in confirmed.content for code in codes)
    assert home.status_code == 200
    assert mfa.remaining_recovery_codes(person) == 10
    assert b"recovery-codes" not in client.get("/accounts/mfa/recovery/").content  # shown only once


def test_each_log_in_asks_for_a_fresh_app_code_and_then_goes_where_it_was_going(client):
    person = factories.user(role="admin", username="paul")
    log_in(client, "paul")
    asked = client.get("/registry/")
    assert asked["Location"] == "/accounts/mfa/?next=%2Fregistry%2F"

    verified = submit_code(client, "/accounts/mfa/", factories.totp_code(person), next="/registry/")

    assert verified["Location"] == "/registry/"
    assert client.get("/users/").status_code == 200
    client.post("/accounts/logout/")
    log_in(client, "paul")
    assert client.get("/users/").status_code == 302  # a new session is verified anew


def test_a_code_the_app_showed_is_accepted_once(client):
    person = factories.user(role="admin", username="paul")
    with time_machine.travel(START, tick=False):
        code = factories.totp_code(person)
        log_in(client, "paul")
        assert submit_code(client, "/accounts/mfa/", code).status_code == 302

        other = Client()
        log_in(other, "paul")
        replayed = submit_code(other, "/accounts/mfa/", code)

    assert replayed.status_code == 200
    assert replayed.context["form"].errors["code"] == ["This code is wrong or was already used."]
    assert other.get("/users/").status_code == 302


def test_a_recovery_code_logs_in_once_and_new_codes_cancel_the_old_ones(client):
    person = factories.user(role="dpo", username="nadia")
    factories.log_in(client, person)
    first_codes = client.post("/accounts/mfa/recovery/").context["codes"]
    client.post("/accounts/logout/")

    other = Client()
    log_in(other, "nadia")
    assert submit_code(other, "/accounts/mfa/", first_codes[0].upper())["Location"] == "/"
    assert mfa.remaining_recovery_codes(person) == 9

    third = Client()
    log_in(third, "nadia")
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=1)):
        reused = submit_code(third, "/accounts/mfa/", first_codes[0])
    assert reused.context["form"].errors["code"] == ["This code is wrong or was already used."]

    new_codes = other.post("/accounts/mfa/recovery/").context["codes"]
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5)):
        stale = submit_code(third, "/accounts/mfa/", first_codes[1])
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=10)):  # past the wrong codes' wait
        fresh = submit_code(third, "/accounts/mfa/", new_codes[0])
    assert stale.status_code == 200
    assert fresh["Location"] == "/"


def test_a_session_verified_with_a_recovery_code_stays_verified_when_it_replaces_them(client):
    person = factories.user(role="dpo", username="nadia")
    codes = factories.log_in(Client(), person).post("/accounts/mfa/recovery/").context["codes"]
    log_in(client, "nadia")
    submit_code(client, "/accounts/mfa/", codes[0])

    client.post("/accounts/mfa/recovery/")

    assert client.get("/registry/").status_code == 200
    assert mfa.remaining_recovery_codes(person) == 10


def test_wrong_codes_are_throttled_even_for_the_right_code(client):
    person = factories.user(role="admin", username="paul")
    log_in(client, "paul")
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(3):
            submit_code(client, "/accounts/mfa/", "123456")

        throttled = submit_code(client, "/accounts/mfa/", factories.totp_code(person))
        assert throttled.context["form"].errors["code"] == [
            "Too many wrong codes: wait a minute and try again."
        ]

        clock.shift(timedelta(seconds=5))  # the wait doubles with each wrong code: 4 s after 3
        accepted = submit_code(client, "/accounts/mfa/", factories.totp_code(person))

    assert accepted.status_code == 302


def test_an_unverified_session_cannot_enrol_a_new_app_to_skip_the_check(client):
    person = factories.user(role="admin", username="paul")
    log_in(client, "paul")

    page = client.get("/accounts/mfa/setup/")
    attempt = submit_code(client, "/accounts/mfa/setup/", factories.totp_code(person))

    assert page.status_code == 302 and page["Location"].startswith("/accounts/mfa/?")
    assert attempt.status_code == 302
    assert TOTPDevice.objects.filter(user=person).count() == 1
    assert client.get("/users/").status_code == 302


def test_a_verified_user_moves_to_a_new_phone(client):
    person = factories.user(role="admin", username="paul")
    factories.log_in(client, person)
    old = mfa.app_device(person)

    client.get("/accounts/mfa/setup/")
    new_code = factories.totp_code(person, pending=True)
    confirmed = submit_code(client, "/accounts/mfa/setup/", new_code)

    assert confirmed.status_code == 200
    assert list(TOTPDevice.objects.filter(user=person)) == [mfa.app_device(person)]
    assert mfa.app_device(person).pk != old.pk


def test_the_session_api_is_refused_until_verified_and_a_token_comes_from_a_verified_session(client):
    person = factories.user(role="dpo", username="nadia")
    log_in(client, "nadia")

    refused = client.get("/api/prospects/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Verify your second factor in the application first."}
    assert client.post("/accounts/token/")["Location"].startswith("/accounts/mfa/")
    assert not Token.objects.filter(user=person).exists()

    submit_code(client, "/accounts/mfa/", factories.totp_code(person))
    client.post("/accounts/token/")
    token = Token.objects.get(user=person)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    assert api.get("/api/prospects/").status_code == 200


def test_only_a_safe_next_page_is_followed(client):
    person = factories.user(role="admin", username="paul")
    log_in(client, "paul")

    response = submit_code(
        client, "/accounts/mfa/", factories.totp_code(person), next="https://evil.example/"
    )

    assert response["Location"] == "/"


def test_an_admin_resets_another_persons_lost_second_factor(admin_client, dpo):
    factories.log_in(Client(), dpo)
    assert b"Reset second factor" in admin_client.get("/users/").content

    response = admin_client.post(f"/users/{dpo.pk}/mfa/reset/")

    assert response["Location"] == "/users/"
    assert mfa.app_device(dpo) is None and mfa.remaining_recovery_codes(dpo) == 0
    again = Client()
    log_in(again, "dpo")
    assert again.get("/", follow=True).redirect_chain[-1][0].startswith("/accounts/mfa/setup/")


def test_nobody_resets_their_own_second_factor_and_only_admins_reset_any(admin_client, admin_user, dpo, rep):
    own = admin_client.post(f"/users/{admin_user.pk}/mfa/reset/", follow=True)
    assert b"Ask another administrator" in own.content
    assert mfa.app_device(admin_user) is not None

    for person in (dpo, rep):
        client = factories.log_in(Client(), person)
        assert client.post(f"/users/{admin_user.pk}/mfa/reset/").status_code == 403
    assert mfa.app_device(admin_user) is not None


def test_the_demo_stands_in_for_a_phone_with_debug_on_only(client, settings):
    from django.core.management import CommandError, call_command

    person = factories.user(role="dpo", username="nadia", second_factor=False)
    log_in(client, "nadia")
    client.get("/accounts/mfa/setup/")
    settings.DEBUG = True
    with time_machine.travel(START, tick=False):
        printed = io.StringIO()
        call_command("mfa_code", "nadia", stdout=printed)
        assert printed.getvalue().strip() == factories.totp_code(person, pending=True)
        assert submit_code(client, "/accounts/mfa/setup/", printed.getvalue().strip()).status_code == 200
    assert mfa.app_device(person) is not None

    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("mfa_code", "nadia")


REFUSED = (
    403,
    {"detail": "This token was issued without your second factor: issue a new one in the application."},
)


def api_status(token: Token, path: str = "/api/prospects/"):
    """200, or the refusal with its reason."""
    response = Client(headers={"Authorization": f"Token {token.key}"}).get(path)
    return response.status_code if response.status_code == 200 else (response.status_code, response.json())


def test_a_token_issued_before_the_second_factor_no_longer_opens_the_api(client):
    person = factories.user(role="dpo", username="nadia", second_factor=False)
    early = Token.objects.create(user=person)  # as before the second factor existed
    assert api_status(early) == REFUSED

    factories.log_in(client, person)
    client.get("/accounts/mfa/setup/")
    submit_code(client, "/accounts/mfa/setup/", factories.totp_code(person, pending=True))

    assert api_status(early) == REFUSED
    client.post("/accounts/token/")
    assert api_status(Token.objects.get(user=person)) == 200


def test_a_reset_retires_the_token_and_a_new_role_does_not_lend_an_old_one_its_power(admin_client, dpo, rep):
    dpo_token = Token.objects.create(user=dpo)
    rep_token = Token.objects.create(user=rep)
    assert api_status(dpo_token) == 200

    admin_client.post(f"/users/{dpo.pk}/mfa/reset/")
    rep.groups.add(Group.objects.get(name="admin"))  # roles change outside the product
    TOTPDevice.objects.create(user=rep, name=mfa.APP_DEVICE_NAME, confirmed=True)

    assert not Token.objects.filter(user=dpo).exists()
    assert api_status(rep_token) == REFUSED


def test_the_wait_after_wrong_codes_stops_growing_at_a_minute(client):
    person = factories.user(role="admin", username="paul")
    log_in(client, "paul")
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(20):
            submit_code(client, "/accounts/mfa/", "123456")
            clock.shift(timedelta(minutes=2))
        submit_code(client, "/accounts/mfa/", "123456")

        clock.shift(timedelta(seconds=30))
        too_soon = submit_code(client, "/accounts/mfa/", factories.totp_code(person))
        clock.shift(timedelta(seconds=35))
        accepted = submit_code(client, "/accounts/mfa/", factories.totp_code(person))

    assert too_soon.context["form"].errors["code"] == ["Too many wrong codes: wait a minute and try again."]
    assert accepted.status_code == 302
