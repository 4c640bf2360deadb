"""Every page of the product as each role sees it, read in-process: the pages behind the
resolver's routes that answer a GET with HTML, for the seeded rows of the access matrix."""

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from tests.crm.test_access_matrix import API, clients, is_buildable, resolver_routes, seed, url_of

ROLES = ("sales", "dpo", "admin")


@dataclass
class Page:
    url: str
    role: str
    ids: Counter = field(default_factory=Counter)
    post_forms: set[str] = field(default_factory=set)  # the route names the page's POST forms go to
    partials: list[str] = field(default_factory=list)  # what htmx loads into the page once it is shown


class _Reader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.page.ids[attributes["id"]] += 1
        if attributes.get("hx-get") and "load" in (attributes.get("hx-trigger") or ""):
            self.page.partials.append(attributes["hx-get"])
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            action = attributes.get("action") or self.page.url
            try:
                match = resolve(urlsplit(action).path)
            except Resolver404:
                self.page.post_forms.add(action)
            else:
                self.page.post_forms.add(match.view_name)


def crawl(tmp_path) -> list[Page]:
    """Each role's GET of every route with HTML to show; the seeded rows stay as they are."""
    users, objects = seed(tmp_path)
    logged = clients(users, ROLES)
    pages = []
    for route in resolver_routes().values():
        if not is_buildable(route) or route.pattern.startswith(API.lstrip("/")):
            continue
        url = url_of(route, objects)
        for role in ROLES:
            response = logged[role].get(url)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            page = Page(url=url, role=role)
            reader = _Reader(page)
            reader.feed(response.content.decode())
            for partial in page.partials:  # the page as the person sees it, its panels loaded
                reader.feed(logged[role].get(partial).content.decode())
            pages.append(page)
    return pages
