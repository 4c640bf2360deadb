"""The bulk form of the gate: a whole campaign decided in set-based SQL, chunk by chunk.

Each input of docs/rules.md §1.1 is a SQL expression over the recipients, packed into one
``gate_inputs`` key per prospect (``GateInputs``). The inputs that live in other tables
(the first source, the latest counting consent event, the unanswered contacts, an earlier
consent request) are derived tables joined to the chunk's recipients, each restricted to
the chunk's range of prospect ids: the planner hashes or merges them, where a correlated
subquery per recipient would cost an index probe, a sort and a limit per row. A chunk's
keys go to a temporary table; the few distinct keys are read back, each decided once by
the pure ``policy.decide`` (the single source of truth), and the outbox rows are written
with one ``INSERT ... SELECT`` that maps key to verdict. Four queries per chunk, whatever
its size and however many distinct situations it holds.

``verdicts_for`` is the same statement over a given set of prospects: the send-time
re-check of a chunk of messages (sending.py). ``contactability.campaign_situation`` is the
one-prospect twin of ``gate_key``; a test decides random campaigns both ways and compares
every message.
"""

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, RowNumber, Trim
from django.utils import timezone

from consent.channels import Channel
from consent.models import Consent, ConsentState

# The one mapping of the latest counting event to the gate's consent input.
from consent.state import _STATE_OF_ACTION, with_consent_state
from org.roles import EDITORS, has_role
from outreach import calls, frequency
from outreach.contactability import CUSTOMER_GAPS
from outreach.models import (
    ADDRESS_FIELD,
    Campaign,
    CampaignStatus,
    Message,
    MessageStatus,
    ObjectionProposal,
    UndeliverableAddress,
)
from outreach.policy import (
    ART14_DEADLINE,
    MAX_B2C_CALLS_PER_30_DAYS,
    SOFT_OPT_IN_YEARS,
    Decision,
    Situation,
    Verdict,
    decide,
)
from prospects import customers, listing, provenance, retention, saved_views, suppression
from prospects.models import Interaction, Notice, Prospect, Source, SourceType

SEPARATOR = "|"
IN_TIME, LATE = "in_time", "late"
# A chunk's recipients and their keys, between reading the inputs and writing the outbox.
CHUNK_TABLE = "outreach_gate_chunk"
CREATE_CHUNK_TABLE = (
    "CREATE TEMPORARY TABLE outreach_gate_chunk "
    "(prospect_id bigint PRIMARY KEY, gate_key varchar(200) NOT NULL)"
)
SENTINEL = -7_340_033  # Stands for the chunk's lower bound while the query is compiled.
CHUNK_GROUPS = "SELECT gate_key, COUNT(*), MAX(prospect_id) FROM outreach_gate_chunk GROUP BY gate_key"


