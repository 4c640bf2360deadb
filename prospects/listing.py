"""Finding prospects: search, filters and keyset pagination, shared by the page and the API.

Keyset pagination keeps every page to the same few queries however deep the list goes:
no OFFSET and no COUNT(*) over the table.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import BigIntegerField, DateTimeField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from prospects import retention, suppression
from prospects.identity import InvalidIdentifier, blind_index, normalise_email, normalise_phone
from prospects.models import Company, Prospect, Source

PAGE_SIZE = 50
MIN_SEARCH_LETTERS = 3
MAX_LISTED_COMPANIES = 500


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
    for word in q.split():
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(company_id__in=_companies(word))
        )
    return queryset


def _companies(word: str):
    """The companies whose name holds ``word``: their ids, or a subquery when there are many.

    Looked up first, by their own trigram index: an OR across the join to companies kept the
    database from combining the prospects' indexes. A word found in thousands of names
    ("Groupe") would make a list too long to send, and the subquery is as fast there.
    """
    matching = Company.objects.filter(name__icontains=word).values_list("pk", flat=True)
    ids = list(matching[: MAX_LISTED_COMPANIES + 1])
    return ids if len(ids) <= MAX_LISTED_COMPANIES else matching


def search_problem(q: str) -> str | None:
    """Why a search term cannot be run, or None.

    A name or company search needs a word of three letters or more: trigram indexes know
    nothing shorter, and one or two letters match most of the base anyway.
    """
    q = q.strip()
    if not q or "@" in q or sum(ch.isdigit() for ch in q) >= 6:
        return None
    if max(len(word) for word in q.split()) < MIN_SEARCH_LETTERS:
        return _("Type at least %(count)d letters of a name or a company.") % {"count": MIN_SEARCH_LETTERS}
    return None


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


def encode_cursor(prospect: Prospect | dict) -> str:
    """The position after ``prospect``, a model object or a ``values()`` row with its id."""
    created, pk = (
        (prospect["created_at"], prospect["id"])
        if isinstance(prospect, dict)
        else (prospect.created_at, prospect.pk)
    )
    raw = f"{created.isoformat()}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        created, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = parse_datetime(created)
        return (moment, int(pk)) if moment else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _before(created: datetime, pk: int) -> LessThan:
    """``(created_at, id) < (created, pk)``: one range of the keyset index, however deep.

    Spelled as an OR of two conditions, the database applied it as a filter to every row
    before the position instead of starting the index scan at it.
    """
    key = Func(F("created_at"), F("id"), template="(%(expressions)s)", output_field=DateTimeField())
    position = Func(
        Value(created, output_field=DateTimeField()),
        Value(pk, output_field=BigIntegerField()),
        template="(%(expressions)s)",
        output_field=DateTimeField(),
    )
    return LessThan(key, position)


def page_query(queryset: QuerySet, *, after: str = "", size: int = PAGE_SIZE) -> QuerySet:
    """The query of one page: ``size`` rows and one more from the cursor's position, newest first."""
    position = decode_cursor(after) if after else None
    if position is not None:
        created, pk = position
        queryset = queryset.filter(_before(created, pk))
    return queryset.order_by("-created_at", "-pk")[: size + 1]


def page(queryset: QuerySet, *, after: str = "", size: int = PAGE_SIZE) -> tuple[list, str]:
    """One page, newest first, and the cursor of the next page ("" at the end)."""
    rows = list(page_query(queryset, after=after, size=size))
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else ""
    return rows[:size], next_cursor
