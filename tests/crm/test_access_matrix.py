"""Every route of the resolver × every role × every method, against the table in access_matrix.py.

Each request runs in a savepoint that is rolled back, so that every cell sees the same seeded
rows (a POST that signs, sends or erases changes nothing for the next one), and its client
gets its cookies back afterwards (a log-out or a language switch does not carry over).
"""

import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from consent import links
from outreach import decisions
from outreach.models import InboundMessage, Message, ObjectionProposal
from prospects import importing, pipeline, saved_views, timeline, webhooks
from prospects.listing import Filters
from prospects.models import ImportJob, Prospect
from registry import art30, breaches, requests
from tests import factories
from tests.crm.access_matrix import EXPECTED, LOGIN, METHODS, ROLES, expectations
from tests.forms_capture.sample_forms import web_form

pytestmark = pytest.mark.slow

MISSING = 10**9
API = "/api/"


# --- The routes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", plus ".<format>" for a DRF format-suffix twin; the pattern if unnamed
    name: str | None
    pattern: str
    kwargs: frozenset[str]  # the arguments to fill in, "format" aside


def walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, (namespace, entry.namespace)))
            yield from walk(entry.url_patterns, pattern, inner)
            continue
        assert isinstance(entry, URLPattern)
        name = ":".join(filter(None, (namespace, entry.name))) if entry.name else None
        kwargs = frozenset(entry.pattern.regex.groupindex)
        key = (f"{name}.<format>" if "format" in kwargs else name) if name else pattern
        yield Route(key=key, name=name, pattern=pattern, kwargs=kwargs - {"format"})


def resolver_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for route in walk(get_resolver().url_patterns):
        assert route.key not in routes, f"two routes share the key {route.key!r}: rename one of them"
        routes[route.key] = route
    return routes


# --- The seeded rows, and each route's URL -----------------------------------------------------


def stop_reply(prospect: Prospect) -> ObjectionProposal:
    """A reply read from the mailbox that asks to stop, waiting for the rep."""
    inbound = InboundMessage.objects.create(
        folder="INBOX", uidvalidity=1, uid=1, kind="stop", prospect=prospect, excerpt="Stop"
    )
    return ObjectionProposal.objects.create(prospect=prospect, inbound=inbound)


def seed(tmp_path) -> tuple[dict, dict]:
    """The users of every role, a rep of another team, and a row behind every route's arguments."""
    rep = factories.user(role="sales", username="rep", team=factories.team("North"))
    dpo = factories.user(role="dpo", username="dpo")
    users = {
        "anonymous": None,
        "no role": get_user_model().objects.create_user(username="nobody", password=factories.PASSWORD),
        "sales": rep,
        "dpo": dpo,
        "admin": factories.user(role="admin", username="admin"),
        "other team": factories.user(role="sales", username="outsider", team=factories.team("South")),
    }
    prospect = factories.prospect(by=rep)
    timeline.record_interaction(prospect, type="email_reply", summary="Interested", by=rep)
    consent = factories.consent(prospect, by=rep)
    campaign = factories.campaign(by=rep)
    decisions.decide_campaign(campaign)
    restricted = factories.prospect(by=rep, first_name="Rita", email="rita@acme.fr")
    Prospect.objects.filter(pk=restricted.pk).update(restricted_at=timezone.now())
    hook = webhooks.register(url="https://hooks.example.com/loyal", events=["prospect.created"], by=dpo)
    webhooks.emit("prospect.created", [{"prospect": prospect.pk}])  # sent only after a commit: never here
    failed = import_job(tmp_path, by=rep)
    ImportJob.objects.filter(pk=failed.pk).update(status=ImportJob.Status.FAILED)
    objects = {
        "rep": rep,
        "dpo": dpo,
        "prospect": prospect,
        "next step": factories.next_step(prospect, by=rep),
        "restricted prospect": restricted,
        "campaign": campaign,
        "list": factories.prospect_list(by=rep, name="Fair", members=[prospect]),
        "saved view": saved_views.save_view(name="Mine", filters=Filters(), by=rep),
        "message": Message.objects.get(campaign=campaign, prospect=prospect),
        "stop reply": stop_reply(prospect),
        "import": import_job(tmp_path, by=rep),
        "failed import": failed,
        "register version": art30.build_register(language="en")["version"],
        "request": access_request(prospect, by=dpo),
        "breach": breach(by=dpo),
        "stage": pipeline.stages()[0],
        "webhook": hook,
        "webhook delivery": hook.deliveries.get(),
        "category": pipeline.save_category(name="Software"),
        "unsubscribe": links.unsubscribe_token(prospect, "email"),
        "preferences": token_of(links.preferences_url(prospect)),
        "invitation": token_of(links.invitation_url(prospect, issued_by=rep)),
        "confirmation": token_of(links.confirmation_url(prospect, [consent.pk])),
        "web form": web_form(rep),
    }
    return users, objects