@dataclass(frozen=True)
class GateInputs:
    """What the gate saw for one recipient, as stored in ``Message.gate_inputs``.

    Dates are reduced to what the rules compare them with: whether the Art. 14 month
    has run out (``acquired``), whether the soft opt-in's 3 years still run.
    """

    audience: str
    source: str
    notice: str
    acquired: str  # IN_TIME, LATE, or "" when there is no source
    related: bool
    objection: bool
    consent: str
    customer: str  # customers.soft_opt_in: "" (no sale), "ok", or the first unmet condition
    soft_opt_in_current: bool
    ongoing_contract: bool
    retention_expired: bool
    template_ok: bool
    restricted: bool
    frequency_capped: bool
    consent_request_repeated: bool
    # C. conso D223-9, read for phone campaigns only: the calls already made, a recent refusal.
    calls_capped: bool = False
    call_refused: bool = False
    natural_person: bool = True  # false for a company record (docs/rules.md §1.2)
    undeliverable: bool = False  # e-mail only: a permanent delivery failure was reported

    @classmethod
    def from_key(cls, key: str) -> "GateInputs":
        parts = zip(fields(cls), key.split(SEPARATOR), strict=True)
        return cls(**{spec.name: part == "1" if spec.type is bool else part for spec, part in parts})

    @property
    def key(self) -> str:
        parts = (getattr(self, spec.name) for spec in fields(self))
        return SEPARATOR.join(("1" if p else "0") if isinstance(p, bool) else p for p in parts)

    def situation(self, *, channel: str, today: date) -> Situation:
        acquired = {IN_TIME: today, LATE: today - ART14_DEADLINE - timedelta(days=1)}.get(self.acquired)
        return Situation(
            channel=channel,
            audience=self.audience or None,
            source=self.source,
            offer_related_to_profession=self.related,
            notice=self.notice,
            acquired_at=acquired,
            objection=self.objection,
            consent=self.consent,
            consent_by_named_broker=self.consent == "valid",
            customer_similar=self.customer == customers.SIMILAR,
            customer_gap=CUSTOMER_GAPS.get(self.customer),
            has_ongoing_contract_related_offer=self.ongoing_contract,
            # Ongoing, or ended too long ago: the only thing the rules read from the date.
            customer_relationship_ended_at=None if self.soft_opt_in_current else date.min,
            retention_expired=self.retention_expired,
            template_ok=self.template_ok,
            now=today,
            restricted=self.restricted,
            frequency_capped=self.frequency_capped,
            consent_request_repeated=self.consent_request_repeated,
            # A preview or a send-time re-check of a batch makes no call: no call_time (D223-9).
            calls_last_30_days=MAX_B2C_CALLS_PER_30_DAYS if self.calls_capped else 0,
            call_refused_within_60_days=self.call_refused,
            natural_person=self.natural_person,
            undeliverable=self.undeliverable,
        )


# --- The inputs as SQL expressions over prospects ------------------------------------------


class Joined(Func):
    """Flat ``a || b || c`` of non-null texts (nested CONCAT pairs overflow SQLite's parser)."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = CharField()


def _joined(*parts) -> Joined:
    spaced = []
    for part in parts:
        spaced += [part, Value(SEPARATOR)]
    return Joined(*spaced[:-1])


def _flag(condition) -> Case:
    return Case(When(condition, then=Value("1")), default=Value("0"), output_field=CharField())


def _policy_source_sql():
    """provenance.policy_source as a CASE over a Source row (docs/rules.md, preamble)."""
    proof = Q(type=SourceType.BROKER)
    for spec in provenance.EVIDENCE[SourceType.BROKER]:
        proof &= Q(**{f"ev_{spec.name}__gt": ""})
    by_evidence = (SourceType.BROKER, SourceType.EVENT)
    plain = [t for t in (*SourceType.values, *provenance.REFUSED_TYPES) if t not in by_evidence]
    whens = [When(type=t, then=Value(provenance.policy_source(t, {}))) for t in plain]
    our_notice = Q(type=SourceType.EVENT, ev_our_notice_shown="true")
    return Case(
        *whens,
        When(our_notice, then=Value(provenance.policy_source(SourceType.EVENT, {"our_notice_shown": True}))),
        When(type=SourceType.EVENT, then=Value(provenance.policy_source(SourceType.EVENT, {}))),
        When(proof, then=Value("broker_with_proof")),
        default=Value("broker_without_proof"),
        output_field=CharField(),
    )


def _sources(*, today: date) -> QuerySet:
    """Sources annotated with ``gate_source``: the mapped type, notice and Art. 14 clock."""
    cutoff = timezone.make_aware(datetime.combine(today - ART14_DEADLINE, time.min))
    evidence = {
        f"ev_{spec.name}": Trim(KT(f"evidence__{spec.name}")) for spec in provenance.EVIDENCE["broker"]
    }
    evidence["ev_our_notice_shown"] = KT("evidence__our_notice_shown")
    return Source.objects.alias(**evidence).annotate(
        gate_source=_joined(_policy_source_sql(), F("notice"), _bucket(Q(acquired_at__gte=cutoff)))
    )


# What the gate reads when a prospect has no source at all: fail closed (G4).
MISSING_SOURCE = SEPARATOR.join(["broker_without_proof", Notice.NONE, ""])
FIRST_SOURCE_ORDER = ("acquired_at", "pk")  # the source the gate reads (contactability.situation_for)


def _source_part(*, today: date) -> Coalesce:
    """The first source's ``gate_source``: one correlated subquery (``with_gate_key``)."""
    first = (
        _sources(today=today)
        .filter(prospect=OuterRef("pk"))
        .order_by(*FIRST_SOURCE_ORDER)
        .values("gate_source")[:1]
    )
    return Coalesce(Subquery(first), Value(MISSING_SOURCE), output_field=CharField())


