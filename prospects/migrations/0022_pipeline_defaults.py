from django.db import migrations

# The default pipeline; the admin renames, reorders and adds stages on the pipeline page.
DEFAULT_STAGES = (
    ("new", "open"),
    ("contacted", "open"),
    ("in conversation", "open"),
    ("meeting", "open"),
    ("proposal", "open"),
    ("won", "won"),
    ("lost", "lost"),
)


def seed(apps, schema_editor):
    Stage = apps.get_model("prospects", "Stage")
    if Stage.objects.exists():
        return
    Stage.objects.bulk_create(
        Stage(name=name, position=position, outcome=outcome)
        for position, (name, outcome) in enumerate(DEFAULT_STAGES)
    )


class Migration(migrations.Migration):
    dependencies = [("prospects", "0021_pipeline")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