def import_job(tmp_path, *, by) -> ImportJob:
    path = tmp_path / f"delivery-{ImportJob.objects.count()}.csv"
    path.write_text("First name,Last name,Work email\nAda,Lovelace,ada@analytical.fr\n")
    job = importing.create_job(
        path=str(path),
        filename=path.name,
        source_type="broker",
        evidence=factories.EVIDENCE["broker"],
        owner=by,
        by=by,
    )
    return importing.inspect(job)  # as the worker does: the mapping page then shows its columns


def access_request(prospect, *, by):
    """An access request: an admin executing it downloads an export and erases nobody."""
    today = timezone.localdate()
    return requests.receive(requests.Intake("access", today, "email", prospect=prospect), by=by)


def breach(*, by):
    report = breaches.BreachReport(
        discovered_at=timezone.now() - timedelta(hours=2),
        nature="Lost laptop",
        data_concerned="Contacts",
        people_concerned="Prospects",
        consequences="None known",
        measures="Disk encrypted",
    )
    return breaches.record_breach(report, by=by)


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


# Routes whose arguments name an object of a sales team: a rep of another team must not find it.
TEAM_OBJECTS: dict[str, Callable[[dict], dict]] = {
    "prospects:detail": lambda o: {"pk": o["prospect"].pk},
    "outreach:linkedin_message": lambda o: {"pk": o["prospect"].pk},
    "prospects:edit": lambda o: {"pk": o["prospect"].pk},
    "prospects:interaction_add": lambda o: {"pk": o["prospect"].pk},
    "prospects:note_add": lambda o: {"pk": o["prospect"].pk},
    "prospects:next_step_add": lambda o: {"pk": o["prospect"].pk},
    "prospects:next_step_done": lambda o: {"pk": o["next step"].pk},
    "prospects:next_step_edit": lambda o: {"pk": o["next step"].pk},
    "next-step-detail": lambda o: {"pk": o["next step"].pk},
    "next-step-complete": lambda o: {"pk": o["next step"].pk},
    "prospects:add_to_list": lambda o: {"pk": o["prospect"].pk},
    "prospects:remove_from_list": lambda o: {"pk": o["prospect"].pk},
    "prospects:view_delete": lambda o: {"pk": o["saved view"].pk},
    "prospectlist-detail": lambda o: {"pk": o["list"].pk},
    "prospectlist-add": lambda o: {"pk": o["list"].pk},
    "prospectlist-remove": lambda o: {"pk": o["list"].pk},
    "savedview-detail": lambda o: {"pk": o["saved view"].pk},
    "prospects:move": lambda o: {"pk": o["prospect"].pk},
    "prospects:customer": lambda o: {"pk": o["prospect"].pk},
    "prospect-pipeline": lambda o: {"prospect_pk": o["prospect"].pk},
    "prospects:import_detail": lambda o: {"pk": o["import"].pk},
    "prospects:import_mapping": lambda o: {"pk": o["import"].pk},
    "prospects:import_progress": lambda o: {"pk": o["import"].pk},
    "prospects:import_resume": lambda o: {"pk": o["failed import"].pk},
    "prospects:import_report_csv": lambda o: {"pk": o["import"].pk},
    "outreach:contactability": lambda o: {"pk": o["prospect"].pk},
    "outreach:prospect_mail": lambda o: {"pk": o["prospect"].pk},
    "outreach:campaign": lambda o: {"pk": o["campaign"].pk},
    "outreach:campaign_edit": lambda o: {"pk": o["campaign"].pk},
    "outreach:campaign_decide": lambda o: {"pk": o["campaign"].pk},
    "outreach:campaign_send": lambda o: {"pk": o["campaign"].pk},
    "outreach:campaign_cancel": lambda o: {"pk": o["campaign"].pk},
    "outreach:message_log": lambda o: {"pk": o["campaign"].pk, "message_pk": o["message"].pk},
    "outreach:proposal_confirm": lambda o: {"pk": o["stop reply"].pk},
    "outreach:proposal_dismiss": lambda o: {"pk": o["stop reply"].pk},
    "consent:panel": lambda o: {"pk": o["prospect"].pk},
    "consent:objection_add": lambda o: {"pk": o["prospect"].pk},
    "consent:consent_add": lambda o: {"pk": o["prospect"].pk},
    "consent:withdrawal_add": lambda o: {"pk": o["prospect"].pk},
    "prospect-interactions": lambda o: {"prospect_pk": o["prospect"].pk},
    "prospect-consents": lambda o: {"prospect_pk": o["prospect"].pk},
    "prospect-objections": lambda o: {"prospect_pk": o["prospect"].pk},
    "prospect-detail": lambda o: {"pk": o["prospect"].pk},
    "campaign-detail": lambda o: {"pk": o["campaign"].pk},
    "campaign-log": lambda o: {"pk": o["campaign"].pk},
    "campaign-preview": lambda o: {"pk": o["campaign"].pk},
    "campaign-send": lambda o: {"pk": o["campaign"].pk},
    "campaign-cancel": lambda o: {"pk": o["campaign"].pk},
}
# Routes whose arguments name anything else: a user, a register version, a request, a token.
OTHER_OBJECTS: dict[str, Callable[[dict], dict]] = {
    "prospects:rep_deactivate": lambda o: {"user_id": o["rep"].pk},
    "prospects:webhook": lambda o: {"pk": o["webhook"].pk},
    "prospects:webhook_resend": lambda o: {"pk": o["webhook delivery"].pk},
    "webhook-detail": lambda o: {"pk": o["webhook"].pk},
    "webhook-deliveries": lambda o: {"pk": o["webhook"].pk},
    "prospects:stage_edit": lambda o: {"pk": o["stage"].pk},
    "prospects:category_edit": lambda o: {"pk": o["category"].pk},
    "mfa_reset": lambda o: {"pk": o["dpo"].pk},
    "retention:legal_hold": lambda o: {"pk": o["prospect"].pk},
    "registry:sign_off": lambda o: {"number": o["register version"]},
    "registry:export": lambda o: {"fmt": "json"},
    "registry:restriction_lift": lambda o: {"pk": o["restricted prospect"].pk},
    "prospects:export": lambda o: {"fmt": "csv"},
    "registry:activity": lambda o: {"code": "b2b_prospecting"},
    "registry:breach_notified": lambda o: {"pk": o["breach"].pk},
    "registry:breach": lambda o: {"pk": o["breach"].pk},
    "registry:breach_follow_up": lambda o: {"pk": o["breach"].pk},
    "registry:breach_export": lambda o: {"fmt": "json"},
    "registry:request": lambda o: {"pk": o["request"].pk},
    "registry:request_assign": lambda o: {"pk": o["request"].pk},
    "registry:request_extend": lambda o: {"pk": o["request"].pk},
    "registry:request_close": lambda o: {"pk": o["request"].pk},
    "registry:request_link": lambda o: {"pk": o["request"].pk},
    "registry:request_execute": lambda o: {"pk": o["request"].pk},
    "consent:unsubscribe": lambda o: {"token": o["unsubscribe"]},
    "consent:preferences": lambda o: {"token": o["preferences"]},
    "consent:invitation": lambda o: {"token": o["invitation"]},
    "consent:confirm": lambda o: {"token": o["confirmation"]},
    "webforms:detail": lambda o: {"pk": o["web form"].pk},
    "webforms:edit": lambda o: {"pk": o["web form"].pk},
    "webforms:public": lambda o: {"slug": o["web form"].slug},
    # A reset link that was never issued: the page says so (Django's validlink).
    "password_reset_confirm": lambda o: {"uidb64": "MQ", "token": "never-issued"},
}
BUILDERS = TEAM_OBJECTS | OTHER_OBJECTS


