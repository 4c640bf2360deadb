"""Security headers (issue 9): every HTML response carries them, for every role; production adds HSTS.

The crawl reads every route of the resolver with a GET, as each role, with rows seeded
so that the routes' parameters point at something; a browser's ``Accept`` header makes
the API answer with its HTML pages too. Each HTML response, whatever its status (pages,
redirects, refusals, error pages), must carry a Content-Security-Policy without
``'unsafe-inline'`` or ``'unsafe-eval'`` scripts, ``frame-ancestors 'none'`` and
``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff`` and a Referrer-Policy.
HSTS is set only with ``DEBUG`` off: a subprocess loads the production settings and
requests pages over HTTPS.
"""

import json
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from consent import links
from outreach import decisions
from prospects.models import ImportJob
from registry import art30
from registry.models import Breach, SubjectRequest
from tests import factories
from tests.crm import test_settings  # its production_env, not its tests
from tests.crm.hostile import failing_urlconf
from tests.forms_capture.sample_forms import web_form

pytestmark = pytest.mark.slow

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
UNSAFE_SCRIPT = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}


def policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0].lower(): words[1:] for words in directives}


def header_problems(response, *, framed: bool = False) -> list[str]:
    """What an HTML response lacks of the headers issue 9 requires.

    ``framed``: a public web form (``/f/``), which the company's site embeds in an iframe
    (issue 17): its frame-ancestors are ``LOYAL_WEBFORM_FRAME_ANCESTORS`` and it sends no
    X-Frame-Options; every other header is required as on any page.
    """
    found = []
    csp = policy(response.get("Content-Security-Policy", ""))
    if not csp:
        return ["no Content-Security-Policy"]
    for directive in ("script-src", "script-src-elem", "script-src-attr"):
        sources = csp.get(directive, csp.get("script-src", csp.get("default-src")))
        if sources is None or UNSAFE_SCRIPT & set(sources):
            found.append(f"{directive} allows inline or foreign scripts: {sources}")
    if csp.get("object-src") != ["'none'"] or csp.get("base-uri") not in (["'self'"], ["'none'"]):
        found.append("object-src or base-uri left open")
    if framed:
        if csp.get("frame-ancestors") != settings.LOYAL_WEBFORM_FRAME_ANCESTORS or response.has_header(
            "X-Frame-Options"
        ):
            found.append(
                f"framing of a web form: {csp.get('frame-ancestors')}, {response.get('X-Frame-Options')}"
            )
    elif csp.get("frame-ancestors") != ["'none'"] or response.get("X-Frame-Options") != "DENY":
        found.append(f"framing allowed: {csp.get('frame-ancestors')}, {response.get('X-Frame-Options')}")
    if response.get("X-Content-Type-Options") != "nosniff":
        found.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in REFERRER_POLICIES:
        found.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    return found


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


# --- The crawl ---------------------------------------------------------------------------------------


def routes(patterns=None, namespace: str = ""):
    """(name, parameter names) of every route, walking included URLconfs."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from routes(
                entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            )
        else:
            assert entry.name, f"unnamed route {entry.pattern}: name it, so that it can be crawled"
            yield f"{namespace}{entry.name}", tuple(entry.pattern.regex.groupindex)


def seed(rep, dpo, admin, tmp_path) -> dict:
    """One row of each kind a route's parameters can name."""
    prospect = factories.prospect(
        by=rep, evidence={**factories.EVIDENCE["business_card"], "notice_given": True}
    )
    campaign = factories.campaign(by=rep)
    decisions.decide_campaign(campaign)
    version = art30.build_register(language="en")["version"]
    job = ImportJob.objects.create(
        filename="delivery.csv", path=str(tmp_path / "delivery.csv"), file_format="csv",
        source_type="broker", owner=rep, created_by=rep, status=ImportJob.Status.DONE,
    )  # fmt: skip
    today = timezone.localdate()
    request = SubjectRequest.objects.create(
        kind="access", received_on=today, channel="email", due_on=today, prospect=prospect, recorded_by=dpo
    )
    breach = Breach.objects.create(
        discovered_at=timezone.now() - timedelta(hours=1), nature="Lost laptop", data_concerned="Emails",
        people_concerned="Prospects", consequences="None", measures="Disk encrypted", recorded_by=dpo,
    )  # fmt: skip
    form = web_form(rep)
    return {
        "web form": form.pk, "slug": form.slug,
        "prospect": prospect.pk, "campaign": campaign.pk, "message": campaign.messages.first().pk,
        "job": job.pk, "request": request.pk, "breach": breach.pk, "user": admin.pk, "rep": rep.pk,
        "version": version,
        "consent:unsubscribe": links.unsubscribe_url(prospect, ""),
        "consent:preferences": links.preferences_url(prospect),
        "consent:invitation": links.invitation_url(prospect, issued_by=rep),
        "consent:confirm": links.confirmation_url(prospect, [factories.consent(prospect, by=rep).pk]),
    }  # fmt: skip


def argument(rows: dict, route: str, name: str):
    """The value of a route's parameter, from the seeded rows."""
    if route == "password_reset_confirm":  # a link never issued: the page says so
        return {"uidb64": "MQ", "token": "never-issued"}[name]
    if name == "pk":
        kinds = (
            ("prospects:import", "job"), ("outreach:contactability", "prospect"), ("outreach:", "campaign"),
            ("campaign-", "campaign"), ("registry:request", "request"), ("registry:breach", "breach"),
            ("mfa_reset", "user"), ("webforms:", "web form"),
        )  # fmt: skip
        return rows[next((kind for prefix, kind in kinds if route.startswith(prefix)), "prospect")]
    if name == "token":
        return urlsplit(rows[route]).path.rstrip("/").rsplit("/", 1)[1]
    fixed = {"format": "api", "fmt": "html", "prospect_pk": rows["prospect"], "message_pk": rows["message"]}
    fixed |= {
        "user_id": rows["rep"],
        "number": rows["version"],
        "code": "b2b_prospecting",
        "slug": rows["slug"],
    }
    return fixed[name]


