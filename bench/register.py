"""Register case: ``registry.art30.build_register`` against the same live figures in raw SQL.

Building the register reads the declarations (no query), records a version when they
changed, and runs a handful of aggregate queries for the live figures. ``run(rows)``
seeds ``rows`` prospects with their sources (set-based, through the purge case's
seeder), times one build of the register in French with its figures, then times the
figures' aggregates as hand-written SQL over a raw DB-API connection, and removes the
prospects again.
"""

import time
from datetime import date

from django.contrib.auth import get_user_model

from bench import database
from bench.purge import delete_raw, seed_expired
from bench.result import Result, timed
from registry.art30 import build_register

KEPT_UNTIL = date(1990, 1, 1)  # the purge case's convention: no real prospect has so early a deadline
TODAY = date(1990, 1, 2)
FIGURES_SQL = [
    "SELECT type, COUNT(DISTINCT prospect_id) FROM prospects_source GROUP BY type",
    "SELECT audience, COUNT(*) FROM prospects_prospect GROUP BY audience",
    "SELECT COUNT(*), MIN(collected_at), COUNT(restricted_at) FROM prospects_prospect",
    "SELECT COUNT(*) FROM prospects_prospect WHERE retention_until < CURRENT_DATE",
    "SELECT COUNT(*) FROM prospects_prospect WHERE retention_until >= CURRENT_DATE",
    "SELECT p.code, c.action, COUNT(*) FROM consent_consent c JOIN consent_purpose p ON p.id = c.purpose_id "
    "GROUP BY p.code, c.action",
    "SELECT COUNT(*) FROM consent_objection",
    "SELECT origin, COUNT(*) FROM prospects_suppression GROUP BY origin",
    "SELECT COUNT(*), MIN(at) FROM org_accesslog",
    "SELECT COUNT(*) FROM registry_subjectrequest WHERE status IN ('received', 'in_progress')",
    "SELECT COUNT(*) FROM registry_erasure",
]


def run(rows: int) -> Result:
    owner = get_user_model().objects.create(username=f"bench-register-{time.monotonic_ns()}", is_active=False)
    try:
        seed_expired(rows, owner_id=owner.pk, kept_until=KEPT_UNTIL)
        build_register(language="fr")  # records the version once, outside the timing
        ours = timed(lambda: build_register(language="fr"))
        raw = timed(_raw_figures)
    finally:
        delete_raw(today=TODAY)
        owner.delete()
    return Result(ours_seconds=ours, raw_seconds=raw)


def _raw_figures() -> None:
    with database.current().raw() as connection:
        cursor = connection.cursor()
        for statement in FIGURES_SQL:
            cursor.execute(statement)
            cursor.fetchall()
