"""The purposes declared in the Art. 30 register; each code is its processing activity's code."""

from django.db import migrations

PURPOSES = [
    ("b2b_prospecting", "B2B prospecting", "Prospection B2B"),
    ("newsletter", "Newsletter", "Lettre d'information"),
    ("events", "Invitations to events", "Invitations aux événements"),
]


def declare(apps, schema_editor):
    Purpose = apps.get_model("consent", "Purpose")
    for code, label_en, label_fr in PURPOSES:
        Purpose.objects.update_or_create(code=code, defaults={"label_en": label_en, "label_fr": label_fr})


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(declare, migrations.RunPython.noop)]
