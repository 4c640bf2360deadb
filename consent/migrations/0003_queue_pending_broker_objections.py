"""Objections still waiting for their broker before the Art. 19 queue existed join the queue.

The broker export now reads the propagation queue (GDPR 19; docs/rules.md §2.3), so an
objection recorded earlier and not yet forwarded would otherwise never reach the broker.
Such objections are few (a broker's file is sent regularly): one row at a time is enough.
"""

from django.db import migrations


def queue_pending(apps, schema_editor):
    Objection = apps.get_model("consent", "Objection")
    Propagation = apps.get_model("prospects", "Propagation")
    Recipient = apps.get_model("prospects", "Recipient")
    pending = (
        Objection.objects.exclude(broker="")
        .filter(forwarded_in__isnull=True, prospect__isnull=False)
        .select_related("prospect")
        .order_by("received_at", "pk")
    )
    for objection in pending.iterator():
        person = objection.prospect
        entry = Propagation.objects.create(
            prospect=person,
            event="objection",
            channel=objection.channel,
            occurred_at=objection.received_at,
            email_digest=person.email_index or "",
            phone_digest=person.phone_index or "",
            linkedin_digest=person.linkedin_index or "",
            broker=objection.broker,
            broker_contract_ref=objection.broker_contract_ref,
            broker_list_id=objection.broker_list_id,
        )
        Recipient.objects.bulk_create(
            [
                Recipient(propagation=entry, kind="broker", status="pending"),
                Recipient(propagation=entry, kind="other_systems", status="pending"),
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_declared_purposes"),
        ("prospects", "0011_propagation"),
    ]

    operations = [migrations.RunPython(queue_pending, migrations.RunPython.noop)]
