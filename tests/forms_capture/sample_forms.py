"""Builders shared by the web-form tests: a form, its page's token, a visitor's post."""

import re

from django.test import Client

from webforms.definitions import Definition, save_form

NOTICE = (
    "Acme SAS records your details to answer you and to tell you about its software. "
    "Object at any time: privacy@acme.example."
)
WORDING = "I agree that Acme SAS e-mails me about its software. I can withdraw at any time."
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def web_form(owner, *, by=None, slug: str = "contact", consents: bool = True, language: str = "en"):
    boxes = [{"purpose": "b2b_prospecting", "channel": "email", "wording": WORDING}] if consents else []
    definition = Definition(
        name="Contact us",
        slug=slug,
        language=language,
        owner=owner,
        fields=["name", "email", "company", "message"],
        notice=NOTICE,
        consents=boxes,
    )
    return save_form(definition, by=by or owner)


def token_of(client: Client, url: str, **headers) -> str:
    return TOKEN.search(client.get(url, headers=headers).content.decode()).group(1)


def visitor_post(
    client: Client, url: str, *, email: str = "ada@lovelace.example", tick: bool = True, **extra
):
    """GET the page as a browser would, then post it with its token."""
    headers = extra.pop("headers", {})
    data = {
        "token": token_of(client, url, **headers),
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": email,
        "company": "Analytical Engines",
        "message": "Please call me about a demo.",
        **extra,
    }
    if tick:
        data["consent_0"] = "on"
    return client.post(url, data, headers=headers)
