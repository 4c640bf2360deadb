"""A message carries the token of the worker sending it, until its sending is fully recorded."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0002_team_in_org'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='claim',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='claimed by'),
        ),
        migrations.AddField(
            model_name='message',
            name='claimed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='claimed at'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(('claim__isnull', False)), fields=['claim'], name='message_claimed'),
        ),
    ]