def _bucket(in_time: Q) -> Case:
    return Case(When(in_time, then=Value(IN_TIME)), default=Value(LATE), output_field=CharField())


def _soft_opt_in_cutoff(today: date) -> date:
    """The earliest end of relationship whose soft opt-in still runs today (L34-5 al.4)."""
    day = today - relativedelta(years=SOFT_OPT_IN_YEARS) - timedelta(days=3)
    while day + relativedelta(years=SOFT_OPT_IN_YEARS) < today:
        day += timedelta(days=1)
    return day


def _template_ok(campaign: Campaign):
    """Campaign.template_ok per recipient: English speakers get the English text, others the French."""
    english, french = campaign.template_ok("en"), campaign.template_ok("fr")
    if english == french:
        return Value("1" if english else "0")
    return _flag(Q(language="en") if english else ~Q(language="en"))


def recipients(campaign: Campaign) -> QuerySet:
    """Who a campaign is for: its team's prospects on its list or in its segment, with an
    identifier on the channel.

    Read from the campaign's team, not from its creator's current access, so that a
    teammate can still send the campaign of a rep who has left.
    """
    if campaign.team_id is not None:
        prospects = Prospect.objects.filter(team_id=campaign.team_id)
    else:
        prospects = Prospect.objects.visible_to(campaign.created_by)
    target = target_filters(campaign)
    # Fail closed: a campaign without a target reaches nobody (its constraint forbids one).
    prospects = prospects.none() if target is None else listing.filtered(prospects, target)
    return prospects.filter(**{f"{ADDRESS_FIELD[campaign.channel]}__isnull": False})


def target_filters(campaign: Campaign) -> listing.Filters | None:
    """The campaign's list, or its segment's filter as saved: read again each time it is used."""
    if campaign.target_list_id is not None:
        return listing.Filters(in_list=campaign.target_list_id)
    if campaign.target_segment_id is not None:
        return saved_views.filters_of(campaign.target_segment)
    return None


def with_gate_key(prospects: QuerySet, campaign: Campaign, *, now: datetime) -> QuerySet:
    """``prospects`` annotated with ``gate_key``: each input of docs/rules.md §1.1 computed in SQL."""
    today = timezone.localdate(now)
    prospects = with_consent_state(
        prospects, channel=campaign.channel, purpose_code=campaign.purpose.code, name="gate_consent"
    ).annotate(gate_unanswered=frequency.unanswered_expression(now=now))
    related = campaign.related_condition()
    repeated = Message.objects.filter(
        prospect=OuterRef("pk"), consent_request=True, status__in=[MessageStatus.SENT, MessageStatus.LOGGED]
    )
    soft_current = Q(customer_relationship_ended_at__isnull=True)
    soft_current |= Q(customer_relationship_ended_at__gte=_soft_opt_in_cutoff(today))
    analogous = campaign.analogous_categories()
    parts = [
        F("audience"),
        _source_part(today=today),
        _flag(related) if related is not None else Value("0"),
        _flag(_objected(campaign.channel)),
        F("gate_consent"),
        customers.soft_opt_in_sql(analogous),
        _flag(soft_current),
        _flag(customers.ongoing_contract_sql(analogous, today=today)),
        _flag(retention.expired(today)),
        _template_ok(campaign),
        _flag(Q(restricted_at__isnull=False)),
        _flag(frequency.capped_condition("gate_unanswered")),
        _flag(Exists(repeated)) if campaign.is_consent_request else Value("0"),
    ]
    if campaign.channel == Channel.PHONE:
        mine = Q(prospect_id=OuterRef("pk"))
        parts += [
            _flag(Exists(calls.over_call_limit(mine, now=now))),
            _flag(Exists(calls.refused_within(mine, now=now))),
        ]
    else:
        parts += [Value("0"), Value("0")]
    parts += [_flag(Q(company_only=False)), _undeliverable_flag(campaign.channel)]
    return prospects.annotate(gate_key=_joined(*parts))


