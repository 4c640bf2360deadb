from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests import factories


@pytest.fixture
def met_last_spring(rep):
    """A prospect collected 200 days ago: its deadline is three years after that day."""
    collected = timezone.now() - timedelta(days=200)
    evidence = {**factories.EVIDENCE["business_card"], "date": timezone.localdate(collected).isoformat()}
    with time_machine.travel(collected, tick=False):
        return factories.prospect(by=rep, evidence=evidence)
