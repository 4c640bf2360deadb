"""Objections waiting for their broker before the Art. 19 queue existed are not lost (GDPR 19)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consent.brokers import pending_by_broker
from consent.models import Objection, Route
from prospects.models import Propagation, Recipient
from tests import factories

BEFORE = [("consent", "0002_declared_purposes"), ("prospects", "0010_sole_trader_db_default")]


def migrate(targets=None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()


@pytest.mark.django_db(transaction=True)
def test_an_objection_still_waiting_for_its_broker_joins_the_queue(rep):
    person = factories.prospect(by=rep, email="paul.morel@industrie.fr", source_type="broker")
    migrate(BEFORE)
    waiting = {"broker": "ListCo", "broker_contract_ref": "C-2026-12", "broker_list_id": "L-77"}
    Objection.objects.create(prospect=person, channel="email", received_via=Route.LETTER, **waiting)
    Objection.objects.create(prospect=person, channel="sms", received_via=Route.BROKER)

    migrate()

    entry = Propagation.objects.get()
    assert (entry.prospect_id, entry.channel, entry.broker_list_id) == (person.pk, "email", "L-77")
    assert entry.email_digest == person.email_index
    assert set(entry.recipients.values_list("kind", "status")) == {
        (Recipient.Kind.BROKER, Recipient.Status.PENDING),
        (Recipient.Kind.OTHER_SYSTEMS, Recipient.Status.PENDING),
    }
    assert list(pending_by_broker()) == [{"broker": "ListCo", "pending": 1}]
