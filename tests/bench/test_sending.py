"""The sending case of the bench: both timings, every message delivered once, nothing left behind."""

import re

import pytest

from bench import database, sending
from outreach.models import Campaign, Message
from prospects.models import Prospect

pytestmark = pytest.mark.slow

LINE = re.compile(
    r"^# sending: messages=40 processes=[12] ours=\d+/s raw=\d+/s queries_per_message=(\d+\.\d\d) "
    r"target>=500/s queries<=2$",
    re.MULTILINE,
)


@pytest.mark.django_db(transaction=True)
def test_the_sending_bench_times_both_sides_and_counts_the_queries(capsys):
    with database.throwaway():
        result = sending.run(40)
        leftovers = (Prospect.objects.exists(), Campaign.objects.exists(), Message.objects.exists())

    assert result.ours_seconds > 0 and result.raw_seconds > 0
    assert result.target == 3
    assert leftovers == (False, False, False)
    [per_message] = LINE.findall(capsys.readouterr().out)
    assert float(per_message) <= 2
