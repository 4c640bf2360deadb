"""Seed one stored record per activity the code declares, so that an existing database keeps its register.

The records are written with the models of this migration's state, from the pure
``registry.records.seed_fields``; a field the state lacks is left out, so that a later
change of the declarations cannot break this step. Each record and rule gets its first
history row, so that the history says where the record came from. Facts only the
organisation can attest stay empty: the DPO enters them (GDPR 5(2), 30).
"""

from django.db import migrations
from django.utils import timezone

SEEDED = "seeded from the code's declarations"


def _only(model, values: dict) -> dict:
    names = {field.name for field in model._meta.concrete_fields} | {
        field.attname for field in model._meta.concrete_fields
    }
    return {name: value for name, value in values.items() if name in names}


def _history(historical, row, *, at) -> None:
    fields = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
    historical.objects.create(
        **_only(historical, fields),
        history_date=at,
        history_type="+",
        history_change_reason=SEEDED,
        history_user=None,
    )


def seed(apps, schema_editor):
    from registry.activities import activities
    from registry.records import retention_seed_fields, seed_fields

    activity_model = apps.get_model("registry", "ProcessingActivity")
    rule_model = apps.get_model("registry", "RetentionRule")
    activity_history = apps.get_model("registry", "HistoricalProcessingActivity")
    rule_history = apps.get_model("registry", "HistoricalRetentionRule")
    now = timezone.now()
    known = set(activity_model.objects.values_list("code", flat=True))
    for position, declared in enumerate(activities()):
        if declared.code in known:
            continue
        record = activity_model.objects.create(**_only(activity_model, seed_fields(declared, position=position)))
        _history(activity_history, record, at=now)
        for number, rule in enumerate(declared.retention):
            fields = retention_seed_fields(rule, position=number)
            row = rule_model.objects.create(activity=record, **_only(rule_model, fields))
            _history(rule_history, row, at=now)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_processing_activities")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
