"""The frequency cap: how many of our contacts a prospect left unanswered lately.

Repeated connection or contact requests are what the social-selling guidance forbids:
beyond ``LOYAL_FREQUENCY_CAP["max_unanswered"]`` outbound contacts in the last
``days`` days with no voluntary contact from the person since, the gate refuses with
``REF_FREQUENCY_CAP``, whatever the channel. One prospect at a time (``is_capped``)
or as a SQL expression over prospects (``capped_expression``): the same filter.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Expression, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from prospects.models import Direction, Interaction, Prospect

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def limits() -> tuple[int, timedelta]:
    cap = settings.LOYAL_FREQUENCY_CAP
    return int(cap["max_unanswered"]), timedelta(days=int(cap["days"]))


def _unanswered(*, now: datetime, last_reply) -> Q:
    """Our contacts within the window made after the person's last voluntary contact."""
    _max, window = limits()
    return Q(direction=Direction.OUTBOUND, occurred_at__gte=now - window, occurred_at__lte=now) & Q(
        occurred_at__gt=last_reply
    )


def is_capped(prospect: Prospect, *, now: datetime) -> bool:
    maximum, _window = limits()
    last_reply = prospect.last_prospect_contact_at or EPOCH
    count = Interaction.objects.filter(_unanswered(now=now, last_reply=last_reply), prospect=prospect).count()
    return count >= maximum


def unanswered_expression(*, now: datetime) -> Expression:
    """Per prospect row: the number of unanswered outbound contacts in the window."""
    last_reply = Coalesce(OuterRef("last_prospect_contact_at"), Value(EPOCH))
    counted = (
        Interaction.objects.filter(_unanswered(now=now, last_reply=last_reply), prospect=OuterRef("pk"))
        .order_by()
        .values("prospect")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def capped_condition(count_alias: str) -> Q:
    """The condition on a queryset annotated with ``count_alias=unanswered_expression(...)``."""
    maximum, _window = limits()
    return Q(**{f"{count_alias}__gte": maximum})
