"""Name and company search through trigram indexes; each team's list through its own index.

Searching "contains" with ``icontains`` is ``UPPER(column) LIKE UPPER('%term%')`` on
PostgreSQL, which no b-tree index serves: at a million prospects every search scanned the
table. A GIN index of the trigrams of ``UPPER(column)`` (the ``pg_trgm`` extension) answers
those LIKEs, a miss included, from the index. SQLite has no such index and keeps scanning.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = {
    "prospect_first_name_trgm": ("prospects_prospect", "first_name"),
    "prospect_last_name_trgm": ("prospects_prospect", "last_name"),
    "company_name_trgm": ("prospects_company", "name"),
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0001_initial"),
        ("prospects", "0006_team_in_org"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
        migrations.AddIndex(
            model_name="prospect",
            index=models.Index(fields=["team", "-created_at", "-id"], name="prospect_team_keyset"),
        ),
    ]
