"""The Art. 19 propagation queue: what each recipient of a person's data must be told.

GDPR 19 and 28(3)(g) (docs/rules.md §2.3): every objection, erasure and purge is queued
for each recipient **before** any deletion, in the same transaction, and the entry
outlives the record. It sits here, beside the suppression list, because the purge
(prospects) writes it as well as the objection (consent) and the erasure (registry).

An entry holds the keyed hashes of the identifiers (the same digests as the blind
indexes and the suppression list), the event, its channel scope and date, and for a
person from a rented list the broker's name, contract and list references. Its
recipients are the source broker (told of objections and erasures: a contract duty
where it only supplied the data) and "our other systems" (the processors' copies,
read later by the integrations).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Left
from django.utils import timezone

from prospects import webhooks
from prospects.models import Propagation, Prospect, Recipient, Source, SourceType

BROKER_KEYS = {"broker": "broker", "broker_contract_ref": "contract_ref", "broker_list_id": "list_id"}
COLUMNS = (
    "prospect_id", "event", "channel", "occurred_at", "record_erased", "email_digest", "phone_digest",
    "linkedin_digest", "broker", "broker_contract_ref", "broker_list_id",
)  # fmt: skip
# The broker is told of what ends its list's use for the person; a retention purge is the
# controller's own matter, and only its processors' copies go (docs/rules.md §2.3).
TOLD_TO_BROKER = (Propagation.Event.OBJECTION, Propagation.Event.ERASURE)


def _broker_reference(key: str) -> Subquery:
    """The rented list the person came from: the first broker source's evidence, as text."""
    first = Source.objects.filter(prospect=OuterRef("pk"), type=SourceType.BROKER).order_by(
        "acquired_at", "pk"
    )
    value = Left(Cast(KT(f"evidence__{key}"), CharField()), 200)
    return Coalesce(Subquery(first.annotate(value=value).values("value")[:1]), Value(""))


def _entries(ids: list[int], *, event: str, channel: str) -> QuerySet:
    """One row per prospect in the column order of ``COLUMNS``."""
    text = CharField()
    return (
        Prospect.objects.filter(pk__in=ids)
        .annotate(
            p_event=Value(event, text),
            p_channel=Value(channel, text),
            p_at=Value(timezone.now()),
            p_erased=Value(False),
            p_email=Coalesce("email_index", Value("")),
            p_phone=Coalesce("phone_index", Value("")),
            p_linkedin=Coalesce("linkedin_index", Value("")),
            **{f"p_{name}": _broker_reference(key) for name, key in BROKER_KEYS.items()},
        )
        .order_by("pk")
        .values_list(
            "pk",
            "p_event",
            "p_channel",
            "p_at",
            "p_erased",
            "p_email",
            "p_phone",
            "p_linkedin",
            *(f"p_{name}" for name in BROKER_KEYS),
        )
    )


@transaction.atomic
def queue(ids: Sequence[int], *, event: str, channel: str = "", tell_broker: bool = True) -> list[int]:
    """Queue ``event`` for each of these prospects and its recipients; returns the entry ids.

    Set-based: three statements whatever the number of prospects, so that the purge's
    chunks cost the same queries whatever their size. ``tell_broker`` is false when the
    broker itself reported the objection: it does not need telling back.
    """
    if not ids:
        return []
    entries = _insert(Propagation, COLUMNS, _entries(sorted(set(ids)), event=event, channel=channel))
    _add_recipients(entries, Recipient.Kind.OTHER_SYSTEMS, Q())
    if tell_broker and event in TOLD_TO_BROKER:
        _add_recipients(entries, Recipient.Kind.BROKER, ~Q(broker=""))
    # "Our other systems": the registered webhook endpoints hear of it once this commits.
    webhooks.emit_propagation(entries)
    return entries


