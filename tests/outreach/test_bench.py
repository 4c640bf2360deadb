"""The campaign case of the bench: both timings, over outboxes that agree."""

import pytest

from bench import campaign
from outreach.models import Campaign
from prospects.models import Prospect

pytestmark = pytest.mark.django_db


def test_the_campaign_bench_returns_our_time_and_the_raw_sql_time():
    result = campaign.run(200)

    assert result.ours_seconds > 0
    assert result.raw_seconds > 0
    assert result.target == 1.5
    assert not Prospect.objects.exists()
    assert not Campaign.objects.exists()