def crawl_paths(rows: dict) -> list[str]:
    paths = [
        reverse(route, kwargs={name: argument(rows, route, name) for name in parameters})
        for route, parameters in routes()
    ]
    return list(dict.fromkeys(paths))


@pytest.fixture
def visitors(rep, dpo, admin_user) -> dict[str, Client]:
    unverified = factories.user(role="admin", username="admin-without-app", second_factor=False)
    return {
        "anonymous": Client(),
        "sales": factories.log_in(Client(), rep),
        "dpo": factories.log_in(Client(), dpo),
        "admin": factories.log_in(Client(), admin_user),
        "admin before the second factor": factories.log_in(Client(), unverified),
    }


def test_every_html_response_of_every_route_carries_the_security_headers(
    visitors, rep, dpo, admin_user, tmp_path
):
    rows = seed(rep, dpo, admin_user, tmp_path)
    paths, problems, pages = crawl_paths(rows), [], Counter()

    for role, client in visitors.items():
        for path in paths:
            response = client.get(path, **BROWSER)
            if is_html(response):
                pages[role, response.status_code == 200] += 1
                problems += [
                    f"{role} GET {path} ({response.status_code}): {p}"
                    for p in header_problems(response, framed=path.startswith("/f/"))
                ]

    assert not problems, "\n".join(problems)
    assert len(paths) >= 90
    assert all(pages[role, True] >= 15 for role in ("sales", "dpo", "admin")), pages
    assert pages["anonymous", True] >= 3 and pages["admin before the second factor", True] >= 1, pages


def test_error_pages_and_refused_forms_carry_the_security_headers(visitors):
    rep, anonymous = visitors["sales"], visitors["anonymous"]
    strict, failing = Client(enforce_csrf_checks=True), Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF=failing_urlconf()):
        server_error = failing.get("/boom/", **BROWSER)
    answers = {
        "404 of an unknown page": (anonymous.get("/no-such-page/", **BROWSER), 404),
        "404 of an unknown page, logged in": (rep.get("/prospects/999999/", **BROWSER), 404),
        "403 of a page beyond the role": (rep.get("/users/", **BROWSER), 403),
        "403 of a post without its CSRF token": (strict.post("/accounts/login/", {"username": "x"}), 403),
        "400 of a tampered public link": (anonymous.get("/u/unsubscribe/tampered/", **BROWSER), 400),
        "405 of a GET on a form's action": (rep.get("/prospects/1/notes/", **BROWSER), 405),
        "400 of a refused form": (rep.post("/prospects/new/", {"first_name": ""}), 400),
        "200 of a refused log-in": (
            anonymous.post("/accounts/login/", {"username": "x", "password": "y"}),
            200,
        ),
        "500 of a failing view": (server_error, 500),
    }

    for what, (response, status) in answers.items():
        assert response.status_code == status, f"{what}: {response.status_code}"
        assert is_html(response), f"{what}: {response['Content-Type']}"
        assert not header_problems(response), f"{what}: {header_problems(response)}"


def test_a_request_for_a_host_not_allowed_is_refused_with_the_security_headers():
    response = Client().get("/accounts/login/", HTTP_HOST="evil.example", **BROWSER)

    assert response.status_code == 400
    assert not header_problems(response), header_problems(response)


# --- HSTS, with the production settings ---------------------------------------------------------------

REQUESTS = """
import json
from django.test import Client
client, out = Client(), {}
for path in ("/accounts/login/", "/no-such-page/", "/u/unsubscribe/tampered/", "/privacy/"):
    response = client.get(path, secure=True, HTTP_HOST="loyal.example")
    out[path] = [response.status_code, dict(response.headers)]
plain = client.get("/accounts/login/", HTTP_HOST="loyal.example")
proxied = client.get("/accounts/login/", HTTP_HOST="loyal.example", HTTP_X_FORWARDED_PROTO="https")
out["http"] = [plain.status_code, dict(plain.headers)]
out["proxied"] = [proxied.status_code, dict(proxied.headers)]
print(json.dumps(out))
"""


def manage(*args: str, env: dict[str, str]) -> str:
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_production_pages_over_https_carry_hsts_and_plain_http_is_redirected(tmp_path):
    """What production does: DEBUG off, the settings' own HSTS values, static files collected."""
    env = test_settings.production_env(tmp_path)
    manage("migrate", "--verbosity", "0", env=env)
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)

    answers = json.loads(manage("shell", "--verbosity", "0", "--command", REQUESTS, env=env))

    hsts = "max-age=31536000; includeSubDomains; preload"
    for path in ("/accounts/login/", "/no-such-page/", "/u/unsubscribe/tampered/", "/privacy/", "proxied"):
        status, headers = answers[path]
        assert status in (200, 400, 404), (path, status)
        assert headers["Content-Type"].startswith("text/html"), path
        assert headers.get("Strict-Transport-Security") == hsts, (path, headers)
        assert not header_problems(headers), (path, header_problems(headers))
    status, headers = answers["http"]
    assert status == 301 and headers["Location"] == "https://loyal.example/accounts/login/"