def is_buildable(route: Route) -> bool:
    return route.name in BUILDERS or (route.name is not None and not route.kwargs)


def url_of(route: Route, objects: dict, *, missing: bool = False) -> str:
    """The route's URL for the seeded rows, or with ``missing`` for ids that match nothing."""
    kwargs = BUILDERS[route.name](objects) if route.kwargs else {}
    if missing:
        kwargs = {key: MISSING if isinstance(value, int) else value for key, value in kwargs.items()}
    if route.key.endswith(".<format>"):
        kwargs["format"] = "json"
    return reverse(route.name, kwargs=kwargs)


# --- Requests --------------------------------------------------------------------------------


def clients(users: dict, roles) -> dict[str, Client]:
    logged = {}
    for role in roles:
        client = Client(raise_request_exception=False)
        logged[role] = client if users[role] is None else factories.log_in(client, users[role])
    return logged


def send(client: Client, method: str, url: str) -> HttpResponse:
    """One request whose writes are all rolled back; the client keeps the cookies it had."""
    cookies = copy.deepcopy(client.cookies)
    body, content_type = body_of(method, url)
    with transaction.atomic():
        response = client.generic(method, url, body, content_type=content_type)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def body_of(method: str, url: str) -> tuple[str, str]:
    """An empty form to a page's POST; an empty JSON object to the API, which then validates it."""
    if method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return "", "application/octet-stream"
    if method == "POST" and not url.startswith(API):
        return "", "application/x-www-form-urlencoded"
    return "{}", "application/json"


