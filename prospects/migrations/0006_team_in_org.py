"""Team moved to the ground-floor app: the foreign key already points at its renamed table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        ('prospects', '0005_import_heartbeat'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalprospect',
                    name='team',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.team', verbose_name='team'),
                ),
                migrations.AlterField(
                    model_name='prospect',
                    name='team',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='prospects', to='org.team', verbose_name='team'),
                ),
            ],
        ),
    ]