def _objected(channel: str) -> Q:
    """The suppression list, and on e-mail a "stop" reply no rep has decided on yet
    (mailbox: ``contactability.pending_stop_reply`` is the one-prospect form)."""
    condition = suppression.objected(channel=channel)
    if channel == Channel.EMAIL:
        condition |= Q(Exists(ObjectionProposal.objects.pending().filter(prospect=OuterRef("pk"))))
    return condition


def _undeliverable_flag(channel: str):
    """SQL form of ``contactability.is_undeliverable``: the address's blind index reported failing."""
    if channel != Channel.EMAIL:
        return Value("0")
    return _flag(Exists(UndeliverableAddress.objects.filter(email_index=OuterRef("email_index"))))


# --- The same inputs as joins: the form the planner can hash ---------------------------------

RECIPIENT_CTE, BOUND_CTE = "gate_recipient", "gate_bound"
# The chunk's highest prospect id, computed once per statement from its recipients (a CTE).
UPPER_BOUND = RawSQL(f"SELECT hi FROM {BOUND_CTE}", (), output_field=BigIntegerField())  # noqa: S608, S611


def _sql(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _local_columns(prospects: QuerySet, campaign: Campaign, *, today: date) -> QuerySet:
    """The inputs read from the prospect row itself, in three runs of the key.

    The objection flag stays an EXISTS per identifier: uncorrelated but for the digest,
    PostgreSQL runs it as a hashed subplan (one pass over the suppression list).
    """
    related = campaign.related_condition()
    soft_current = Q(customer_relationship_ended_at__isnull=True)
    soft_current |= Q(customer_relationship_ended_at__gte=_soft_opt_in_cutoff(today))
    analogous = campaign.analogous_categories()
    return prospects.annotate(
        gate_id=F("pk"),
        gate_head=F("audience"),
        gate_middle=_flag(related) if related is not None else Value("0"),
        gate_objected=_flag(suppression.objected(channel=campaign.channel)),
        gate_email=F("email_index"),
        gate_tail=_joined(
            customers.soft_opt_in_sql(analogous),
            _flag(soft_current),
            _flag(customers.ongoing_contract_sql(analogous, today=today)),
            _flag(retention.expired(today)),
            _template_ok(campaign),
            _flag(Q(restricted_at__isnull=False)),
        ),
        gate_person=_flag(Q(company_only=False)),
    ).values("gate_id", "gate_head", "gate_middle", "gate_objected", "gate_email", "gate_tail", "gate_person")


def _first_sources(within: Q, *, today: date) -> QuerySet:
    ranked = _sources(today=today).filter(within).order_by()
    ranked = ranked.annotate(
        gate_rank=Window(
            RowNumber(),
            partition_by=[F("prospect_id")],
            order_by=[F(name).asc() for name in FIRST_SOURCE_ORDER],
        )
    )
    return ranked.filter(gate_rank=1).values("prospect_id", "gate_source")


def _latest_consents(within: Q, campaign: Campaign) -> QuerySet:
    """The latest counting event per prospect, as ``consent.state`` orders them, mapped to its state."""
    events = (
        Consent.objects.counting()
        .filter(within, channel=campaign.channel, purpose__code=campaign.purpose.code)
        .order_by()
    )
    state = Case(
        *(When(action=action, then=Value(value.value)) for action, value in _STATE_OF_ACTION.items()),
        default=Value(ConsentState.NONE.value),
        output_field=CharField(),
    )
    ranked = events.annotate(
        gate_consent=state,
        gate_rank=Window(
            RowNumber(), partition_by=[F("prospect_id")], order_by=[F("effective_at").desc(), F("id").desc()]
        ),
    )
    return ranked.filter(gate_rank=1).values("prospect_id", "gate_consent")


def _capped(within: Q, *, now: datetime) -> QuerySet:
    """Prospects over the frequency cap: their unanswered contacts counted in one aggregate."""
    last_reply = Coalesce(F("prospect__last_prospect_contact_at"), Value(frequency.EPOCH))
    return (
        Interaction.objects.filter(within, frequency._unanswered(now=now, last_reply=last_reply))
        .order_by()
        .values("prospect_id")
        .annotate(gate_unanswered=Count("id"))
        .filter(frequency.capped_condition("gate_unanswered"))
        .values("prospect_id")
    )


def _asked_before(within: Q) -> QuerySet:
    """Prospects a consent request already reached (one per person, ever)."""
    reached = [MessageStatus.SENT, MessageStatus.LOGGED]
    return (
        Message.objects.filter(within, consent_request=True, status__in=reached)
        .order_by()
        .values("prospect_id")
        .distinct()
    )


def _stop_replies(within: Q) -> QuerySet:
    """Prospects with a "stop" reply no rep has decided on yet: objected on e-mail meanwhile."""
    return ObjectionProposal.objects.pending().filter(within).order_by().values("prospect_id").distinct()


def _joined_keys(
    campaign: Campaign, prospects: QuerySet, within: Q, *, now: datetime, size: int | None
) -> tuple[str, list]:
    """``WITH ... SELECT prospect id, gate key``: the recipients' own columns, the derived tables joined.

    ``within`` restricts each derived table to the chunk's prospects: with ``size``, the
    range of ids from the sentinel up to the chunk's highest (an index range scan reads
    only the chunk's rows), otherwise the given ids.
    """
    today = timezone.localdate(now)
    local = _local_columns(prospects, campaign, today=today)
    sql, params = _sql(local if size is None else local[:size])
    ctes = [f"{RECIPIENT_CTE} AS ({sql})"]
    if size is not None:
        ctes.append(f"{BOUND_CTE} AS (SELECT MAX(gate_id) AS hi FROM {RECIPIENT_CTE})")  # noqa: S608
    joins, join_params = [], []
    parts = [
        ("s", _first_sources(within, today=today)),
        ("c", _latest_consents(within, campaign)),
        ("u", _capped(within, now=now)),
    ]
    if campaign.is_consent_request:
        parts.append(("q", _asked_before(within)))
    phone, email = campaign.channel == Channel.PHONE, campaign.channel == Channel.EMAIL
    if email:
        parts.append(("p", _stop_replies(within)))
    if phone:
        parts += [("k", calls.over_call_limit(within, now=now)), ("f", calls.refused_within(within, now=now))]
    for alias, queryset in parts:
        part_sql, part_params = _sql(queryset)
        joins.append(f"LEFT JOIN ({part_sql}) {alias} ON {alias}.prospect_id = r.gate_id")
        join_params += part_params
    if email:
        # One row per blind index on either side: the join adds no row.
        undeliverable = connection.ops.quote_name(UndeliverableAddress._meta.db_table)
        joins.append(f"LEFT JOIN {undeliverable} d ON d.email_index = r.gate_email")
    repeated = "'0'"
    if campaign.is_consent_request:
        repeated = "CASE WHEN q.prospect_id IS NULL THEN '0' ELSE '1' END"
    key = " || '|' || ".join(
        [
            "r.gate_head",
            "COALESCE(s.gate_source, %s)",
            "r.gate_middle",
            "CASE WHEN r.gate_objected = '1' OR p.prospect_id IS NOT NULL THEN '1' ELSE '0' END"
            if email
            else "r.gate_objected",
            "COALESCE(c.gate_consent, %s)",
            "r.gate_tail",
            "CASE WHEN u.prospect_id IS NULL THEN '0' ELSE '1' END",
            repeated,
            "CASE WHEN k.prospect_id IS NULL THEN '0' ELSE '1' END" if phone else "'0'",
            "CASE WHEN f.prospect_id IS NULL THEN '0' ELSE '1' END" if phone else "'0'",
            "r.gate_person",
            "CASE WHEN d.email_index IS NULL THEN '0' ELSE '1' END" if email else "'0'",
        ]
    )
    # Only constants and compiled querysets are spliced in; every value is a parameter.
    statement = f"WITH {', '.join(ctes)} SELECT r.gate_id, ({key}) FROM {RECIPIENT_CTE} r {' '.join(joins)}"  # noqa: S608
    return statement, [*params, MISSING_SOURCE, ConsentState.NONE.value, *join_params]


def _keys(campaign: Campaign, prospects: QuerySet, within: Q, *, now: datetime, size: int | None = None):
    """The statement listing (prospect id, gate key) for ``prospects`` (the first ``size`` by id).

    PostgreSQL gets the joined form, which it hashes. SQLite has no hash join and makes no
    index on a window function's output, so a join to a derived table is a scan per row
    there; it gets the correlated form (``with_gate_key``), an index lookup per row, its
    fast path. The same key either way: the agreement test runs on both.
    """
    if connection.vendor == "postgresql":
        return _joined_keys(campaign, prospects, within, now=now, size=size)
    keyed = with_gate_key(prospects, campaign, now=now).values_list("pk", "gate_key")
    return _sql(keyed if size is None else keyed[:size])


def verdicts_for(campaign: Campaign, prospect_ids: list[int], *, now: datetime | None = None) -> dict:
    """{prospect id: (gate key, Verdict)} for these prospects now: the send-time re-check of a chunk.

    One statement whatever the number of prospects; each distinct key decided once.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not prospect_ids:
        return {}
    prospects = Prospect.objects.filter(pk__in=prospect_ids)
    sql, params = _keys(campaign, prospects, Q(prospect_id__in=prospect_ids), now=now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    decided: dict[str, Verdict] = {}
    for _pk, key in rows:
        if key not in decided:
            decided[key] = decide(GateInputs.from_key(key).situation(channel=campaign.channel, today=today))
    return {pk: (key, decided[key]) for pk, key in rows}


# --- Deciding a campaign --------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    chunks: int
    counts: Counter  # reason code -> messages


def chunk_size() -> int:
    """Recipients per send task."""
    return int(settings.LOYAL_OUTREACH["chunk_size"])


def decision_chunk_size() -> int:
    """Recipients per decision chunk: the four queries of a chunk cost the same at any size."""
    return int(settings.LOYAL_OUTREACH["decision_chunk_size"])


def decide_campaign(
    campaign: Campaign, *, chunk_size: int | None = None, now: datetime | None = None
) -> Outcome:
    """(Re)write the campaign's outbox: one message per recipient with its verdict. All or nothing."""
    size = chunk_size or decision_chunk_size()
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # JIT compilation of these wide expressions costs more than the chunk's execution.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        campaign = (
            Campaign.objects.select_for_update().select_related("purpose", "created_by").get(pk=campaign.pk)
        )
        if not campaign.is_editable:
            raise ValueError("A campaign that is sending or done cannot be decided again.")
        outcome = _write_outbox(campaign, size=size, now=now)
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DECIDED, decided_at=now)
    return outcome


