"""Finding prospects: search, filters and keyset pagination, shared by the page and the API.

Keyset pagination keeps every page to the same few queries however deep the list goes:
no OFFSET and no COUNT(*) over the table.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from prospects import retention, suppression
from prospects.identity import InvalidIdentifier, blind_index, normalise_email, normalise_phone
from prospects.models import Prospect, Source

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    q: str = ""
    source_type: str = ""
    audience: str = ""
    contactable: str = ""  # "yes", "no" or ""
    owner: int | None = None
    ending_soon: bool = False


def _search(queryset: QuerySet, q: str) -> QuerySet:
    """A name or company; an exact email or phone through the blind index."""
    q = q.strip()
    if not q:
        return queryset
    if "@" in q:
        try:
            return queryset.filter(email_index=blind_index("email", normalise_email(q)))
        except InvalidIdentifier:
            return queryset.none()
    if sum(ch.isdigit() for ch in q) >= 6:
        try:
            return queryset.filter(
                phone_index=blind_index("phone", normalise_phone(q, region=settings.LOYAL_PHONE_REGION))
            )
        except InvalidIdentifier:
            return queryset.none()
    words = q.split()
    for word in words:
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(company__name__icontains=word)
        )
    return queryset


def not_contactable() -> Q:
    """No prospecting at all: past retention, restricted (Art. 18) or a global objection (Art. 21)."""
    today = timezone.localdate()
    return retention.expired(today) | Q(restricted_at__isnull=False) | suppression.objected()


def filtered(queryset: QuerySet, filters: Filters) -> QuerySet:
    queryset = _search(queryset, filters.q)
    if filters.source_type:
        queryset = queryset.filter(
            Exists(Source.objects.filter(prospect=OuterRef("pk"), type=filters.source_type))
        )
    if filters.audience:
        queryset = queryset.filter(audience=filters.audience)
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.ending_soon:
        queryset = retention.due_soon(today=timezone.localdate(), among=queryset)
    if filters.contactable == "yes":
        queryset = queryset.exclude(not_contactable())
    elif filters.contactable == "no":
        queryset = queryset.filter(not_contactable())
    return queryset


def encode_cursor(prospect: Prospect) -> str:
    raw = f"{prospect.created_at.isoformat()}|{prospect.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        created, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = parse_datetime(created)
        return (moment, int(pk)) if moment else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def page(queryset: QuerySet, *, after: str = "", size: int = PAGE_SIZE) -> tuple[list[Prospect], str]:
    """One page, newest first, and the cursor of the next page ("" at the end)."""
    position = decode_cursor(after) if after else None
    if position is not None:
        created, pk = position
        queryset = queryset.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk))
    rows = list(queryset.order_by("-created_at", "-pk")[: size + 1])
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else ""
    return rows[:size], next_cursor
