"""The register's prospecting activity names the mailbox Loyal reads and what it keeps of each
message (docs/rules.md §2.2, §2.3), in both languages, and in a database seeded before the
declaration said so (migration 0008)."""

import importlib

import pytest
from django.apps import apps

from registry import art30
from registry.activities import MAILBOX, MAILBOX_SOURCE
from registry.models import ProcessingActivity

pytestmark = pytest.mark.django_db

migration = importlib.import_module("registry.migrations.0008_mail2_mailbox_statement")


def _prospecting(language: str) -> dict:
    register = art30.build_register(language=language)
    return next(a for a in register["activities"] if a["code"] == "b2b_prospecting")


@pytest.mark.parametrize(
    ("language", "purpose", "kept", "matched"),
    [
        ("en", "Read the mailbox of replies", "the first 280 characters of their words", "blind index"),
        ("fr", "Lire la boîte aux lettres", "les 280 premiers caractères de ses mots", "index aveugle"),
    ],
)
def test_the_register_names_the_mailbox_and_what_it_keeps(language, purpose, kept, matched):
    activity = _prospecting(language)

    assert any(purpose in line for line in activity["purposes"])
    assert any(kept in line and matched in line for line in activity["sources"])


def test_a_database_seeded_before_gets_the_statement_once_with_its_history():
    record = ProcessingActivity.objects.get(code="b2b_prospecting")
    for field in ("sub_purposes", "sources"):
        for language in ("en", "fr"):
            name = f"{field}_{language}"
            lines = getattr(record, name).splitlines()
            setattr(record, name, "\n".join(x for x in lines if x != migration.ADDED[field][language]))
    record.save()
    before = record.history.count()

    migration.state_the_mailbox(apps, None)
    migration.state_the_mailbox(apps, None)

    record.refresh_from_db()
    for field in ("sub_purposes", "sources"):
        for language in ("en", "fr"):
            lines = getattr(record, f"{field}_{language}").splitlines()
            assert lines.count(migration.ADDED[field][language]) == 1
    assert record.history.count() == before + 1
    assert record.history.latest("history_date").history_change_reason == migration.REASON


def test_what_the_dpo_wrote_is_kept_beside_the_new_lines():
    record = ProcessingActivity.objects.get(code="b2b_prospecting")
    record.sources_en = "Our own words"
    record.save()

    migration.state_the_mailbox(apps, None)

    record.refresh_from_db()
    assert record.sources_en.splitlines() == ["Our own words", migration.SOURCE["en"]]


def test_the_migration_writes_what_the_code_declares():
    assert {"en": MAILBOX.en, "fr": MAILBOX.fr} == migration.SUB_PURPOSE
    assert {"en": MAILBOX_SOURCE.en, "fr": MAILBOX_SOURCE.fr} == migration.SOURCE