def decide_on_preview(campaign: Campaign, *, viewer) -> Campaign:
    """A draft is decided when someone who may edit it opens its preview, page or API.

    Deciding writes the outbox, so the DPO's look (a reader, never an editor) writes nothing.
    """
    if campaign.status == CampaignStatus.DRAFT and has_role(viewer, *EDITORS):
        decide_campaign(campaign)
        campaign.refresh_from_db()
    return campaign


def _write_outbox(campaign: Campaign, *, size: int, now: datetime) -> Outcome:
    today = timezone.localdate(now)
    chunk = recipients(campaign).filter(pk__gt=SENTINEL).order_by("pk")
    within = Q(prospect_id__gt=SENTINEL, prospect_id__lte=UPPER_BOUND)
    select, params = _keys(campaign, chunk, within, now=now, size=size)
    # Compiled once: each chunk only moves the lower bound (the sentinel's places in the params).
    bounds = [index for index, value in enumerate(params) if value == SENTINEL]
    # A WITH goes inside the INSERT: SQLite counts the rows of a statement that starts with INSERT.
    sql = f"INSERT INTO {CHUNK_TABLE} (prospect_id, gate_key) {select}"
    verdicts: dict[str, Verdict] = {}
    counts: Counter = Counter()
    chunks, last = 0, 0
    with connection.cursor() as cursor:
        _reset(cursor, campaign)
        while True:
            for index in bounds:
                params[index] = last
            cursor.execute(sql, params)
            if cursor.rowcount == 0:
                break
            chunks += 1
            cursor.execute(CHUNK_GROUPS)
            groups = cursor.fetchall()
            for key, count, _max in groups:
                if key not in verdicts:
                    verdicts[key] = decide(
                        GateInputs.from_key(key).situation(channel=campaign.channel, today=today)
                    )
                counts[verdicts[key].reason] += count
            last = max(highest for _key, _count, highest in groups)
            _insert_messages(cursor, campaign, {key: verdicts[key] for key, _c, _m in groups}, now=now)
            cursor.execute(f"DELETE FROM {CHUNK_TABLE}")  # noqa: S608
        cursor.execute(f"DROP TABLE {CHUNK_TABLE}")
    return Outcome(chunks=chunks, counts=counts)


