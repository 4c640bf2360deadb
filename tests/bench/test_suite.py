"""The benchmark suite prints every case, in the agreed format, without touching the base."""

import os
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from prospects.models import Prospect
from tests import factories

pytestmark = pytest.mark.slow

CASES = ["import", "list_page", "api_list", "purge", "campaign", "sending", "subject_access", "register"]
TIMED = re.compile(r"^\w+: ours=\d+\.\d{5} raw=\d+\.\d{5} ratio=(\d+\.\d{2}|inf) target<=\d+(\.\d+)?$")
SKIPPED = re.compile(r"^\w+: skipped \(not built yet\)$")
PEAK = re.compile(r"^import_peak_rss: ours=\d+\.\d target<=200$")


@pytest.mark.django_db(transaction=True)
def test_prints_one_line_per_case_in_the_agreed_format():
    out = StringIO()

    call_command("bench", rows=300, stdout=out)

    lines = [line for line in out.getvalue().splitlines() if not line.startswith("#")]
    assert [line.split(":")[0] for line in lines] == [*CASES, "import_peak_rss"]
    for line in lines[:-1]:
        assert TIMED.match(line) or SKIPPED.match(line), line
    assert PEAK.match(lines[-1]), lines[-1]
    assert TIMED.match(lines[0]), "the import case is this suite's own: it must run"


@pytest.mark.django_db(transaction=True)
def test_runs_in_a_throwaway_database_and_leaves_the_configured_one_alone(rep):
    factories.prospect(by=rep)
    name = settings.DATABASES["default"]["NAME"]

    call_command("bench", rows=50, stdout=StringIO())

    assert Prospect.objects.count() == 1
    assert settings.DATABASES["default"]["NAME"] == connection.settings_dict["NAME"] == name
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", [f"{name}_bench_{os.getpid()}"]
            )
            assert cursor.fetchone()[0] == 0
