"""Hostile text for the XSS tests (test_xss*.py), and how they write it and read pages back.

A hostile value is a unique marker followed by payloads that each carry the marker:
script tags, event handlers, ``javascript:`` URLs, quote-breaking attributes, closing
``</textarea>`` and ``</title>``, htmx attributes, template syntax and odd Unicode. A
page is safe for the value when a browser reads the marker only as text or as a plain
attribute value: never in a tag or attribute name, a comment, a script or style body,
an event handler, a style, an htmx attribute or a URL that the typed text begins.
"""

import io
import itertools
import re
import zipfile
from contextlib import contextmanager
from datetime import date, timedelta
from html.parser import HTMLParser
from types import ModuleType

from django.db import transaction
from django.test import Client
from django.urls import include, path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prospects.provenance import EVIDENCE
from tests import factories

# Where the marker goes in each payload.
M = "\x01"
PAYLOADS = (
    f"<script>alert('{M}')</script>",
    f"<img src=x onerror=alert('{M}')>",
    f'"><svg onload=alert("{M}")>',
    f"' onmouseover='alert({M})' x='",
    f'" autofocus onfocus="alert({M})" x="',
    f"javascript:alert('{M}')",
    f"</textarea><script>{M}</script>",
    f"</title><script>{M}</script>",
    f"</q><iframe srcdoc='<script>{M}</script>'>",
    f"<a href=\"javascript:alert('{M}')\">{M}</a>",
    f'" hx-get="/users/" hx-trigger="load" data-{M}="',
    f"<div hx-post='/users/' hx-vals='{{\"{M}\": 1}}'>",
    f"<style>@import 'https://evil.example/{M}.css';</style>",
    f"<meta http-equiv=refresh content='0;url=javascript:{M}'>",
    f"<base href='https://evil.example/{M}/'>",
    f"<!--{M}-->",
    f"]]><{M}>",
    f"{{{{ {M} }}}}",
    f"{{% debug %}}{M}",
    f"{{% csrf_token %}}{{{{ request.user.password }}}}{M}",
    f"${{{M}}}",
    "{first_name}{company}",
    f"&lt;script&gt;{M}&#60;/script&#62;",
    f"%3Cscript%3E{M}",
    f"\\u003cscript\\u003e{M}",
    f"＜script＞{M}＜/script＞",
    f"\u202e{M}\u200b",
    "Ωé漢字🙂ß",
    " & < > \" ' ` = ; ",
)
TEXT = st.text(alphabet="<>\"'&/=`;:(){}%\\ azé\u00a0", max_size=6)
EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml"}

_counter = itertools.count(1)
MARKER = re.compile(r"xs\d{5}q")


def marker() -> str:
    """A token that no page holds by itself and that escaping leaves as it is."""
    return f"xs{next(_counter):05d}q"


def payloads(*, lines: bool = True) -> st.SearchStrategy[str]:
    """A template of one to four payloads; ``M`` stands for the marker."""
    pieces = st.sampled_from(PAYLOADS) | TEXT
    if lines:
        pieces |= st.sampled_from(("\n", "\r\n"))
    return st.lists(pieces, min_size=1, max_size=4).map("".join)


def texts(sizes: dict[str, int], *, lines: bool = True) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({name: payloads(lines=lines) for name in sizes})


def fill(template: str, mark: str, *, size: int, marker_last: bool = False) -> str:
    """The template with ``mark`` at the start (or the end) and in each payload, cut to ``size``."""
    body = template.replace(M, mark)
    if marker_last:
        return body[: size - len(mark)] + mark
    return (mark + body)[:size]


def filled(templates: dict[str, str], sizes: dict[str, int]) -> dict[str, str]:
    """One value per field, each with its own marker."""
    return {name: fill(template, marker(), size=sizes[name]) for name, template in templates.items()}


def marked(value) -> bool:
    return isinstance(value, str) and bool(MARKER.search(value))


# Characters an email's local part may hold without quotes, and in quotes (RFC 5322, as
# Django's EmailValidator accepts them): enough to break out of an attribute or open a tag.
ATOM = "!#$%&'*+/=?^_`{|}~-"
QUOTED = "<>'&()/=;:,.[]!#{}abc"


def emails() -> st.SearchStrategy[str]:
    """Templates of addresses that pass validation yet carry markup; ``M`` is the marker."""
    atom = st.text(alphabet=ATOM + "az", min_size=1, max_size=12).map(lambda text: f"{M}{text}@acme.example")
    quoted = st.sampled_from(
        (
            f'"<script>{M}</script>"@acme.example',
            f"\"<img src=x onerror=alert('{M}')>\"@acme.example",
            f'"\'><b>{M}</b>"@acme.example',
        )
    ) | st.text(alphabet=QUOTED, min_size=1, max_size=12).map(lambda text: f'"{M}{text}"@acme.example')
    return atom | quoted


def email(template: str) -> str:
    return template.replace(M, marker())


def evidence_for(kind: str, templates: list[str]) -> dict[str, str]:
    """A source's evidence: hostile text in each text field, a past date in each date field."""
    day = (date.today() - timedelta(days=30)).isoformat()
    values, cycle = {}, itertools.cycle(templates)
    for spec in EVIDENCE[kind]:
        if spec.kind == "text":
            values[spec.name] = fill(next(cycle), marker(), size=500)
        elif spec.kind == "date":
            values[spec.name] = day
    return values


