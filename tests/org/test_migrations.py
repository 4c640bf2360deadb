"""The ground floor's models moved from the project shell (crm) to ``org`` without losing a row."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from crm import demo
from org import conduct
from org.access import record_access
from org.models import AccessAction, AccessLog, CodeOfConduct, Organisation, Processor, Profile, Team
from prospects.models import Prospect

MOVED = ("team", "profile", "codeofconduct", "conductacknowledgement", "organisation", "accesslog")


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()


def rows_of(tables: dict[str, list[str]], *, renamed: dict[str, str]) -> dict[str, list[tuple]]:
    """Every row of ``tables`` over the given columns, read from the table's name now."""
    quote = connection.ops.quote_name
    snapshot = {}
    with connection.cursor() as cursor:
        for table, columns in tables.items():
            cursor.execute(
                f"SELECT {', '.join(map(quote, columns))} FROM {quote(renamed.get(table, table))}"  # noqa: S608
            )
            snapshot[table] = sorted(cursor.fetchall(), key=repr)
    return snapshot


def columns_of_every_table() -> dict[str, list[str]]:
    describe = connection.introspection.get_table_description
    with connection.cursor() as cursor:
        return {
            table: sorted(column.name for column in describe(cursor, table))
            for table in connection.introspection.table_names(cursor)
        }


@pytest.mark.django_db(transaction=True)
def test_a_database_filled_before_the_move_keeps_every_row_after_it():
    demo.seed()
    rep = get_user_model().objects.get(username="rep")
    conduct.acknowledge(rep, conduct=CodeOfConduct.objects.current())
    record_access(rep, Prospect.objects.values_list("pk", flat=True), action=AccessAction.VIEW)
    Organisation.objects.current().save()
    team_count, profile_count = Team.objects.count(), Profile.objects.count()
    latest = columns_of_every_table()
    migrate([("org", None)])  # back to the schema of before the move: the crm_* tables
    # The migration history grows, and the moved models' content types change app by design.
    old_schema = columns_of_every_table()
    types = old_schema.pop("django_content_type")
    del old_schema["django_migrations"]
    assert {f"crm_{name}" for name in MOVED} <= set(old_schema)
    assert not {f"org_{name}" for name in MOVED} & set(old_schema)
    # Columns a later migration drops are compared elsewhere (org 0005: processors as rows).
    renamed = {f"crm_{name}": f"org_{name}" for name in MOVED}
    old_schema = {
        table: [column for column in columns if column in latest.get(renamed.get(table, table), columns)]
        for table, columns in old_schema.items()
    }
    before = rows_of(old_schema, renamed={})
    types_before = rows_of({"django_content_type": types}, renamed={})["django_content_type"]

    migrate(None)

    after = rows_of(old_schema, renamed=renamed)
    assert after == before
    # The processors went back to the former text fields and came again as rows, country unknown.
    assert sorted(Processor.objects.values_list("role", "name", "country")) == [
        ("emailing", "Demo Mail SAS", ""),
        ("hosting", "Demo Hosting SAS", ""),
    ]
    moved = {("crm", pk, model): ("org", pk, model) for _app, pk, model in types_before if model in MOVED}
    relabelled = {moved.get(row, row) for row in types_before}  # rows are (app_label, id, model)
    assert set(rows_of({"django_content_type": types}, renamed={})["django_content_type"]) == relabelled
    assert sum(map(len, before.values())) > 0
    assert all(before[f"crm_{name}"] for name in MOVED), "every moved table had rows"
    assert len(before["crm_team"]) == team_count
    assert len(before["crm_profile"]) == profile_count
    assert Team.objects.count() == team_count


@pytest.mark.django_db(transaction=True)
def test_the_roles_keep_their_permissions_on_the_moved_models():
    sales = Group.objects.get(name="sales")
    before = set(sales.permissions.values_list("content_type__model", "codename"))
    migrate([("org", None)])
    migrate(None)

    after = set(
        Group.objects.get(name="sales").permissions.values_list("content_type__app_label", "codename")
    )

    assert ("codeofconduct", "view_codeofconduct") in before
    assert ("org", "view_codeofconduct") in after
    assert CodeOfConduct.objects.current().version == 1
    assert not AccessLog.objects.exists()