def _reset(cursor, campaign: Campaign) -> None:
    """A draft's outbox is derived data: decided again from scratch, never merged."""
    table = connection.ops.quote_name(Message._meta.db_table)
    cursor.execute(f"DELETE FROM {table} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608
    cursor.execute(f"DROP TABLE IF EXISTS {CHUNK_TABLE}")
    cursor.execute(CREATE_CHUNK_TABLE)


def _verdict_rows(verdicts: dict[str, Verdict], params: list) -> str:
    """The chunk's verdicts as a derived table, one row per key: a hash join, not a long CASE."""
    rows = []
    for key, verdict in verdicts.items():
        status = MessageStatus.REFUSED if verdict.decision == Decision.REFUSE else MessageStatus.QUEUED
        rows.append(
            "SELECT %s AS gate_key, %s AS decision, %s AS reason, %s AS legal_reference, %s AS status"
        )
        params += [key, verdict.decision.value, verdict.reason.value, verdict.legal_reference, status.value]
    return " UNION ALL ".join(rows)


def _insert_messages(cursor, campaign: Campaign, verdicts: dict[str, Verdict], *, now: datetime) -> None:
    """One INSERT ... SELECT from the chunk table joined to its verdicts."""
    params: list = [
        campaign.pk,
        campaign.is_consent_request,
        False,
        False,
        connection.ops.adapt_datetimefield_value(now),
    ]
    verdict_rows = _verdict_rows(verdicts, params)
    table = connection.ops.quote_name(Message._meta.db_table)
    cursor.execute(
        f"INSERT INTO {table} (campaign_id, prospect_id, consent_request, gate_inputs, decision, reason, "  # noqa: S608
        "legal_reference, status, language, subject, body, carried_notice, refused_at_send, decided_at, "
        "attempts, last_error) "
        "SELECT %s, t.prospect_id, %s, t.gate_key, v.decision, v.reason, v.legal_reference, v.status, "
        f"'', '', '', %s, %s, %s, 0, '' FROM {CHUNK_TABLE} t "
        f"JOIN ({verdict_rows}) v ON v.gate_key = t.gate_key",
        params,
    )
