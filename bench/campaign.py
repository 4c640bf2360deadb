"""Campaign case: ``outreach.decisions.decide_campaign`` against one hand-written SQL statement.

Both decide an e-mail campaign to the same ``rows`` synthetic prospects (a mix of
audiences, sources, notices, acquisition dates, objections, consents, withdrawals,
customers, expired, restricted and over-contacted people) and write one outbox row
each. The raw side is a single ``INSERT ... SELECT`` in its fastest form: every input
from another table is a derived table (the first source and the latest consent event by
``ROW_NUMBER``, the unanswered contacts by ``GROUP BY``, the suppression list by digest)
joined to the recipients, which the planner hashes, and the e-mail branch of the rules
as one CASE. Ours goes chunk by chunk through the pure ``policy.decide``. Both start
from an empty outbox, cleared outside the stopwatch. The two outboxes must hold the
same decision and reason for every prospect, or the timing compares nothing.
"""

import time
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from bench.result import Result, timed
from consent.models import Confirmation, Consent, Purpose
from org import accounts
from org.models import Profile, Team
from org.roles import Role
from outreach import frequency
from outreach.decisions import decide_campaign
from outreach.models import Campaign, Message
from outreach.policy import ART14_DEADLINE
from prospects.models import Interaction, Prospect, SavedView, Source, Suppression

TARGET = 1.5  # ours at most 1.5 times the hash-join statement
CHUNK = 5000
ROUNDS = 3
SOURCE_TYPES = [
    "business_card", "linkedin_connection", "linkedin_public_profile", "broker", "broker",
    "web_form_notice", "web_form_consent", "event", "customer_sale", "inbound",
]  # fmt: skip
THREE = "(SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) k"
BROKER = '{"broker": "ListCo", "contract_ref": "C-1", "list_id": "L-1", "delivery_date": "2026-01-01", %s}'


def run(rows: int) -> Result:
    """Seed ``rows`` prospects, decide a campaign both ways (best of ``ROUNDS``), check, clean up."""
    tag = f"bench{time.monotonic_ns()}"
    owner = _owner(tag)
    try:
        _seed(rows, owner=owner)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # Fresh statistics, as after any bulk load: fair to both sides.
        ours, raw = _campaign(owner, "ours"), _campaign(owner, "raw")
        ours_times, raw_times = [], []
        for _round in range(ROUNDS):  # Alternated, best of each: a shared machine is noisy.
            _clear(raw)
            _clear(ours)  # Deciding again deletes the previous outbox first: not what is compared.
            raw_times.append(timed(lambda: _raw(raw, owner)))
            ours_times.append(timed(lambda: decide_campaign(ours, chunk_size=CHUNK)))
        _check(ours, raw, rows)
        ours_seconds, raw_seconds = min(ours_times), min(raw_times)
    finally:
        _cleanup(owner)
    return Result(ours_seconds=ours_seconds, raw_seconds=raw_seconds, target=TARGET)


# --- Data ------------------------------------------------------------------------------------------


def _owner(tag: str):
    team = Team.objects.create(name=tag)
    return accounts.create_user(username=tag, password=None, role=Role.SALES, team=team)


def _whole_base(owner) -> SavedView:
    """The segment of the owner's whole team: the bench decides the team's every prospect."""
    team = Profile.objects.get(user=owner).team
    view, _created = SavedView.objects.get_or_create(
        name="Bench base", filters={}, shared=True, team=team, created_by=owner
    )
    return view


def _campaign(owner, name: str) -> Campaign:
    return Campaign.objects.create(
        name=name,
        purpose=Purpose.objects.get(code="b2b_prospecting"),
        channel="email",
        target_functions=["purchasing"],
        offer_related_to_profession=True,
        subject_fr="Bonjour",
        body_fr="Notre offre.",
        subject_en="Hello",
        body_en="Our offer.",
        sender_name="Bench",
        sender_email="bench@example.com",
        created_by=owner,
        team=Profile.objects.get(user=owner).team,
        target_segment=_whole_base(owner),
    )


