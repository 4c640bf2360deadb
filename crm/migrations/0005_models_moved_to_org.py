"""The project shell's models now live in the ground-floor app ``org`` (org 0001 renamed their
tables): the shell forgets them, touching no table."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0004_organisation_access_log'),
        ('org', '0001_initial'),
        ('outreach', '0002_team_in_org'),
        ('prospects', '0006_team_in_org'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='ConductAcknowledgement'),
                migrations.DeleteModel(name='CodeOfConduct'),
                migrations.DeleteModel(name='AccessLog'),
                migrations.DeleteModel(name='Organisation'),
                migrations.DeleteModel(name='Profile'),
                migrations.DeleteModel(name='Team'),
            ],
        ),
    ]
