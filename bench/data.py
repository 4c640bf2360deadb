"""Synthetic data for the bench: an import file like a broker's, the bench rep, and cleanup.

The file has the defects a real delivery has, in fixed proportions: 1 % malformed rows
(email, phone, LinkedIn URL, missing name, no contact point), 0.5 % repeats of an
earlier person, and 0.2 % people on the suppression list.
"""

import csv
import random
import unicodedata
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection

from bench.database import current
from org import accounts, conduct
from org.models import CodeOfConduct
from org.roles import Role
from prospects.identity import blind_index, normalise_email
from prospects.models import Company, ImportJob, Prospect, Source, Suppression

REP = "bench-rep"
HEADINGS = ["First name", "Last name", "Company", "Job title", "Email", "Phone", "LinkedIn"]
MAPPING = {
    "first_name": "First name",
    "last_name": "Last name",
    "company_name": "Company",
    "job_title": "Job title",
    "email": "Email",
    "phone": "Phone",
    "linkedin_url": "LinkedIn",
}
EVIDENCE = {
    "broker": "ListCo",
    "contract_ref": "C-2026-12",
    "list_id": "L-77",
    "delivery_date": "2026-01-15",
    "information_proof": "Collection form v2 names partners and offers an opt-out",
}
FIRST = ["Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Manon", "Arthur", "Inès", "Nathan"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]
TITLES = ["Head of purchasing", "CFO", "IT director", "Office manager", "Sales director"]
BREAKS = ("email", "phone", "linkedin", "name", "contact")


def bench_rep():
    """The sales rep who owns the bench's prospects (and logs in for the page cases)."""
    user = get_user_model().objects.filter(username=REP).first()
    if user is None:
        user = accounts.create_user(username=REP, password=None, role=Role.SALES, first_name="Bench")
        current_code = CodeOfConduct.objects.current()
        if current_code is not None:
            conduct.acknowledge(user, conduct=current_code)
    return user


def person(i: int, companies: int, tag: str = "") -> list[str]:
    """The ``i``-th person of a file; files with different tags share nobody."""
    company = i % companies
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    # French mobiles: 06 + 8 digits for the main file, 073 to 079 + 7 digits for a tagged one.
    phone = f"07{3 + i // 10_000_000 % 7}{i % 10_000_000:07d}" if tag else f"06{i % 100_000_000:08d}"
    return [
        first,
        last,
        f"Company {company}",
        TITLES[i % len(TITLES)],
        f"{_ascii(first)}.{last}.{tag}{i}@company{company}.fr".lower(),
        phone,
        f"https://www.linkedin.com/in/{last.lower()}-{tag}{i}",
    ]


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def import_file(rows: int, *, tag: str = "", seed: int = 8) -> Path:
    """The bench's import file of ``rows`` lines, written once per size and tag, then reused."""
    path = current().workdir / f"import{tag}-{rows}.csv"
    if path.exists():
        return path
    rng = random.Random(seed)
    companies = max(1, rows // 20)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADINGS)
        for i in range(rows):
            draw = rng.random()
            row = person(i, companies, tag)
            if draw < 0.01:
                _break(row, BREAKS[i % len(BREAKS)])
            elif draw < 0.015 and i > 0:
                row = person(rng.randrange(i), companies, tag)
            writer.writerow(row)
    return path


def _break(row: list[str], what: str) -> None:
    if what == "email":
        row[4] = row[4].replace("@", " at ")
    elif what == "phone":
        row[5] = "12"
    elif what == "linkedin":
        row[6] = "https://www.linkedin.com/company/acme"
    elif what == "name":
        row[1] = ""
    else:
        row[4:7] = ["", "", ""]


def suppress_some(rows: int) -> int:
    """Put 0.2 % of the file's people on the suppression list, as objections would have."""
    companies = max(1, rows // 20)
    picked = range(3, rows, 500)
    Suppression.objects.bulk_create(
        [
            Suppression(
                kind="email",
                digest=blind_index("email", normalise_email(person(i, companies)[4])),
                origin="link",
            )
            for i in picked
        ],
        ignore_conflicts=True,
    )
    return len(picked)


def wipe_prospects() -> None:
    """Empty the prospect tables of the bench database, history included."""
    models = (Source.history.model, Source, Prospect.history.model, Prospect, Company.history.model, Company)
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    ImportJob.objects.all().delete()
