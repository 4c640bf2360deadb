"""The facts about earlier calls that C. conso D223-9 limits (docs/rules.md §1.4, B2C phone).

A consumer may be called at most 4 times, attempts included, within 30 days, and not for
60 days after refusing the offer during a call. The calls counted are the outbound call
interactions (a call made, a voicemail left, a call that ended in a refusal). Each fact
has its one-prospect form (``calls_in_window``, ``refused_recently``: the contactability
page, the send-time re-check) and its SQL form over the chunk of a campaign's recipients
(``over_call_limit``, ``refused_within``: decisions.py), side by side; the test comparing
the bulk and single decisions covers both.
"""

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from outreach.policy import B2C_CALL_REFUSAL_WAIT, B2C_CALL_WINDOW, MAX_B2C_CALLS_PER_30_DAYS
from prospects.models import Interaction, InteractionType, Prospect

CALL_TYPES = (InteractionType.CALL_OUTBOUND, InteractionType.VOICEMAIL_LEFT, InteractionType.CALL_REFUSED)


def _calls(*, now: datetime) -> Q:
    return Q(type__in=CALL_TYPES, occurred_at__gt=now - B2C_CALL_WINDOW, occurred_at__lte=now)


def _refusals(*, now: datetime) -> Q:
    return Q(
        type=InteractionType.CALL_REFUSED, occurred_at__gt=now - B2C_CALL_REFUSAL_WAIT, occurred_at__lte=now
    )


def calls_in_window(prospect: Prospect, *, now: datetime) -> int:
    return Interaction.objects.filter(_calls(now=now), prospect=prospect).count()


def refused_recently(prospect: Prospect, *, now: datetime) -> bool:
    return Interaction.objects.filter(_refusals(now=now), prospect=prospect).exists()


def over_call_limit(within: Q, *, now: datetime) -> QuerySet:
    """Ids of the prospects (``within``) already called the maximum number of times."""
    return (
        Interaction.objects.filter(within, _calls(now=now))
        .order_by()
        .values("prospect_id")
        .annotate(gate_calls=Count("id"))
        .filter(gate_calls__gte=MAX_B2C_CALLS_PER_30_DAYS)
        .values("prospect_id")
    )


def refused_within(within: Q, *, now: datetime) -> QuerySet:
    """Ids of the prospects (``within``) who refused during a call less than 60 days ago."""
    return Interaction.objects.filter(within, _refusals(now=now)).order_by().values("prospect_id").distinct()
