"""Fill the bench database fast with realistic prospects, as the product stores them.

For the HTTP case (bench.http), PostgreSQL only. The bench rep's team ("Sales": the bench rep
and two colleagues) owns half of the prospects, three other teams the rest, interleaved
along the list's order. Every prospect has one source. Emails, phones and LinkedIn profiles
are normalised values, encrypted with ``prospects.identity.encrypt`` and indexed with
``blind_index`` exactly as intake stores them; the retention deadline is
``prospects.retention.deadline``'s. That part runs in Python, in a pool of processes (one per
core), and streams into one ``COPY``; companies, sources and suppressions are set-based SQL.

The shape of the data:

- names from 95 first names and 147 last names; ``MATCH`` is one of the last names (1 in
  147 prospects), ``NO_MATCH`` matches no name and no company;
- companies: up to 3,000 (one per 20 prospects below 60,000), 5 % of prospects have none;
- 93 % have a work email (a free-mail one, hence b2c, for 3 % of them and for those without a
  company), 70 % a phone, 55 % a LinkedIn profile, each one unique, and every prospect at
  least one of the three;
- created over the last three years and three weeks, newest last: two blocks of 1,000 in
  five are imports whose rows share one creation time (and a broker source);
- every prospect is at a stage of the pipeline (the seeded stages, in their order: 55 %, 15 %,
  10 %, 6 %, 4 %, 3 %, 5 %), but 2 % with none; ``Filled.stage`` is the third (10 %);
- 15 % have a contact from the prospect since, 2 % are customers, 0.5 % are restricted,
  0.2 % of the emails are on the suppression list, and those created more than three years
  ago without a later contact are past their retention deadline (the purge's grace days).

No history rows (simple_history) are written: no page measured reads them.
"""

