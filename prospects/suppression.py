"""The suppression list (liste repoussoir): keyed hashes of people who objected.

It sits beside the blind index because both the way in (form, API, import) and the
way out (every send) must consult it (docs/rules.md §2.3; CNIL, 27 Jan 2022). It holds no
plaintext: HMAC-SHA-256 digests of the normalised email, phone and LinkedIn URL, the
same digests as the prospects' blind indexes, so a match is one indexed lookup.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from prospects.identity import INDEX_COLUMNS
from prospects.models import Prospect, Suppression


def _scopes(channel: str) -> list[str]:
    """An objection for every channel always counts; a channel's own only on that channel."""
    return [Suppression.ALL_CHANNELS, channel] if channel else [Suppression.ALL_CHANNELS]


def suppressed_digests(digests: Iterable[str], *, channel: str = "") -> set[str]:
    """The digests among ``digests`` suppressed for every channel, or for ``channel``."""
    digests = [digest for digest in digests if digest]
    if not digests:
        return set()
    rows = Suppression.objects.filter(digest__in=digests, channel__in=_scopes(channel))
    return set(rows.values_list("digest", flat=True))


def digests_of(prospect: Prospect) -> dict[str, str]:
    pairs = {
        Suppression.Kind.EMAIL: prospect.email_index,
        Suppression.Kind.PHONE: prospect.phone_index,
        Suppression.Kind.LINKEDIN: prospect.linkedin_index,
    }
    return {kind: digest for kind, digest in pairs.items() if digest}


def is_suppressed(prospect: Prospect, *, channel: str = "") -> bool:
    """The person objected (Art. 21): to all prospecting, or, given ``channel``, to that channel."""
    return bool(suppressed_digests(digests_of(prospect).values(), channel=channel))


def objected(*, channel: str = "") -> Q:
    """SQL form of ``is_suppressed``, for the gate, the lists and the register's figures.

    One EXISTS per identifier, so that each is one index lookup on the digest.
    """
    scopes = _scopes(channel)
    matches = [
        Q(Exists(Suppression.objects.filter(digest=OuterRef(index), channel__in=scopes)))
        for index in INDEX_COLUMNS
    ]
    return matches[0] | matches[1] | matches[2]


@transaction.atomic
def suppress(prospect: Prospect, *, channel: str = "", origin: str) -> int:
    """Add the prospect's identifiers to the list; idempotent. Returns the rows added."""
    added = 0
    for kind, digest in digests_of(prospect).items():
        _row, created = Suppression.objects.get_or_create(
            kind=kind, digest=digest, channel=channel or Suppression.ALL_CHANNELS, defaults={"origin": origin}
        )
        added += created
    return added


def carry_over(prospect: Prospect, *, previous_digests: Iterable[str]) -> int:
    """A corrected identifier stays opposed: Art. 21(3) binds the person, not one address."""
    scopes = set(
        Suppression.objects.filter(digest__in=[d for d in previous_digests if d]).values_list(
            "channel", "origin"
        )
    )
    return sum(suppress(prospect, channel=channel, origin=origin) for channel, origin in scopes)


def refusal_message() -> str:
    return _("This person objected to prospecting: they cannot be recorded again (GDPR art. 21(3)).")
