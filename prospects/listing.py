"""Finding prospects: search, filters and keyset pagination, shared by the page and the API.

Keyset pagination keeps every page to the same few queries however deep the list goes:
no OFFSET and no COUNT(*) over the table.
"""

import base64
import binascii
import json
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from prospects import retention, suppression
from prospects.identity import InvalidIdentifier, blind_index, normalise_email, normalise_phone
from prospects.models import LAST_CONTACT_KEY, Company, ListMember, Prospect, Source, Stage

PAGE_SIZE = 50
MIN_SEARCH_LETTERS = 3
MAX_LISTED_COMPANIES = 500
# The result count is exact up to here, then "more than": never a COUNT(*) of the whole base.
COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class Filters:
    q: str = ""
    source_type: str = ""
    audience: str = ""
    contactable: str = ""  # "yes", "no" or ""
    owner: int | None = None
    ending_soon: bool = False
    in_list: int | None = None  # a static list's id (lists.py)
    stage: int | None = None  # a pipeline stage's id (pipeline.py)

    def as_dict(self) -> dict:
        """The filters that are set, as a saved view stores them."""
        return {name: value for name, value in asdict(self).items() if value not in ("", None, False)}

    @classmethod
    def from_dict(cls, stored: dict) -> "Filters":
        """A saved view's filters; a key this version does not know is ignored, not guessed at."""
        known = {spec.name for spec in fields(cls)}
        return cls(**{name: value for name, value in stored.items() if name in known})


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
    if filters.stage:
        queryset = queryset.filter(stage_id=filters.stage)
    if filters.in_list:
        queryset = queryset.filter(
            Exists(ListMember.objects.filter(prospect_list_id=filters.in_list, prospect=OuterRef("pk")))
        )
    if filters.contactable == "yes":
        queryset = queryset.exclude(not_contactable())
    elif filters.contactable == "no":
        queryset = queryset.filter(not_contactable())
    return queryset


def selected(queryset: QuerySet, *, filters: Filters, ids: list[int] | None) -> QuerySet:
    """A bulk action's rows: the ticked ``ids`` among the filter's result, or the whole result."""
    queryset = filtered(queryset, filters)
    return queryset if ids is None else queryset.filter(pk__in=ids)


def count_up_to(queryset: QuerySet, limit: int = COUNT_LIMIT) -> int:
    """How many rows, counted no further than ``limit + 1``: ``SELECT count(*) FROM (... LIMIT n)``."""
    return queryset.order_by().values("pk")[: limit + 1].count()


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


# --- Other sorts: keyset on (sort column, id) ----------------------------------------------


@dataclass(frozen=True)
class Sort:
    """A sort of the list: the plaintext columns it orders by (never an encrypted one), then id.

    Each has an index on (team, columns, id) and one on (columns, id) (models.Prospect.Meta).
    """

    key: str
    label: str
    columns: tuple  # expressions, in order
    kinds: tuple[str, ...]  # "text", "int", "date" or "datetime": how a cursor's values are read back
    descending: bool  # the direction a click on the column's heading asks for first


SORTS = {
    sort.key: sort
    for sort in (
        Sort("created", _lazy("created"), (F("created_at"),), ("datetime",), descending=True),
        Sort("name", _lazy("name"), (F("last_name"), F("first_name")), ("text", "text"), descending=False),
        Sort("retention", _lazy("kept until"), (F("retention_until"),), ("date",), descending=False),
        Sort("last_contact", _lazy("last contact"), (LAST_CONTACT_KEY,), ("datetime",), descending=True),
        # The company's name as copied onto the row (Prospect.company_sort): "" first.
        Sort("company", _lazy("company"), (F("company_sort"),), ("text",), descending=False),
        # Grouped by owner (their user id): a name is not a column of the prospects table.
        Sort("owner", _lazy("owner"), (F("owner_id"),), ("int",), descending=False),
        # In the pipeline's order, not the stages' ids: one range of (team, stage, id) per
        # stage, walked in order (``_stage_page``); prospects without a stage come last.
        Sort("stage", _lazy("stage"), (F("stage_id"),), ("int",), descending=False),
    )
}
STAGE_SORT = "stage"
DEFAULT_SORT = "-created"


def parse_sort(value: str) -> tuple[Sort, bool]:
    """The sort ``value`` names ("name" A to Z, "-name" Z to A) and whether it descends.

    Anything else is the default, newest first.
    """
    sort = SORTS.get(value.removeprefix("-"))
    if sort is None:
        return SORTS["created"], True
    return sort, value.startswith("-")


def sort_value(value: str) -> str:
    """``value`` as one of the sorts ("name", "-created"...): anything else is the default."""
    chosen, descending = parse_sort(value)
    return f"-{chosen.key}" if descending else chosen.key


def sort_link(key: str, current: str) -> str:
    """The value a column's heading links to: its usual direction, or the other way if it is current."""
    sort = SORTS[key]
    usual = f"-{key}" if sort.descending else key
    return (key if usual.startswith("-") else f"-{key}") if current == usual else usual