import json
import multiprocessing
import os
import random
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from bench import data
from bench.database import current
from org import accounts
from org.accounts import team_of
from org.models import Team
from org.roles import Role
from prospects import listing, provenance, retention
from prospects.audience import classify_email
from prospects.identity import blind_index, encrypt
from prospects.models import Prospect, SourceType, Stage


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Camille Louis Chloé Hugo Léa Jules Manon Arthur Inès Nathan Emma Gabriel Jade Raphaël Louise "
    "Léo Alice Adam Lina Lucas Rose Maël Anna Noah Ambre Paul Julia Ethan Mila Sacha Lou Tom Agathe "
    "Théo Romane Victor Zoé Martin Juliette Axel Margaux Antoine Clara Baptiste Eva Maxime Lucie "
    "Thomas Charlotte Nicolas Sarah Julien Laura Alexandre Marie Romain Pauline Guillaume Mathilde "
    "Pierre Elise Mathieu Anaïs Quentin Céline Vincent Audrey Sébastien Claire Olivier Nathalie "
    "Philippe Isabelle Laurent Sophie François Catherine Stéphane Valérie Christophe Sandrine "
    "Frédéric Aurélie David Émilie Jérôme Hélène Benoît Delphine Yann Agnès Cédric Karine Fabien Amélie"
)
LAST = _words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre "
    "Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont "
    "Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry "
    "Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin "
    "Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer "
    "Lucas Meunier Jean Perez Marchand Dufour Blanchard Marie Barbier Brun Dumas Brunet Schmitt "
    "Leroux Colin Fernandez Pierre Renard Arnaud Rolland Caron Aubert Giraud Leclerc Vidal Bourgeois "
    "Renaud Lemoine Picard Gaillard Philippe Leclercq Lacroix Fabre Dupuis Olivier Rodriguez "
    "Hubert Louis Charles Guillot Rivière Guillaume Adam Rey Moulin Gonzalez "
    "Berger Lecomte Menard Fleury Deschamps Carpentier Julien Benoit Paris Maillard Marchal Aubry "
    "Vasseur Renault Jacquet Collet Prévost Poirier Charpentier Royer Huet Baron Dupuy Pons "
    "Paul Laine Carré Breton Remy Schneider Perrot Guyot Barre Marty Cousin"
)
TITLES = (
    "Head of purchasing", "CFO", "IT director", "Office manager", "Sales director", "CEO",
    "Procurement officer", "Operations manager", "HR director", "Marketing manager", "CTO",
    "Facility manager", "Logistics manager", "Plant manager", "Buyer",
)  # fmt: skip
COMPANY_HEADS = _words(
    "Atelier Bureau Cabinet Comptoir Groupe Maison Société Établissements Laboratoires Transports "
    "Ateliers Agence Industries Services Solutions Systèmes Conseil Distribution Logistique Énergies "
    "Matériaux Équipements Technologies Réseaux Bâtiment Imprimerie Fonderie Verrerie Tissages Menuiserie "
    "Forges Papeteries Biscuiterie Brasserie Chantiers Garages Pharmacie Clinique Hôtels Minoterie "
    "Scierie Tannerie Cartonnages Plasturgie Mécanique Électricité Chaudronnerie Robinetterie Emballages "
    "Fromagerie"
)
COMPANY_TAILS = _words(
    "Alpine Armor Atlantique Azur Bocage Boréal Cévennes Champagne Cornouaille Dauphiné Durance "
    "Estuaire Flandre Garonne Gascogne Iroise Jura Landes Léman Limousin Loire Lorraine Marne Médoc "
    "Morvan Moselle Normandie Océane Oise Provence Pyrénées Quercy Rhône Saintonge Sologne Vendée "
    "Vercors Vexin Vosges Arverne Belle-Île Camargue Charente Corrèze Drôme Hérault Lozère Meuse Tarn Yonne "
    "Anjou Artois Béarn Berry Bresse Brie Corse Forez Lauragais Périgord"
)
FREE_MAIL = ("gmail.com", "orange.fr", "free.fr", "hotmail.fr", "laposte.net")
OTHER_TEAMS = ("North", "South", "Key accounts")
TEAM_SHARE = 0.5
MATCH = "Moreau"
NO_MATCH = "Zorglub"
DEPTH = 0.95
IMPORT_BLOCK = 1000
HISTORY = timedelta(days=3 * 365 + 21)
CHUNK = 10_000
COLUMNS = (
    "id", "first_name", "last_name", "job_title", "company_id", "company_sort", "email", "email_index",
    "phone", "phone_index", "linkedin_url", "linkedin_index", "language", "audience",
    "audience_justification", "owner_id", "team_id", "collected_at", "last_prospect_contact_at",
    "retention_until", "legal_hold_reason", "is_customer", "customer_relationship_ended_at",
    "restricted_at", "created_at", "updated_at", "stage_id",
)  # fmt: skip
# The share of prospects at each stage, in the pipeline's order; the rest have none.
STAGE_SHARES = (0.55, 0.15, 0.10, 0.06, 0.04, 0.03, 0.05)
FILTERED_STAGE = 2  # the stage the list's stage filter asks for: the third, 10 %
# A source per prospect, in SQL: its type from the prospect's id and profile (the same rule
# as _source_type below decides nothing else), its evidence a template of that type.
EVIDENCE = {
    SourceType.BROKER: data.EVIDENCE,
    SourceType.BUSINESS_CARD: {
        "event": "Salon des achats 2025", "place": "Paris", "date": "2025-03-12",
        "collector": "Bench", "notice_given": True,
    },
    SourceType.EVENT: {
        "event": "Forum logistique", "place": "Lyon", "date": "2025-06-04", "notice_given": False,
    },
    SourceType.WEB_FORM_NOTICE: {
        "form_id": "contact-v3", "notice_version": "2025-01", "wording_hash": "9f2c1d",
        "ip": "192.0.2.10", "user_agent": "Mozilla/5.0",
    },
    SourceType.INBOUND: {"channel": "phone", "date": "2025-02-01"},
    SourceType.MANUAL: {"description": "Met at a customer's site"},
}  # fmt: skip
OTHER_TYPES = (
    SourceType.BUSINESS_CARD, SourceType.EVENT, SourceType.WEB_FORM_NOTICE, SourceType.INBOUND,
    SourceType.MANUAL,
)  # fmt: skip


