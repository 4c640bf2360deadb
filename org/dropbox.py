"""A rep's personal BCC address: how a copy of their own one-to-one mail reaches the mailbox.

Each sales rep gets ``<local>+<token>@<domain>`` of the mailbox Loyal reads
(``LOYAL_MAILBOX_ADDRESS``). The token is random (100 bits), stored on the rep's profile
and replaced whenever the rep asks; an old token then matches nobody. The mailbox reader
(outreach/inbound.py) finds the token in the envelope or the recipient headers and logs
the copy as the rep's own e-mail sent (docs/design.md, "What an inbound message is").
"""

import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from org.models import Profile
from org.roles import Role, has_role

ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # lower-case base32: survives case-folding servers
TOKEN_CHARS = 20  # 100 bits
TOKEN = re.compile(rf"^[{ALPHABET}]{{{TOKEN_CHARS}}}$")


def mailbox_address() -> str:
    """The mailbox's own address, or "" when none is set (no BCC address can be given)."""
    address = settings.LOYAL_MAILBOX.get("address", "")
    return address if "@" in address else ""


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_CHARS))


def address_with(token: str) -> str:
    local, _at, domain = mailbox_address().rpartition("@")
    return f"{local}+{token}@{domain}"


@transaction.atomic
def address_of(user) -> str | None:
    """The rep's BCC address, its token made on first use; None for a non-rep or no mailbox."""
    if not mailbox_address() or not has_role(user, Role.SALES):
        return None
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if not profile.dropbox_token:
        profile.dropbox_token = new_token()
        profile.save(update_fields=["dropbox_token"])
    return address_with(profile.dropbox_token)


@transaction.atomic
def rotate(user) -> str | None:
    """A new token for the rep: the old address stops matching anyone."""
    if not mailbox_address() or not has_role(user, Role.SALES):
        return None
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    profile.dropbox_token = new_token()
    profile.save(update_fields=["dropbox_token"])
    return address_with(profile.dropbox_token)


def detail_of(address: str) -> str | None:
    """The part after the last ``+`` of an address's local part, lower-cased, if it is a token."""
    local, at, _domain = address.strip().strip("<>").rpartition("@")
    if not at or "+" not in local:
        return None
    detail = local.rpartition("+")[2].lower()
    return detail if TOKEN.match(detail) else None


def rep_of(token: str):
    """The active sales rep whose token this is, or None (an old, foreign or made-up token)."""
    user = (
        get_user_model()
        .objects.filter(profile__dropbox_token=token, is_active=True)
        .select_related("profile__team")
        .first()
    )
    return user if user is not None and has_role(user, Role.SALES) else None