def _sort_key(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def encode_sorted_cursor(row: Prospect, sort: Sort) -> str:
    values = [getattr(row, f"sort_{index}") for index in range(len(sort.columns))]
    return _sort_key(
        [value.isoformat() if hasattr(value, "isoformat") else value for value in values] + [row.pk]
    )


def decode_sorted_cursor(cursor: str, sort: Sort) -> list | None:
    try:
        *values, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if len(values) != len(sort.columns) or not isinstance(pk, int):
            return None
        read = {
            "text": _text,
            "int": _int_or_none,
            "date": date.fromisoformat,
            "datetime": datetime.fromisoformat,
        }
        return [read[kind](value) for kind, value in zip(sort.kinds, values, strict=True)] + [_bigint(pk)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def _text(value) -> str:
    """A cursor's text, which the database can compare (PostgreSQL refuses a NUL character)."""
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError("not a sort key")
    return value


def _bigint(value) -> int:
    """A cursor's number, within the 64 bits of an id: a forged larger one is refused, not a 500."""
    if type(value) is not int or not -(2**63) <= value < 2**63:
        raise ValueError("not a sort key")
    return value


def _int_or_none(value) -> int | None:
    """A number of a sort key that may be empty (a prospect with no stage sorts last)."""
    return None if value is None else _bigint(value)


_FIELD_OF_KIND = {"text": CharField, "int": BigIntegerField, "date": DateField, "datetime": DateTimeField}


def _row(*expressions, output_field) -> Func:
    return Func(*expressions, template="(%(expressions)s)", output_field=output_field)


def sorted_page_query(queryset: QuerySet, *, sort: str, after: str = "", size: int = PAGE_SIZE) -> QuerySet:
    """One page in the order ``sort`` names, from the cursor's position: one range of its index."""
    chosen, descending = parse_sort(sort)
    if chosen.key == "created" and descending:
        return page_query(queryset, after=after, size=size)
    if chosen.key == STAGE_SORT:
        order = _stage_order(descending)
        start, position = _stage_start(after, order)
        return _one_stage(queryset, order[start], after_pk=position, descending=descending, size=size + 1)
    names = [f"sort_{index}" for index in range(len(chosen.columns))]
    queryset = queryset.annotate(**dict(zip(names, chosen.columns, strict=True)))
    position = decode_sorted_cursor(after, chosen) if after else None
    if position is not None:
        key = _row(*(F(name) for name in names), F("id"), output_field=CharField())
        values = [
            Value(value, output_field=_FIELD_OF_KIND[kind]())
            for value, kind in zip(position, [*chosen.kinds, "id"], strict=True)
            if kind != "id"
        ]
        point = _row(*values, Value(position[-1], output_field=BigIntegerField()), output_field=CharField())
        queryset = queryset.filter((LessThan if descending else GreaterThan)(key, point))
    order = [F(name).desc() if descending else F(name).asc() for name in names]
    order.append(F("id").desc() if descending else F("id").asc())
    return queryset.order_by(*order)[: size + 1]


def sorted_page(
    queryset: QuerySet, *, sort: str, after: str = "", size: int = PAGE_SIZE
) -> tuple[list[Prospect], str]:
    """One page in the order ``sort`` names, and the cursor of the next ("" at the end)."""
    chosen, descending = parse_sort(sort)
    if chosen.key == "created" and descending:
        return page(queryset, after=after, size=size)
    if chosen.key == STAGE_SORT:
        return _stage_page(queryset, descending=descending, after=after, size=size)
    rows = list(sorted_page_query(queryset, sort=sort, after=after, size=size))
    next_cursor = encode_sorted_cursor(rows[size - 1], chosen) if len(rows) > size else ""
    return rows[:size], next_cursor


# --- The stage sort: the stages in the pipeline's order, each one range of its index ----------


def _stage_order(descending: bool) -> list[int | None]:
    order = [*Stage.objects.order_by("position", "pk").values_list("pk", flat=True), None]
    return order[::-1] if descending else order


def _stage_start(after: str, order: list) -> tuple[int, int | None]:
    """Where the cursor points: the index of its stage in ``order`` and the last id shown there."""
    position = decode_sorted_cursor(after, SORTS[STAGE_SORT]) if after else None
    if position is None or position[0] not in order:
        return 0, None
    return order.index(position[0]), position[1]


def _one_stage(queryset: QuerySet, stage: int | None, *, after_pk: int | None, descending: bool, size: int):
    rows = queryset.filter(stage__isnull=True) if stage is None else queryset.filter(stage_id=stage)
    if after_pk is not None:
        rows = rows.filter(pk__lt=after_pk) if descending else rows.filter(pk__gt=after_pk)
    return rows.annotate(sort_0=F("stage_id")).order_by("-pk" if descending else "pk")[:size]


def _stage_page(queryset: QuerySet, *, descending: bool, after: str, size: int) -> tuple[list, str]:
    """One page sorted by stage: at most one query per stage, each an index range from the cursor."""
    order = _stage_order(descending)
    start, after_pk = _stage_start(after, order)
    rows: list[Prospect] = []
    for index in range(start, len(order)):
        pk = after_pk if index == start else None
        rows += list(
            _one_stage(queryset, order[index], after_pk=pk, descending=descending, size=size + 1 - len(rows))
        )
        if len(rows) > size:
            break
    next_cursor = encode_sorted_cursor(rows[size - 1], SORTS[STAGE_SORT]) if len(rows) > size else ""
    return rows[:size], next_cursor
