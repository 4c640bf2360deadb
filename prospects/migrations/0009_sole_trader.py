"""Sole traders, and a phone line of unknown kind read as private (docs/rules.md §1.2).

A prospect with no e-mail address was classified as a named work contact; the rules say an
unknown phone line is private (calling a private person needs their consent, C. conso
L223-1). Prospects classified automatically (no justification recorded) with a phone and
no e-mail become private; one a person set by hand keeps its audience and its reason.
"""

from django.db import migrations, models


def phone_only_is_private(apps, schema_editor):
    Prospect = apps.get_model("prospects", "Prospect")
    Prospect.objects.filter(
        audience="b2b_nominative",
        audience_justification="",
        email_index__isnull=True,
        phone_index__isnull=False,
    ).update(audience="b2c")


class Migration(migrations.Migration):

    dependencies = [
        ("prospects", "0008_import_company_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalprospect",
            name="sole_trader",
            field=models.BooleanField(default=False, verbose_name="sole trader (entrepreneur individuel)"),
        ),
        migrations.AddField(
            model_name="prospect",
            name="sole_trader",
            field=models.BooleanField(default=False, verbose_name="sole trader (entrepreneur individuel)"),
        ),
        migrations.RunPython(phone_only_is_private, migrations.RunPython.noop),
    ]