def answer(response: HttpResponse) -> str:
    """A response as the table writes it."""
    if response.status_code == 302 and response["Location"].startswith(LOGIN):
        return "L"
    if response.status_code >= 500 and getattr(response, "exc_info", None):
        return f"{response.status_code} ({response.exc_info[1]!r})"
    return str(response.status_code)


def seen_by(client: Client, method: str, url: str) -> str:
    """What a request tells its sender: the answer, and the body where it is JSON."""
    response = send(client, method, url)
    is_json = response.get("Content-Type", "").startswith("application/json")
    return answer(response) + (f" {response.content.decode()}" if is_json else "")


# --- Tests -----------------------------------------------------------------------------------


def test_the_table_has_one_row_per_route_of_the_resolver():
    """A new route without a row fails here, as does a row left behind by a removed route."""
    routes = resolver_routes()

    without_row = sorted(set(routes) - set(EXPECTED))
    without_route = sorted(set(EXPECTED) - set(routes))

    problems = [f"  no row for {key!r} ({routes[key].pattern})" for key in without_row]
    problems += [f"  the row {key!r} matches no route" for key in without_route]
    assert not problems, "tests/crm/access_matrix.py differs from the resolver:\n" + "\n".join(problems)


def test_every_route_has_a_url_to_request():
    """A route is requested by its name, with arguments built from the seeded rows."""
    routes = resolver_routes().values()

    unbuilt = sorted(route.key for route in routes if not is_buildable(route))

    assert not unbuilt, f"name these routes and add them to TEAM_OBJECTS or OTHER_OBJECTS: {unbuilt}"


def test_every_route_answers_every_role_and_method_as_the_table_says(db, tmp_path):
    users, objects = seed(tmp_path)
    logged = clients(users, ROLES)
    routes = resolver_routes()
    keys = sorted(key for key in set(routes) & set(EXPECTED) if is_buildable(routes[key]))

    mismatches = []
    for key in keys:
        url, expected = url_of(routes[key], objects), expectations(key)
        for role, method in itertools.product(ROLES, METHODS):
            want, got = expected[method][role], answer(send(logged[role], method, url))
            if got != want:
                mismatches.append(f"  {key} {url} as {role}, {method}: expected {want}, got {got}")

    assert keys
    assert not mismatches, f"{len(mismatches)} answers differ from the table:\n" + "\n".join(mismatches)


def test_a_rep_of_another_team_finds_none_of_its_objects(db, tmp_path):
    """Another team's rep gets a 404 from every method that serves the object to its own team
    (by the table), and from every method the same answer as for an object that does not exist:
    nothing tells them that it is there. A method the route lacks is a 405 whatever the id;
    OPTIONS describes the route, not the object, and the API answers it alike for any id."""
    users, objects = seed(tmp_path)
    outsider = clients(users, ("other team",))["other team"]
    routes = [
        route for route in resolver_routes().values() if route.name in TEAM_OBJECTS and route.key in EXPECTED
    ]

    leaks = []
    for route in routes:
        url, nowhere = url_of(route, objects), url_of(route, objects, missing=True)
        for method, answers in expectations(route.key).items():
            got, absent = seen_by(outsider, method, url), seen_by(outsider, method, nowhere)
            served = method != "OPTIONS" and answers["sales"] not in ("403", "405")
            if got != absent or (served and not got.startswith("404")):
                leaks.append(f"  {route.key} {url}, {method}: got {got}; a missing object gives {absent}")

    assert len(routes) >= len(TEAM_OBJECTS)
    assert not leaks, "A rep of another team reaches these objects:\n" + "\n".join(leaks)