@dataclass(frozen=True)
class Filled:
    """What the fill made, and the values the HTTP cases ask for."""

    rows: int
    visible: int  # prospects the bench rep sees (their team's)
    rep_id: int
    username: str
    password: str
    email: str  # an exact email of one of the team's prospects
    detail_id: int  # one of the team's prospects
    deep_cursor: str  # the list's cursor whose page starts at DEPTH of the rep's prospects
    stage: int  # the id of the stage the list's stage filter asks for
    match: str = MATCH
    no_match: str = NO_MATCH
    seconds: float = 0.0


@dataclass(frozen=True)
class _Plan:
    rows: int
    start: datetime
    companies: tuple[str, ...]  # domains, company i + 1 at index i
    names: tuple[str, ...]  # the companies' names, in the same order (the list's company sort)
    team_owners: tuple[tuple[int, int], ...]  # (user id, team id)
    other_owners: tuple[tuple[int, int], ...]
    stages: tuple[int, ...]  # the pipeline's stage ids, in its order
    seed: int


def fill(rows: int, *, seed: int = 8) -> Filled:
    """Fill the (empty, migrated) bench database with ``rows`` prospects; VACUUM and ANALYZE it.

    VACUUM as autovacuum would have by the time anyone reads the rows: without it (a server
    running with autovacuum off) no page of the table is marked all-visible, and the list
    page's result count, an index-only scan of up to COUNT_LIMIT + 1 entries on a vacuumed
    table, reads that many rows from the heap instead (18 to 40 ms at 1M prospects, against
    1 to 2 ms), a cost production does not have.
    """
    db = current()
    if db.vendor != "postgresql":
        raise RuntimeError("bench.fill writes with COPY: it needs PostgreSQL.")
    started = time.perf_counter()
    rep, password, team_owners, other_owners = _people()
    now = datetime.now(UTC).replace(microsecond=0)
    names = _company_names(min(3000, max(1, rows // 20)))
    plan = _Plan(
        rows=rows,
        start=now - HISTORY,
        companies=tuple(_domain(name) for name in names),
        names=tuple(names),
        team_owners=team_owners,
        other_owners=other_owners,
        stages=tuple(Stage.objects.order_by("position", "pk").values_list("pk", flat=True)),
        seed=seed,
    )
    connection.close()  # the pool forks: no child shares Django's connection
    with db.raw() as raw:
        with raw.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            with cursor.copy("COPY prospects_company (id, name, domain, created_at) FROM STDIN") as copy:
                for number, name in enumerate(names, start=1):
                    copy.write_row((number, name, plan.companies[number - 1], plan.start))
            columns = ", ".join(COLUMNS)
            with cursor.copy(f"COPY prospects_prospect ({columns}) FROM STDIN") as copy:
                for block in _blocks(plan):
                    copy.write(block)
            _sources(cursor)
            cursor.execute(
                "INSERT INTO prospects_suppression (kind, digest, channel, origin, created_at) "
                "SELECT 'email', email_index, 'all', 'link', now() FROM prospects_prospect "
                "WHERE email_index IS NOT NULL AND id % 500 = 7"
            )
            for table in ("prospects_company", "prospects_prospect", "prospects_source"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        raw.commit()
        raw.autocommit = True
        raw.execute("VACUUM (ANALYZE)")
    return _samples(rows, rep, password, time.perf_counter() - started)


def _people() -> tuple:
    """The bench rep (with a password to log in with), two colleagues, three other teams."""
    rep = data.bench_rep()
    password = secrets.token_urlsafe(18)
    # Hashed as production does, whatever this process's settings (the tests' MD5 hasher).
    hasher = PBKDF2PasswordHasher()
    rep.password = hasher.encode(password, hasher.salt())
    rep.save(update_fields=["password"])
    team = team_of(rep)
    team_owners = [(rep.pk, team.pk)]
    users = get_user_model().objects
    for n in (1, 2):
        name = f"bench-colleague-{n}"
        colleague = users.filter(username=name).first() or accounts.create_user(
            username=name, password=None, role=Role.SALES, team=team, first_name="Colleague", last_name=str(n)
        )
        team_owners.append((colleague.pk, team.pk))
    other_owners = []
    for name in OTHER_TEAMS:
        other, _created = Team.objects.get_or_create(name=name)
        for n in (1, 2):
            username = f"bench-{name.lower().replace(' ', '-')}-{n}"
            user = users.filter(username=username).first() or accounts.create_user(
                username=username,
                password=None,
                role=Role.SALES,
                team=other,
                first_name=name,
                last_name=str(n),
            )
            other_owners.append((user.pk, other.pk))
    return rep, password, tuple(team_owners), tuple(other_owners)


def _company_names(count: int) -> list[str]:
    names = [f"{head} {tail}" for tail in COMPANY_TAILS for head in COMPANY_HEADS]
    random.Random(3).shuffle(names)
    return names[:count]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "-")


ASCII = {name: _ascii(name) for name in (*FIRST, *LAST)}


def _domain(company: str) -> str:
    return _ascii(company).replace("'", "") + ".fr"


def _blocks(plan: _Plan):
    """The COPY text of every prospect, chunk by chunk, from a process per core."""
    chunks = [(start, min(start + CHUNK, plan.rows)) for start in range(0, plan.rows, CHUNK)]
    processes = min(os.cpu_count() or 1, len(chunks))
    if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            yield _rows(plan, chunk)
        return
    # Forked: the children inherit the settings in force (the run's keys) and the plan.
    with multiprocessing.get_context("fork").Pool(processes, initializer=_set_plan, initargs=(plan,)) as pool:
        yield from pool.imap(_chunk, chunks)


_plan: _Plan | None = None


def _set_plan(plan: _Plan) -> None:
    global _plan
    _plan = plan


def _chunk(bounds: tuple[int, int]) -> bytes:
    return _rows(_plan, bounds)


def _rows(plan: _Plan, bounds: tuple[int, int]) -> bytes:
    start, stop = bounds
    rng = random.Random(plan.seed * 1_000_003 + start)
    span = HISTORY.total_seconds()
    now = plan.start + HISTORY
    lines = []
    for i in range(start, stop):
        pk = i + 1
        block = i // IMPORT_BLOCK
        imported = block % 5 < 2
        at = block * IMPORT_BLOCK if imported else i
        created = plan.start + timedelta(
            seconds=span * at / plan.rows, microseconds=0 if imported else i % 997
        )
        owner, team = rng.choice(plan.team_owners if rng.random() < TEAM_SHARE else plan.other_owners)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = rng.randrange(len(plan.companies)) + 1 if rng.random() >= 0.05 else None
        tag = _base36(pk)
        person = f"{ASCII[first]}.{ASCII[last]}"
        draw = rng.random()
        email = phone = linkedin = ""
        if draw < 0.93:
            domain = (
                plan.companies[company - 1] if company and rng.random() >= 0.03 else rng.choice(FREE_MAIL)
            )
            email = f"{person}.{tag}@{domain}"
        if rng.random() < 0.70:
            phone = f"+336{pk:08d}"
        if rng.random() < 0.55 or not (email or phone):
            linkedin = f"linkedin.com/in/{person.replace('.', '-')}-{tag}"
        contact = created + timedelta(seconds=rng.random() * (now - created).total_seconds())
        contacted = contact if rng.random() < 0.15 else None
        customer = rng.random() < 0.02
        restricted = created + timedelta(days=1) if rng.random() < 0.005 else None
        kept = retention.deadline(collected_at=created, last_prospect_contact_at=contacted)
        fields = (
            pk,
            first,
            last,
            rng.choice(TITLES),
            company,
            plan.names[company - 1] if company else "",
            encrypt(email) if email else "",
            blind_index("email", email) if email else None,
            encrypt(phone) if phone else "",
            blind_index("phone", phone) if phone else None,
            linkedin,
            blind_index("linkedin", linkedin) if linkedin else None,
            "en" if rng.random() < 0.1 else "fr",
            classify_email(email) if email else "b2b_nominative",
            "",
            owner,
            team,
            created.isoformat(),
            contacted.isoformat() if contacted else None,
            kept.isoformat(),
            "",
            "t" if customer else "f",
            None,
            restricted.isoformat() if restricted else None,
            created.isoformat(),
            (contacted or created).isoformat(),
            _stage(plan, rng.random()),
        )
        lines.append("\t".join(r"\N" if value is None else str(value) for value in fields))
    lines.append("")
    return "\n".join(lines).encode()


def _stage(plan: _Plan, draw: float) -> int | None:
    for stage, share in zip(plan.stages, STAGE_SHARES, strict=False):
        if draw < share:
            return stage
        draw -= share
    return None


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def _sources(cursor) -> None:
    """One source per prospect, set-based: the import blocks' are the broker's."""
    cases, params = [], []
    for kind in (
        SourceType.BROKER,
        SourceType.LINKEDIN_PUBLIC_PROFILE,
        SourceType.LINKEDIN_CONNECTION,
        *OTHER_TYPES,
    ):
        evidence = EVIDENCE.get(kind, {"profile_url": "linkedin.com/in/x"})
        cases.append(kind)
        params.append(provenance.initial_notice(kind, evidence))
    others = ", ".join(f"'{kind}'" for kind in OTHER_TYPES)
    evidence_sql = " ".join(f"WHEN '{kind}' THEN %s::jsonb" for kind in (SourceType.BROKER, *OTHER_TYPES))
    notice_sql = " ".join(f"WHEN '{kind}' THEN %s" for kind in cases)
    cursor.execute(
        f"""
        INSERT INTO prospects_source (id, type, evidence, acquired_at, notice, prospect_id, recorded_by_id)
        SELECT id, type,
               CASE WHEN type LIKE 'linkedin%%' THEN jsonb_build_object('profile_url', linkedin_url)
                    ELSE CASE type {evidence_sql} END END,
               collected_at, CASE type {notice_sql} END, id, owner_id
        FROM (
            SELECT id, linkedin_url, collected_at, owner_id,
                   CASE WHEN ((id - 1) / {IMPORT_BLOCK}) %% 5 < 2 THEN 'broker'
                        WHEN linkedin_url <> '' AND id %% 4 = 0 THEN 'linkedin_public_profile'
                        WHEN linkedin_url <> '' AND id %% 4 = 1 THEN 'linkedin_connection'
                        ELSE (ARRAY[{others}])[id %% {len(OTHER_TYPES)} + 1] END AS type
            FROM prospects_prospect
        ) AS p
        """,
        [*(json.dumps(EVIDENCE[kind]) for kind in (SourceType.BROKER, *OTHER_TYPES)), *params],
    )


def _samples(rows: int, rep, password: str, seconds: float) -> Filled:
    """The values the cases ask for, read through the product's own queries."""
    visible = Prospect.objects.visible_to(rep).order_by("-created_at", "-pk")
    count = visible.count()
    if count < 2:
        raise RuntimeError(f"the bench rep sees {count} prospects: fill more rows")
    with_email = visible.exclude(email_index=None)
    sample = with_email[count // 3 : count // 3 + 1].first() or with_email.first()
    detail = visible.only("pk")[count // 4]
    depth = max(1, int(count * DEPTH))
    before = visible.only("pk", "created_at")[depth - 1]
    return Filled(
        rows=rows,
        visible=count,
        rep_id=rep.pk,
        username=rep.username,
        password=password,
        email=sample.email,
        detail_id=detail.pk,
        deep_cursor=listing.encode_cursor(before),
        stage=Stage.objects.order_by("position", "pk").values_list("pk", flat=True)[FILTERED_STAGE],
        seconds=seconds,
    )
