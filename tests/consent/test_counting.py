"""Which consent events count, in its two forms: ``Consent.counts`` and ``counting()`` in SQL.

The gate's state reads the SQL form; the API shows the Python one on each event.
"""

import itertools

from django.utils import timezone

from consent.models import Action, Confirmation, Consent, Method, Route
from tests import factories

BROKERS = ["", "ListCo"]
NAMED = [False, True]


def test_each_event_counts_in_python_exactly_when_it_counts_in_sql(rep):
    person = factories.prospect(by=rep, email="anne.martin@acme.fr")
    grants = itertools.product([Method.SIGNED_FORM, Method.DOUBLE_OPT_IN], [False, True], BROKERS, NAMED)
    # A withdrawal has no method: it is recorded with the route it came by.
    withdrawals = itertools.product([""], [False, True], BROKERS, NAMED)
    cases = [(Action.GRANT, *case) for case in grants] + [(Action.WITHDRAW, *case) for case in withdrawals]
    for action, method, confirmed, broker, named in cases:
        event = factories.consent(person, by=rep)
        Consent.objects.filter(pk=event.pk).update(
            action=action,
            method=method,
            received_via=Route.REPLY if action == Action.WITHDRAW else "",
            broker=broker,
            broker_named_us=named,
        )
        if confirmed:
            Confirmation.objects.create(consent=event, confirmed_at=timezone.now(), user_agent="test")

    in_sql = set(Consent.objects.counting().values_list("pk", flat=True))
    in_python = {c.pk for c in Consent.objects.select_related("confirmation") if c.counts}

    assert in_sql == in_python
    assert 0 < len(in_python) < len(cases)


def test_a_pending_double_opt_in_and_an_unnamed_brokers_grant_do_not_count(rep):
    person = factories.prospect(by=rep, email="anne.martin@acme.fr")
    pending, unnamed, withdrawal = (factories.consent(person, by=rep) for _ in range(3))
    Consent.objects.filter(pk=pending.pk).update(method=Method.DOUBLE_OPT_IN)
    Consent.objects.filter(pk__in=[unnamed.pk, withdrawal.pk]).update(broker="ListCo", broker_named_us=False)
    Consent.objects.filter(pk=withdrawal.pk).update(
        action=Action.WITHDRAW, method="", received_via=Route.REPLY
    )

    counts = {c.pk: c.counts for c in Consent.objects.select_related("confirmation")}

    assert counts == {pending.pk: False, unnamed.pk: False, withdrawal.pk: True}