# --- Reading a page as a browser would ------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "background", "cite", "xlink:href", "data"}
UNSAFE_SCHEME = re.compile(r"^(javascript|vbscript|data):")


def is_code_attribute(tag: str, name: str) -> bool:
    return (
        name.startswith(("on", "hx-", "data-hx-"))
        or name in ("style", "srcdoc")
        or (tag == "meta" and name == "content")
    )


def unsafe_url(value: str) -> bool:
    """A script URL, or one that typed text starts, and so picks the scheme of."""
    # Browsers drop whitespace and control characters inside a scheme ("java\tscript:").
    squeezed = "".join(ch for ch in value if ch > " ").lower()
    return bool(UNSAFE_SCHEME.match(squeezed) or MARKER.match(squeezed))


class Page(HTMLParser):
    """Where each piece of a page lands: markup (code) or text (data)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.markup: list[str] = []
        self.text: list[str] = []
        self.raw_text_element: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs) -> None:
        self.markup.append(tag)
        for name, value in attrs:
            self.markup.append(name)
            value = value or ""
            if is_code_attribute(tag, name) or (name in URL_ATTRIBUTES and unsafe_url(value)):
                self.markup.append(f"<{tag} {name}={value}>")
            else:
                self.text.append(value)
        if tag in ("script", "style"):
            self.raw_text_element = tag

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        self.raw_text_element = None

    def handle_endtag(self, tag) -> None:
        self.markup.append(f"/{tag}")
        self.raw_text_element = None

    def handle_data(self, data) -> None:
        (self.markup if self.raw_text_element else self.text).append(data)

    def handle_comment(self, data) -> None:
        self.markup.append(f"<!--{data}-->")

    def handle_decl(self, decl) -> None:
        self.markup.append(decl)

    def unknown_decl(self, data) -> None:
        self.markup.append(data)

    def handle_pi(self, data) -> None:
        self.markup.append(data)

    def as_code(self, mark: str) -> list[str]:
        return [piece for piece in self.markup if mark in piece]

    def shows(self, mark: str) -> bool:
        return any(mark in piece for piece in self.text)


def problems(html: str, values: dict[str, str], *, shown=frozenset()) -> list[str]:
    """What is wrong with ``html`` for these stored values; empty when each is text only.

    ``values`` maps a field to the value stored; ``shown`` names the fields the page must
    display, so that a page that stops showing a field cannot pass for a safe one.
    """
    page, found = Page(html), []
    for name, value in values.items():
        assert marked(value), f"{name}: {value!r} lost its marker"
        mark = MARKER.search(value)[0]
        if code := page.as_code(mark):
            found.append(f"{name}: the marker is read as markup or code: {code[:3]}")
        if set("<>\"'") & set(value) and value in html:
            found.append(f"{name}: the value occurs unescaped: {value!r}")
        if name in shown and not page.shows(mark):
            found.append(f"{name}: not shown, so not checked")
    return found


# --- Writing and reading through the product ------------------------------------------------------


@contextmanager
def rolled_back():
    """Each example starts from the same rows: what it writes is undone."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def run(strategy, example) -> None:
    """Run ``example`` on Hypothesis's draws, each in a transaction rolled back afterwards."""

    @EXAMPLES
    @given(strategy)
    def each(drawn):
        with rolled_back():
            example(drawn)

    each()


def check(html: str, values: dict[str, str], shown, where: str) -> None:
    found = problems(html, values, shown=set(shown))
    assert not found, f"{where}: " + "; ".join(found)


def read(client, url: str, values: dict[str, str], shown=(), **extra) -> str:
    """GET an HTML page and check it for ``values``; ``shown`` are those it must display."""
    response = client.get(url, **extra)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), f"{url}: {response['Content-Type']}"
    html = response.content.decode()
    check(html, values, shown, url)
    return html


def post(client, url: str, data: dict, **extra):
    """A form post, taken (a redirect) or refused with the form shown again: never a server error."""
    response = client.post(url, data, **extra)
    assert response.status_code in (200, 302, 400), f"{url} answered {response.status_code}"
    return response


def refused(response, values: dict[str, str], where: str) -> None:
    """A refused form: the page says why and shows every typed value again, escaped."""
    assert response.status_code in (200, 400), f"{where} answered {response.status_code}"
    html = response.content.decode()
    assert 'class="errors"' in html, f"{where}: refused without saying why"
    check(html, values, (), where)


def pk_of(response) -> int:
    """The id at the end of the address a creation redirected to."""
    return int(response["Location"].rstrip("/").rsplit("/", 1)[1])


def subject_access_page(admin_client, prospect) -> str:
    """The readable page of the person's Art. 15 export, as the administrator downloads it."""
    response = admin_client.post("/registry/subject-access/", {"email": prospect.email})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        return package.read("index.html").decode()


def failing_urlconf() -> ModuleType:
    """The project's URLs, plus ``/boom/`` whose view fails: Django answers with its 500 page."""

    def boom(request):
        raise RuntimeError("boom")

    urls = ModuleType("loyal_failing_urls")
    urls.urlpatterns = [path("boom/", boom), path("", include("crm.urls"))]
    return urls


def logged_in(**users) -> dict:
    """A client per role, logged in as far as a real log-in takes them (second factor included)."""
    return {role: factories.log_in(Client(), user) for role, user in users.items()}