def _q(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert(model, values: dict, *, source: str, params_after=(), sequence: int = 0) -> None:
    """INSERT INTO ``model`` SELECT ...: ``values`` gives SQL per field, other fields their default."""
    columns, exprs, params = [], [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, AutoFieldMixin):
            continue
        columns.append(connection.ops.quote_name(field.column))
        expr, expr_params = values[field.name] if field.name in values else ("%s", [_default(field)])
        exprs.append(expr)
        params += expr_params
    sql = f"INSERT INTO {_q(model)} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}"
    if sequence:
        sql = f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %s) {sql}"
        params = [sequence, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params_after])


def _default(field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _adapt(timezone.now())
    if field.null and not field.has_default():
        return None
    value = field.get_default()
    return field.get_db_prep_save("" if value is None else value, connection)


def _adapt(value):
    """Dates and times as the backend stores them (SQLite compares them as text)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _case(column: str, values: list) -> tuple[str, list]:
    whens = " ".join(f"WHEN {index} THEN %s" for index in range(len(values)))
    return f"CASE {column} %% {len(values)} {whens} END", [_adapt(v) for v in values]


def _jsonb(expr: tuple[str, list]) -> tuple[str, list]:
    sql, params = expr
    return (f"CAST({sql} AS jsonb)" if connection.vendor == "postgresql" else sql), params


def _seed(rows: int, *, owner) -> None:
    now, today = timezone.now(), timezone.localdate()
    team_id = Profile.objects.get(user=owner).team_id
    text = "CAST(seq.i AS TEXT)"
    with transaction.atomic():
        _insert(
            Prospect,
            {
                "first_name": ("'Bench'", []),
                "last_name": (f"'P' || {text}", []),
                "job_title": _case("seq.i", ["Head of purchasing"] * 4 + ["CTO"]),
                "email_index": (f"%s || {text}", [f"{owner.username}-"]),
                "language": _case("seq.i", ["fr", "fr", "fr", "en"]),
                "audience": _case("seq.i", ["b2b_nominative"] * 14 + ["b2b_generic"] * 3 + ["b2c"] * 3),
                "owner": ("%s", [owner.pk]),
                "team": ("%s", [team_id]),
                "retention_until": _case(
                    "seq.i", [today + relativedelta(years=3)] * 49 + [today - timedelta(days=1)]
                ),
                "is_customer": _case("seq.i", [False] * 9 + [True]),
                "customer_relationship_ended_at": _case(
                    "seq.i", [None] * 29 + [today - relativedelta(years=4)]
                ),
                "restricted_at": _case("seq.i", [None] * 96 + [now]),
            },
            source="seq",
            sequence=rows,
        )
        mine = f"{_q(Prospect)} p WHERE p.owner_id = %s"
        proof = ['"information_proof": "form v2"', '"information_proof": ""']
        evidence = [BROKER % proof[0] if t == "broker" else "{}" for t in SOURCE_TYPES]
        evidence[4] = BROKER % proof[1]
        _insert(
            Source,
            {
                "prospect": ("p.id", []),
                "type": _case("p.id", SOURCE_TYPES),
                "evidence": _jsonb(_case("p.id", evidence)),
                "notice": _case("p.id", ["none", "at_collection", "art14_sent", "none"]),
                "acquired_at": _case("p.id", [now - timedelta(days=d) for d in (1, 10, 29, 45, 200, 3)]),
            },
            source=mine,
            params_after=[owner.pk],
        )
        _insert(
            Suppression,
            {
                "kind": ("'email'", []),
                "digest": ("p.email_index", []),
                "channel": ("'all'", []),
                "origin": ("'link'", []),
            },
            source=f"{mine} AND p.id %% 50 = 7",
            params_after=[owner.pk],
        )
        _consents(mine, owner, now)
        _insert(
            Interaction,
            {
                "prospect": ("p.id", []),
                "type": ("'email_sent'", []),
                "direction": ("'outbound'", []),
                "is_voluntary_prospect_contact": ("%s", [False]),
                "occurred_at": ("%s", [_adapt(now - timedelta(days=10))]),
            },
            source=f"{THREE} CROSS JOIN {mine} AND p.id %% 7 = 0",
            params_after=[owner.pk],
        )


def _consents(mine: str, owner, now) -> None:
    purpose = Purpose.objects.get(code="b2b_prospecting").pk
    for action, moment, where in (
        ("grant", now - timedelta(days=30), "IN (3, 4, 5)"),
        ("withdraw", now, "= 4"),
    ):
        proof = action == "grant"
        _insert(
            Consent,
            {
                "prospect": ("p.id", []),
                "purpose": ("%s", [purpose]),
                "channel": ("'email'", []),
                "action": ("%s", [action]),
                "given_at": ("%s", [_adapt(moment)]),
                "method": ("%s", ["signed_form" if proof else ""]),
                "wording": ("%s", ["I agree." if proof else ""]),
                "wording_version": ("%s", ["1" if proof else ""]),
                "wording_sha256": ("%s", ["x" if proof else ""]),
                "collected_by": ("%s", [owner.pk if proof else None]),
                "received_via": ("%s", ["" if proof else "reply"]),
            },
            source=f"{mine} AND p.id %% 20 {where}",
            params_after=[owner.pk],
        )


# --- The raw baseline ----------------------------------------------------------------------------


def _json(column: str, key: str) -> str:
    if connection.vendor == "postgresql":
        return f"TRIM({column} ->> '{key}')"
    return f"TRIM(json_extract({column}, '$.{key}'))"


def _raw(campaign: Campaign, owner) -> None:
    sql, params = raw_statement(campaign, owner)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # As ours: compiling costs more than it saves here.
        cursor.execute(sql, params)


def raw_statement(campaign: Campaign, owner) -> tuple[str, dict]:
    """One statement: the inputs of docs/rules.md §1.1 and the e-mail rows of §1.3-1.4 as one CASE."""
    now = timezone.now()
    today = timezone.localdate(now)
    maximum, window = frequency.limits()
    proof = " AND ".join(
        f"COALESCE({_json('s.evidence', k)}, '') <> ''"
        for k in ("broker", "contract_ref", "list_id", "delivery_date", "information_proof")
    )
    params = {
        "campaign": campaign.pk,
        "owner": owner.pk,
        "purpose": campaign.purpose_id,
        "today": today,
        "cutoff": timezone.make_aware(datetime.combine(today - ART14_DEADLINE, datetime.min.time())),
        "since": now - window,
        "now": now,
        "epoch": datetime(1970, 1, 1, tzinfo=UTC),
        "maximum": maximum,
        "false": False,
        "true": True,
    }
    sql = RAW.format(
        message=_q(Message),
        prospect=_q(Prospect),
        source=_q(Source),
        suppression=_q(Suppression),
        consent=_q(Consent),
        confirmation=_q(Confirmation),
        interaction=_q(Interaction),
        profile=_q(Profile),
        proof=proof,
        our_notice=f"COALESCE({_json('s.evidence', 'our_notice_shown')}, '') IN ('true', '1')",
        indirect="'linkedin_connection', 'linkedin_public_profile', 'broker_with_proof', 'event_badge_scan'",
    )
    return sql, {key: _adapt(value) for key, value in params.items()}


RAW = """
WITH recipient AS MATERIALIZED (
  SELECT p.id, p.audience, p.language, p.job_title, p.is_customer, p.customer_category_id AS category,
    p.customer_relationship_ended_at AS ended,
    (p.retention_until < %(today)s AND (p.legal_hold_until IS NULL OR p.legal_hold_until < %(today)s)
      AND (p.is_customer = %(false)s OR p.customer_relationship_ended_at IS NOT NULL)) AS expired,
    p.restricted_at IS NOT NULL AS restricted, p.email_index, p.phone_index, p.linkedin_index,
    COALESCE(p.last_prospect_contact_at, %(epoch)s) AS last_reply
  FROM {prospect} p JOIN {profile} me ON me.team_id = p.team_id AND me.user_id = %(owner)s
  WHERE p.email_index IS NOT NULL
), scoped AS (
  SELECT DISTINCT x.digest FROM {suppression} x WHERE x.channel IN ('all', 'email')
), consents AS (
  SELECT ranked.prospect_id, ranked.action FROM (
    SELECT c.prospect_id, c.action, ROW_NUMBER() OVER (PARTITION BY c.prospect_id ORDER BY
      CASE WHEN c.method = 'double_opt_in' THEN cf.confirmed_at ELSE c.given_at END DESC, c.id DESC) AS n
    FROM {consent} c LEFT JOIN {confirmation} cf ON cf.consent_id = c.id
    WHERE c.channel = 'email' AND c.purpose_id = %(purpose)s
      AND (c.action = 'withdraw' OR c.broker = '' OR c.broker_named_us = %(true)s)
      AND (c.method <> 'double_opt_in' OR cf.id IS NOT NULL)
  ) ranked WHERE ranked.n = 1
), unanswered AS (
  SELECT n.prospect_id FROM {interaction} n JOIN recipient r ON r.id = n.prospect_id
  WHERE n.direction = 'outbound' AND n.occurred_at >= %(since)s AND n.occurred_at <= %(now)s
    AND n.occurred_at > r.last_reply
  GROUP BY n.prospect_id HAVING COUNT(*) >= %(maximum)s
), firsts AS (
  SELECT ranked.prospect_id, ranked.id FROM (
    SELECT s.prospect_id, s.id,
      ROW_NUMBER() OVER (PARTITION BY s.prospect_id ORDER BY s.acquired_at, s.id) AS n
    FROM {source} s
  ) ranked WHERE ranked.n = 1
), base AS (
  SELECT r.id, r.audience, r.language, r.job_title, r.is_customer, r.category, r.ended, r.expired,
    r.restricted,
    (e.digest IS NOT NULL OR ph.digest IS NOT NULL OR li.digest IS NOT NULL) AS objection,
    c.action AS consent, u.prospect_id IS NOT NULL AS capped, f.id AS source_id
  FROM recipient r
    LEFT JOIN scoped e ON e.digest = r.email_index
    LEFT JOIN scoped ph ON ph.digest = r.phone_index
    LEFT JOIN scoped li ON li.digest = r.linkedin_index
    LEFT JOIN consents c ON c.prospect_id = r.id
    LEFT JOIN unanswered u ON u.prospect_id = r.id
    LEFT JOIN firsts f ON f.prospect_id = r.id
), inputs AS MATERIALIZED (
  SELECT b.*, COALESCE(s.notice, 'none') AS notice, s.acquired_at,
    CASE s.type WHEN 'business_card' THEN 'business_card'
      WHEN 'event' THEN CASE WHEN {our_notice} THEN 'business_card' ELSE 'event_badge_scan' END
      WHEN 'linkedin_connection' THEN 'linkedin_connection'
      WHEN 'linkedin_public_profile' THEN 'linkedin_public_profile'
      WHEN 'web_form_notice' THEN 'web_form_notice' WHEN 'inbound' THEN 'inbound'
      WHEN 'web_form_consent' THEN 'web_form_consent' WHEN 'customer_sale' THEN 'customer_sale'
      WHEN 'broker' THEN CASE WHEN {proof} THEN 'broker_with_proof' ELSE 'broker_without_proof' END
      ELSE 'broker_without_proof' END AS src
  FROM base b LEFT JOIN {source} s ON s.id = b.source_id
), flags AS (
  SELECT i.*, (i.notice <> 'art14_sent' AND i.src IN ({indirect})) AS pending
  FROM inputs i
), verdicts AS (
  SELECT f.id, f.pending, CASE
    WHEN f.expired THEN 'REF_RETENTION_EXPIRED'
    WHEN f.restricted THEN 'REF_RESTRICTED'
    WHEN f.objection THEN 'REF_OBJECTION'
    WHEN f.src = 'broker_without_proof' THEN 'REF_BROKER_NO_PROOF'
    WHEN f.consent = 'withdraw' THEN 'REF_CONSENT_WITHDRAWN'
    WHEN f.pending AND (f.acquired_at IS NULL OR f.acquired_at < %(cutoff)s) THEN 'REF_ART14_OVERDUE'
    WHEN f.capped THEN 'REF_FREQUENCY_CAP'
    WHEN f.audience = 'b2b_generic' THEN CASE WHEN f.pending THEN 'NOTICE_ART14'
      WHEN f.notice = 'none' AND f.src NOT IN ({indirect}) THEN 'NOTICE_ART13_LATE'
      ELSE 'OK_LEGAL_PERSON' END
    WHEN f.audience = 'b2b_nominative' THEN CASE
      WHEN f.consent = 'grant' THEN 'OK_CONSENT'
      WHEN LOWER(f.job_title) NOT LIKE '%%purchasing%%' THEN 'REF_B2B_UNRELATED'
      WHEN f.src IN ({indirect})
        THEN CASE WHEN f.notice = 'art14_sent' THEN 'OK_B2B_LI' ELSE 'NOTICE_ART14' END
      WHEN f.src = 'customer_sale' AND f.notice = 'none' THEN 'NOTICE_ART13_LATE'
      WHEN f.src = 'customer_sale' THEN 'OK_B2B_LI'
      WHEN f.src IN ('business_card', 'inbound') AND f.notice = 'none' THEN 'NOTICE_ART13_LATE'
      ELSE 'OK_B2B_LI' END
    WHEN f.consent = 'grant' THEN 'OK_CONSENT'
    WHEN f.is_customer AND f.category IS NULL THEN 'REF_SOFT_OPTIN_NO_SALE_CATEGORY'
    -- The bench's campaign declares no offer category: the soft opt-in cannot be shown.
    WHEN f.is_customer THEN 'REF_SOFT_OPTIN_NO_OFFER_CATEGORY'
    ELSE 'REF_B2C_NO_CONSENT' END AS reason
  FROM flags f
)
INSERT INTO {message} (campaign_id, prospect_id, consent_request, gate_inputs, decision, reason,
  legal_reference, status, language, subject, body, carried_notice, refused_at_send, decided_at, attempts,
  last_error)
SELECT %(campaign)s, v.id, %(false)s, '',
  CASE WHEN v.reason LIKE 'REF%%' THEN 'refuse' WHEN v.reason LIKE 'NOTICE%%' OR v.pending
    THEN 'allow_with_notice' ELSE 'allow' END,
  v.reason, v.reason, CASE WHEN v.reason LIKE 'REF%%' THEN 'refused' ELSE 'queued' END,
  '', '', '', %(false)s, %(false)s, %(now)s, 0, ''
FROM verdicts v
"""


def _clear(campaign: Campaign) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_q(Message)} WHERE campaign_id = %s", [campaign.pk])


def _check(ours: Campaign, raw: Campaign, rows: int) -> None:
    """Both sides wrote ``rows`` messages with the same decision and reason for each prospect."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT prospect_id FROM "
            f"{_q(Message)} WHERE campaign_id IN (%s, %s) GROUP BY prospect_id HAVING COUNT(*) = 2 "
            "AND MIN(decision) = MAX(decision) AND MIN(reason) = MAX(reason)) agreeing",
            [ours.pk, raw.pk],
        )
        same = cursor.fetchone()[0]
    if same != rows:
        raise AssertionError(f"campaign bench: the two outboxes agree on {same} of {rows} prospects")


def _cleanup(owner) -> None:
    """Remove every row the case wrote, children first."""
    mine = f"SELECT id FROM {_q(Prospect)} WHERE owner_id = %s"
    campaigns = list(Campaign.objects.filter(created_by=owner).values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Message,):
            cursor.execute(f"DELETE FROM {_q(model)} WHERE prospect_id IN ({mine})", [owner.pk])
        Campaign.objects.filter(pk__in=campaigns).delete()
        cursor.execute(
            f"DELETE FROM {_q(Suppression)} WHERE digest IN "
            f"(SELECT email_index FROM {_q(Prospect)} WHERE owner_id = %s)",
            [owner.pk],
        )
        for model in (Consent, Interaction, Source):
            cursor.execute(f"DELETE FROM {_q(model)} WHERE prospect_id IN ({mine})", [owner.pk])
        cursor.execute(f"DELETE FROM {_q(Prospect)} WHERE owner_id = %s", [owner.pk])
        team = Profile.objects.get(user=owner).team
        SavedView.objects.filter(created_by=owner).delete()
        Profile.objects.filter(user=owner).delete()
        owner.delete()
        team.delete()
