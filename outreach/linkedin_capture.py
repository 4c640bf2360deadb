"""LinkedIn capture in one click, without scraping (docs/rules.md §1.7).

A rep logs a LinkedIn contact one by one. The bookmarklet of the "Add from LinkedIn" page
sends the profile's address only (its origin and path: no query, no page content) to
Loyal's capture page, where the rep types what the person showed them; the one address
fills both the prospect's LinkedIn link and the source's evidence. After saving, the page
gives the first message to paste into LinkedIn: it informs the person (the notice of
docs/rules.md §1.5, GDPR 14(3)(b), 21(4)) and offers their personal sign-up link, since
a connection is not a consent.
"""

import json

from django.utils import translation
from django.utils.translation import gettext as _

from consent.links import invitation_url
from org.accounts import display_name
from org.models import Organisation
from outreach.notices import notice_text
from prospects.models import Prospect, SourceType

SOURCES = (SourceType.LINKEDIN_CONNECTION, SourceType.LINKEDIN_PUBLIC_PROFILE)
# A public profile's address on linkedin.com or one of its country sub-domains.
PROFILE_PATTERN = r"^https:\/\/([a-z]{2,3}\.)?linkedin\.com\/in\/[^\/]+"


def bookmarklet(capture_url: str, source: str) -> str:
    """A ``javascript:`` link that opens ``capture_url`` with the profile's address and ``source``.

    It reads ``location`` alone: never the page's text, so nothing of the profile but its
    address leaves LinkedIn (CNIL KASPR 2024). Off a profile it says so and does nothing."""
    not_a_profile = _("Open a LinkedIn profile (linkedin.com/in/…) first, then press this button again.")
    script = (
        "(function(){var u=location.origin+location.pathname;"
        f"if(!/{PROFILE_PATTERN}/.test(u)){{alert({json.dumps(not_a_profile)});return;}}"
        f"location.href={json.dumps(capture_url)}+'?source={source}&url='+encodeURIComponent(u);}})();"
    )
    return "javascript:" + script


def first_message(prospect: Prospect, *, rep) -> str:
    """The first LinkedIn message, in the person's language: greeting, sign-up link, notice."""
    controller = Organisation.objects.current()
    with translation.override(prospect.language):
        greeting = _(
            "Hello %(first_name)s, thank you for connecting. I am %(rep)s, of %(controller)s. "
            "Our connection does not mean you agreed to receive our offers: if you would like "
            "our news by e-mail, you can sign up here, and change your mind at any time: %(link)s"
        ) % {
            "first_name": prospect.first_name,
            "rep": display_name(rep),
            "controller": controller.name,
            "link": invitation_url(prospect, issued_by=rep),
        }
    notice = notice_text(prospect, language=prospect.language, controller=controller)
    return f"{greeting}\n\n{notice}"
