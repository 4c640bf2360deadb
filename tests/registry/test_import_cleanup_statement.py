"""The register's prospecting activity states the clean-up of import files (docs/rules.md §2.7):
in its declared purposes and security measures, in its live figures, and in a database seeded
before the declaration said so (migration 0007)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from prospects.import_cleanup import clear_abandoned_imports
from prospects.import_uploads import import_folder
from registry import art30
from registry.activities import IMPORT_CLEANUP_MEASURE, IMPORT_FILES, prospecting_security
from registry.fiche import SecurityMeasure
from registry.models import ProcessingActivity

pytestmark = pytest.mark.django_db

migration = importlib.import_module("registry.migrations.0007_import_cleanup_statement")


def _prospecting(language: str) -> dict:
    register = art30.build_register(language=language)
    return next(a for a in register["activities"] if a["code"] == "b2b_prospecting")


@pytest.mark.parametrize(
    ("language", "purpose", "measure"),
    [
        ("en", "the uploaded file and its staged rows are kept only for the import", "hourly clean-up"),
        ("fr", "ne sont gardés que pour l'import", "nettoyage horaire"),
    ],
)
def test_the_register_states_the_clean_up_in_both_languages(language, purpose, measure):
    activity = _prospecting(language)

    assert any(purpose in line for line in activity["purposes"])
    assert any(measure in line for line in activity["security"])


def test_the_figures_give_the_delay_and_what_the_last_clean_up_removed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "cleanup_hours": 12}
    folder = import_folder()
    folder.mkdir(parents=True)
    (folder / "orphan.csv").write_text("First name\nAda\n")
    later = timezone.now() + timedelta(hours=13)
    clear_abandoned_imports(now=later)

    figures = {f["key"]: f["value"] for f in _prospecting("en")["figures"]}

    assert figures["import_cleanup_hours"] == 12
    assert figures["last_import_cleanup"] == timezone.localdate(later).isoformat()
    assert figures["orphan_files_removed"] == 1 and figures["import_files_removed"] == 0


def test_a_database_seeded_before_gets_the_statement_once_with_its_history():
    record = ProcessingActivity.objects.get(code="b2b_prospecting")
    for language, start in (("en", "Import lists"), ("fr", "Importer")):
        lines = getattr(record, f"sub_purposes_{language}").splitlines()
        setattr(record, f"sub_purposes_{language}", "\n".join(x for x in lines if not x.startswith(start)))
    record.security = {**record.security, "other": dict(migration.OTHER_BEFORE)}
    record.save()
    before = record.history.count()

    migration.state_the_cleanup(apps, None)
    migration.state_the_cleanup(apps, None)

    record.refresh_from_db()
    assert record.sub_purposes_en.splitlines().count(migration.SUB_PURPOSE["en"]) == 1
    assert record.sub_purposes_fr.splitlines().count(migration.SUB_PURPOSE["fr"]) == 1
    assert record.security["other"] == migration.OTHER_AFTER
    assert record.history.count() == before + 1
    assert record.history.latest("history_date").history_change_reason == migration.REASON


def test_a_measure_the_dpo_edited_is_left_as_written():
    record = ProcessingActivity.objects.get(code="b2b_prospecting")
    written = {"en": "Our own words", "fr": "Nos propres mots"}
    record.security = {**record.security, "other": written}
    record.save()

    migration.state_the_cleanup(apps, None)

    record.refresh_from_db()
    assert record.security["other"] == written


def test_the_migration_writes_what_the_code_declares():
    other = dict(prospecting_security())[SecurityMeasure.OTHER]

    assert {"en": IMPORT_FILES.en, "fr": IMPORT_FILES.fr} == migration.SUB_PURPOSE
    assert {"en": other.en, "fr": other.fr} == migration.OTHER_AFTER
    assert IMPORT_CLEANUP_MEASURE.en in other.en