def _add_recipients(entries: list[int], kind: str, condition: Q) -> None:
    text = CharField()
    rows = (
        Propagation.objects.filter(condition, pk__in=entries)
        .annotate(r_kind=Value(kind, text), r_status=Value(Recipient.Status.PENDING.value, text))
        .annotate(r_how=Value("", text))
        .order_by("pk")
        .values_list("pk", "r_kind", "r_status", "r_how")
    )
    _insert(Recipient, ("propagation_id", "kind", "status", "sent_how"), rows)


def _insert(model, columns: tuple[str, ...], rows: QuerySet) -> list[int]:
    """INSERT ... SELECT: one statement whatever the number of rows; returns the new ids."""
    select, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) {select} RETURNING {quote('id')}",
            params,
        )
        return sorted(row[0] for row in cursor.fetchall())


# Changes the record's own removal supersedes: the recipients delete their copy instead.
SUPERSEDED = (
    Propagation.Event.RECTIFICATION, Propagation.Event.RESTRICTION, Propagation.Event.RESTRICTION_LIFTED
)  # fmt: skip


def supersede(ids: Sequence[int]) -> None:
    """Before these prospects are removed: their rectification and restriction entries lose what
    is not sent yet and their hashes (GDPR 5(1)(e)); the removal's own entry tells the recipients.

    Three statements whatever the number of prospects.
    """
    entries = Propagation.objects.filter(prospect_id__in=list(ids), event__in=SUPERSEDED)
    Recipient.objects.filter(propagation__in=entries, status=Recipient.Status.PENDING).delete()
    entries.filter(recipients__isnull=True).delete()
    entries.update(email_digest="", phone_digest="", linkedin_digest="")


def mark_erased(entries: Iterable[int]) -> int:
    """The record behind these entries was reduced to its hash: recipients delete their copies too."""
    return Propagation.objects.filter(pk__in=list(entries)).update(record_erased=True)


@transaction.atomic
def mark_sent(recipients: Iterable[int], *, by, how: str, at: datetime | None = None) -> int:
    """Record that these recipients were told: when, by whom, how. Returns how many were pending.

    A purge's entry is kept only until every recipient has it: the person is not on the
    suppression list, so its hashes then go (GDPR 5(1)(e)).
    """
    pending = Recipient.objects.filter(pk__in=list(recipients), status=Recipient.Status.PENDING)
    entries = list(pending.values_list("propagation_id", flat=True))
    told = pending.update(
        status=Recipient.Status.SENT, sent_at=at or timezone.now(), sent_by=by, sent_how=how[:200]
    )
    delivered = Propagation.objects.filter(pk__in=entries, event=Propagation.Event.PURGE).exclude(
        recipients__status=Recipient.Status.PENDING
    )
    delivered.update(email_digest="", phone_digest="", linkedin_digest="")
    return told


def pending(*, kind: str | None = None) -> QuerySet:
    """Recipients not told yet, oldest first."""
    rows = Recipient.objects.filter(status=Recipient.Status.PENDING)
    return (
        (rows.filter(kind=kind) if kind else rows)
        .select_related("propagation")
        .order_by("propagation__occurred_at", "propagation_id")
    )


@dataclass(frozen=True)
class Tally:
    kind: str
    label: str
    pending: int
    sent: int


def tallies() -> list[Tally]:
    """Per recipient: how many entries were sent and how many are pending (counts, no one named)."""
    totals = {
        (row["kind"], row["status"]): row["total"]
        for row in Recipient.objects.values("kind", "status").annotate(total=Count("id"))
    }
    return [
        Tally(
            kind=kind.value,
            label=kind.label,
            pending=totals.get((kind.value, Recipient.Status.PENDING.value), 0),
            sent=totals.get((kind.value, Recipient.Status.SENT.value), 0),
        )
        for kind in Recipient.Kind
    ]


def recent(*, limit: int = 200) -> QuerySet:
    """The latest entries with their recipients, for the DPO: hashes and references only."""
    return Propagation.objects.prefetch_related("recipients__sent_by").order_by("-occurred_at", "-id")[:limit]
