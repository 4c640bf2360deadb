"""An index on ``upper(name)`` of companies: an import matches each row's company through it.

Companies are matched case-insensitively: ``iexact`` in intake.py, which is
``UPPER(name) = UPPER(%s)`` on PostgreSQL, and ``upper(name) = upper(company)`` in the
import's SQL (import_staging.py). Without it, each batch of an import read every company.
"""

from django.db import migrations, models
from django.db.models.functions import Upper


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0007_search_trigram"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="company",
            index=models.Index(Upper("name"), name="company_name_upper"),
        ),
    ]
