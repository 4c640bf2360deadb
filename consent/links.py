"""Signed links that let a person act without an account: unsubscribe, preferences, sign-up, confirm.

Each link carries the prospect's id (and what it acts on) signed with the project's
secret under its own salt, so a link cannot be forged, altered or reused for another
purpose. Unsubscribe and preference links never expire: an objection must work from
any message ever sent (GDPR 21(2)-(3); CPCE L34-5: a valid opt-out in every message).
Rotating ``SECRET_KEY`` keeps old links valid only while the old key is listed in
``SECRET_KEY_FALLBACKS``.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from consent.channels import Channel
from prospects.models import Prospect

UNSUBSCRIBE_SALT = "loyal.consent.unsubscribe"
PREFERENCES_SALT = "loyal.consent.preferences"
INVITATION_SALT = "loyal.consent.invitation"
CONFIRMATION_SALT = "loyal.consent.confirmation"
INVITATION_MAX_AGE = timedelta(days=90)
CONFIRMATION_MAX_AGE = timedelta(days=30)


class BadLink(ValueError):
    """A link that was altered, truncated, made for something else, or has expired."""


def _absolute(path: str) -> str:
    return settings.LOYAL_SITE_URL.rstrip("/") + path


def _read(token: str, *, salt: str, max_age: timedelta | None = None):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError) as error:  # SignatureExpired is a BadSignature.
        raise BadLink(str(error)) from None


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# --- Unsubscribe (one channel, or every channel when ``channel`` is empty) ----------


def unsubscribe_token(prospect: Prospect, channel: str) -> str:
    if channel:
        Channel(channel)  # Refuse to sign a channel that does not exist.
    return signing.dumps([prospect.pk, channel], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(prospect: Prospect, channel: str) -> str:
    """Absolute URL for a message's footer and its List-Unsubscribe header (RFC 8058)."""
    return _absolute(reverse("consent:unsubscribe", args=[unsubscribe_token(prospect, channel)]))


def read_unsubscribe(token: str) -> tuple[int, str]:
    payload = _read(token, salt=UNSUBSCRIBE_SALT)
    if not (isinstance(payload, list) and len(payload) == 2 and _is_id(payload[0])):
        raise BadLink("unexpected payload")
    prospect_id, channel = payload
    if channel not in ("", *Channel.values):
        raise BadLink("unknown channel")
    return prospect_id, channel


# --- Preference page -------------------------------------------------------------------


def preferences_url(prospect: Prospect) -> str:
    return _absolute(reverse("consent:preferences", args=[signing.dumps(prospect.pk, salt=PREFERENCES_SALT)]))


def read_preferences(token: str) -> int:
    prospect_id = _read(token, salt=PREFERENCES_SALT)
    if not _is_id(prospect_id):
        raise BadLink("unexpected payload")
    return prospect_id


# --- Invitation to give consent, and its double opt-in confirmation -------------------------


def invitation_url(prospect: Prospect, *, issued_by) -> str:
    """A personal sign-up link a rep hands to the prospect; the rep is recorded as collector."""
    token = signing.dumps([prospect.pk, issued_by.pk], salt=INVITATION_SALT)
    return _absolute(reverse("consent:invitation", args=[token]))


def read_invitation(token: str) -> tuple[int, int]:
    payload = _read(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    if not (isinstance(payload, list) and len(payload) == 2 and all(_is_id(value) for value in payload)):
        raise BadLink("unexpected payload")
    return payload[0], payload[1]


def confirmation_url(prospect: Prospect, consent_ids: list[int]) -> str:
    token = signing.dumps([prospect.pk, sorted(consent_ids)], salt=CONFIRMATION_SALT)
    return _absolute(reverse("consent:confirm", args=[token]))


def read_confirmation(token: str) -> tuple[int, list[int]]:
    payload = _read(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    valid = (
        isinstance(payload, list)
        and len(payload) == 2
        and _is_id(payload[0])
        and isinstance(payload[1], list)
        and payload[1]
        and all(_is_id(value) for value in payload[1])
    )
    if not valid:
        raise BadLink("unexpected payload")
    return payload[0], payload[1]
