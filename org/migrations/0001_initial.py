"""The ground floor's models move here from the project shell, rows and all.

The tables existed under ``crm_*``: the model state is created over them as they are,
then each table and index is renamed. Content types follow, so that the roles'
permissions on these models carry over. Nothing is copied or recreated.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MODELS = ("Team", "CodeOfConduct", "Profile", "AccessLog", "ConductAcknowledgement", "Organisation")


def move_content_types(apps, schema_editor, *, source="crm", target="org"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    names = [name.lower() for name in MODELS]
    taken = ContentType.objects.filter(app_label=target, model__in=names).values_list("model", flat=True)
    ContentType.objects.filter(app_label=source, model__in=names).exclude(model__in=list(taken)).update(
        app_label=target
    )


def restore_content_types(apps, schema_editor):
    move_content_types(apps, schema_editor, source="org", target="crm")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('crm', '0004_organisation_access_log'),
        # Every migration that refers to the crm_* tables by name runs before they are renamed.
        ('prospects', '0005_import_heartbeat'),
        ('outreach', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Team',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                ],
                options={
                    'db_table': 'crm_team',
                    'verbose_name': 'team',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='CodeOfConduct',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('version', models.PositiveIntegerField(unique=True, verbose_name='version')),
                    ('text_en', models.TextField(verbose_name='text (English)')),
                    ('text_fr', models.TextField(verbose_name='text (French)')),
                    ('published_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='published at')),
                    ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'crm_codeofconduct',
                    'verbose_name': 'code of conduct',
                    'ordering': ['-version'],
                },
            ),
            migrations.CreateModel(
                name='Profile',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='profile', to=settings.AUTH_USER_MODEL)),
                    ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='members', to='org.team')),
                ],
                options={
                    'db_table': 'crm_profile',
                    'verbose_name': 'profile',
                },
            ),
            migrations.CreateModel(
                name='AccessLog',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('action', models.CharField(choices=[('view', 'Prospect page viewed'), ('api_read', 'Prospect read through the API'), ('export', 'Prospect exported'), ('subject_access', 'Subject-access export (GDPR art. 15)')], max_length=20, verbose_name='action')),
                    ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when')),
                    ('prospect', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='access_log', to='prospects.prospect', verbose_name='prospect')),
                    ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ],
                options={
                    'db_table': 'crm_accesslog',
                    'verbose_name': 'access log entry',
                    'verbose_name_plural': 'access log',
                    'ordering': ['-at', '-id'],
                    'indexes': [models.Index(fields=['prospect', '-at'], name='crm_accessl_prospec_2dcbcc_idx'), models.Index(fields=['-at', '-id'], name='crm_accessl_at_ac3521_idx')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('action__in', ['view', 'api_read', 'export', 'subject_access'])), name='access_action_known')],
                },
            ),
            migrations.CreateModel(
                name='ConductAcknowledgement',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('acknowledged_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='acknowledged at')),
                    ('conduct', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='acknowledgements', to='org.codeofconduct')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'crm_conductacknowledgement',
                    'verbose_name': 'code of conduct acknowledgement',
                    'constraints': [models.UniqueConstraint(fields=('user', 'conduct'), name='one_ack_per_user_and_version')],
                },
            ),
            migrations.CreateModel(
                name='Organisation',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=200, verbose_name='controller (legal name)')),
                    ('address', models.TextField(verbose_name='address')),
                    ('email', models.EmailField(max_length=254, verbose_name='privacy contact email')),
                    ('legal_representative', models.CharField(max_length=200, verbose_name='legal representative')),
                    ('eu_representative', models.CharField(blank=True, help_text='Empty: not needed.', max_length=300, verbose_name='representative in the EU (Art. 27)')),
                    ('dpo_name', models.CharField(max_length=200, verbose_name='data protection officer')),
                    ('dpo_email', models.EmailField(max_length=254, verbose_name='DPO email')),
                    ('dpo_address', models.TextField(blank=True, verbose_name='DPO postal address')),
                    ('hosting', models.CharField(max_length=300, verbose_name='hosting provider (processor)')),
                    ('emailing', models.CharField(max_length=300, verbose_name='emailing provider (processor)')),
                    ('transfers', models.TextField(help_text='Recipient, country, safeguard (adequacy decision, SCCs) and where its documentation is.', verbose_name='transfers outside the EU')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'crm_organisation',
                    'verbose_name': 'organisation',
                    'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='one_organisation')],
                },
            ),
            ],
        ),
        *(migrations.AlterModelTable(name=name.lower(), table=None) for name in MODELS),
        migrations.RenameIndex('accesslog', new_name='org_accessl_prospec_de3ea8_idx', old_name='crm_accessl_prospec_2dcbcc_idx'),
        migrations.RenameIndex('accesslog', new_name='org_accessl_at_a87f20_idx', old_name='crm_accessl_at_ac3521_idx'),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
