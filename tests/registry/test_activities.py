"""The declared register: every Art. 30(1) field filled, retention from the purge's constants."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prospects import retention
from registry import art30
from registry.activities import activities

ARTICLE_FIELDS = [field.key for field in art30.FIELDS if field.article]
CNIL_FIELDS = ["created_on", "updated_on", "software", "sensitive_data", "legal_basis", "sources", "dpia"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_activity_fills_every_art30_field_and_the_cnil_extras(language):
    register = art30.build_register(language=language)

    assert [a["code"] for a in register["activities"]] == [a.code for a in activities()]
    for activity in register["activities"]:
        for key in ARTICLE_FIELDS + CNIL_FIELDS:
            value = activity[key]
            assert value, f"{activity['code']}.{key} is empty"
            if isinstance(value, list):
                assert all(item.strip() for item in value), f"{activity['code']}.{key} has an empty item"


def test_the_art30_letters_a_to_g_are_all_covered():
    letters = {field.article for field in art30.FIELDS if field.article}

    assert letters == set("abcdefg")


@pytest.mark.django_db
def test_the_controller_and_dpo_come_from_the_organisation_settings(settings):
    settings.LOYAL_CONTROLLER = {
        **settings.LOYAL_CONTROLLER,
        "name": "Acme Prospection SAS",
        "dpo_name": "Ada DPO",
    }

    register = art30.build_register(language="en")

    assert register["controller"]["name"] == "Acme Prospection SAS"
    assert all(
        "Acme Prospection SAS" in a["controller"] and "Ada DPO" in a["controller"]
        for a in register["activities"]
    )


def _retention_lines(register: dict, code: str) -> list[str]:
    return next(a for a in register["activities"] if a["code"] == code)["retention"]


@pytest.mark.django_db
def test_retention_in_the_register_and_in_the_purge_move_together_with_the_setting(settings):
    collected = timezone.now() - timedelta(days=10)
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "prospect_years": 3, "access_log_months": 12}
    before_deadline = retention.deadline(collected_at=collected, last_prospect_contact_at=None)
    before = art30.build_register(language="en", live=False)

    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "prospect_years": 2, "access_log_months": 6}
    after_deadline = retention.deadline(collected_at=collected, last_prospect_contact_at=None)
    after = art30.build_register(language="en", live=False)

    assert before_deadline.year - after_deadline.year == 1
    assert _retention_lines(before, "b2b_prospecting")[0].startswith(
        "Prospect record, interactions and notes: 3 years"
    )
    assert _retention_lines(after, "b2b_prospecting")[0].startswith(
        "Prospect record, interactions and notes: 2 years"
    )
    assert _retention_lines(after, "crm_users")[0].startswith("Access log: 6 months")
    assert after["version"] == before["version"] + 1


def test_each_activity_declares_the_purges_constants(settings):
    settings.LOYAL_RETENTION = {
        **settings.LOYAL_RETENTION,
        "prospect_years": 4,
        "customer_years": 5,
        "suppression_years": 6,
    }

    by_code = {activity.code: activity for activity in activities()}

    prospecting = by_code["b2b_prospecting"].retention
    assert (
        (prospecting[0].years, prospecting[1].years)
        == (retention.prospect_years(), retention.customer_years())
        == (4, 5)
    )
    assert by_code["suppression_list"].retention[0].years == 6


@pytest.mark.django_db
def test_french_register_is_in_french():
    register = art30.build_register(language="fr")

    assert register["title"] == "Registre des activités de traitement"
    assert register["activities"][0]["name"] == "Prospection commerciale B2B (social selling)"
    assert "3 ans" in register["activities"][0]["retention"][0]
