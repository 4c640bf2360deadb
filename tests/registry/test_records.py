"""The register's activities as stored records: seeded from the code, edited by the DPO, signed off
only once the facts the organisation attests are entered (GDPR 5(2), 30, 35; docs/rules.md §3)."""

import csv
import importlib
import io
import json

import pytest
from django.apps import apps
from django.contrib.messages import get_messages

from registry import art30, records
from registry.activities import activities
from registry.exports import export_register
from registry.models import ProcessingActivity, RegisterVersion, RetentionRule
from tests import factories
from tests.registry.conftest import page_data

pytestmark = pytest.mark.django_db

LIA = {
    "b2b_prospecting": "LIA-B2B-2026-01 (DPO's files)",
    "campaigns": "LIA-B2B-2026-01 (DPO's files)",
    "suppression_list": "LIA-OPP-2026-02",
    "crm_users": "LIA-SEC-2026-03",
}
DPIA = {code: f"DPIA-SCREEN-{code}" for code in (*LIA, "subject_requests")}
CONTRACTS = "Hosting: DPA EuroHost 2026-03 (audit clause 12); Emailing: DPA EuroMail 2026-04 (audit clause 9)"


def sign_off_through_the_page(client) -> list[str]:
    number = art30.build_register(language="en")["version"]
    response = client.post(f"/registry/versions/{number}/sign/", {"confirm": "yes"})
    assert response.status_code == 302
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_each_declared_activity_is_stored_with_no_fact_only_the_organisation_can_attest():
    stored = {record.code: record for record in records.stored()}

    assert list(stored) == [activity.code for activity in activities()]
    for record in stored.values():
        assert (record.lia_reference, record.dpia_status, record.dpia_reference) == ("", "", "")
        assert (record.backup_measures, record.processor_contracts) == ("", "")
        assert record.history.get().history_change_reason == "seeded from the code's declarations"
    prospecting = next(a for a in art30.declared("en")["activities"] if a["code"] == "b2b_prospecting")
    assert prospecting["lia"] == "Not documented yet: to be entered by the DPO"
    assert "Backups: Not documented yet: to be entered by the DPO" in prospecting["security"]
    assert "restore tested" not in json.dumps(art30.content())


def test_the_seed_migration_adds_a_missing_record_and_leaves_the_stored_ones(dpo):
    seed = importlib.import_module("registry.migrations.0003_seed_activities").seed
    records.update_activity(
        ProcessingActivity.objects.get(code="campaigns"), values={"lia_reference": "X"}, by=dpo
    )
    gone = ProcessingActivity.objects.get(code="crm_users")
    for rule in gone.retention.all():
        rule.delete()
    gone.delete()

    seed(apps, None)

    assert ProcessingActivity.objects.count() == len(activities())
    assert ProcessingActivity.objects.get(code="campaigns").lia_reference == "X"
    assert RetentionRule.objects.filter(activity__code="crm_users").count() == 1


def test_sign_off_is_refused_while_an_activity_lacks_its_lia_or_dpia_and_the_message_lists_them(client, dpo):
    factories.log_in(client, dpo)

    refused = sign_off_through_the_page(client)

    assert RegisterVersion.objects.filter(signed_at__isnull=False).count() == 0
    (message,) = refused
    assert message.startswith("The register cannot be signed off")
    for code in LIA:
        name = ProcessingActivity.objects.get(code=code).name_en
        assert f"{name}: LIA reference (legitimate interest, art. 6(1)(f))" in message
    for code in DPIA:
        name = ProcessingActivity.objects.get(code=code).name_en
        section = message.split(f"{name}: ")[1].split(";")[0]
        assert "DPIA status (art. 35)" in section and "DPIA or screening reference (art. 35)" in section
    requests_section = message.split("Data-subject requests: ")[1]
    assert "LIA reference" not in requests_section  # a legal obligation needs no LIA
    page = client.get("/registry/").content.decode()
    assert 'id="missing-facts"' in page and "/registry/activities/b2b_prospecting/" in page


def test_once_the_dpo_enters_them_on_the_pages_sign_off_works_and_the_exports_show_them(client, dpo):
    factories.log_in(client, dpo)

    for record in records.stored():
        facts = {
            "dpia_status": "not_required",
            "dpia_reference": DPIA[record.code],
            "processor_contracts": CONTRACTS,
        }
        if record.code in LIA:
            facts["lia_reference"] = LIA[record.code]
        response = client.post(f"/registry/activities/{record.code}/", page_data(record, **facts))
        assert response.status_code == 302, response.content.decode()
    signed = sign_off_through_the_page(client)

    number = RegisterVersion.objects.get(signed_at__isnull=False).number
    assert signed[-1] == f"Version {number} of the register is signed off."
    register = json.loads(export_register("json", language="en").content)
    by_code = {activity["code"]: activity for activity in register["activities"]}
    assert register["signed_off_at"] is not None
    for code, reference in LIA.items():
        assert by_code[code]["lia"] == reference
    for code, reference in DPIA.items():
        assert by_code[code]["dpia"].startswith(f"Screened: no DPIA required. Reference: {reference}.")
    assert f"Control of processors: {CONTRACTS}" in by_code["b2b_prospecting"]["security"]
    french = export_register("csv", language="fr").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(french), delimiter=";"))
    assert rows[0]["Analyse de l'intérêt légitime"] == LIA["b2b_prospecting"]
    assert "Référence : DPIA-SCREEN-b2b_prospecting" in rows[0]["Analyse d'impact (AIPD)"]
    printable = export_register("html", language="en").content.decode()
    assert "LIA-SEC-2026-03" in printable and "DPIA-SCREEN-subject_requests" in printable


def test_an_edit_is_kept_with_who_and_when_and_makes_a_new_version(client, dpo):
    record = ProcessingActivity.objects.get(code="b2b_prospecting")
    before = art30.build_register(language="en")["version"]
    factories.log_in(client, dpo)

    client.post(
        f"/registry/activities/{record.code}/",
        page_data(record, backup_measures="Daily, encrypted; restore tested 2026-11-02 (OPS-12)"),
    )

    latest = record.history.order_by("-history_date").first()
    assert latest.history_user == dpo
    page = client.get(f"/registry/activities/{record.code}/").content.decode()
    assert "backups and restore tests" in page.split('id="activity-history"')[1]
    register = art30.build_register(language="en")
    assert register["version"] == before + 1
    prospecting = next(a for a in register["activities"] if a["code"] == "b2b_prospecting")
    assert "Backups: Daily, encrypted; restore tested 2026-11-02 (OPS-12)" in prospecting["security"]


def test_saving_the_page_unchanged_records_no_change(client, dpo):
    record = ProcessingActivity.objects.get(code="campaigns")
    factories.log_in(client, dpo)

    response = client.post(f"/registry/activities/{record.code}/", page_data(record))

    assert response.status_code == 302
    assert record.history.count() == 1 and RetentionRule.history.filter(activity_id=record.pk).count() == 2


def test_the_dpo_changes_a_fixed_retention_and_a_linked_one_follows_the_setting(client, dpo, settings):
    record = ProcessingActivity.objects.get(code="b2b_prospecting")
    rules = list(record.retention.all())  # prospect clock, customer clock, proofs of consent (fixed 5 years)
    factories.log_in(client, dpo)
    data = page_data(record, **{"retention-2-years": "6", "retention-0-years": "9"})

    response = client.post(f"/registry/activities/{record.code}/", data)
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "prospect_years": 2}

    assert response.status_code == 302
    assert RetentionRule.objects.get(pk=rules[2].pk).years == 6
    lines = next(a for a in art30.declared("en")["activities"] if a["code"] == "b2b_prospecting")["retention"]
    assert lines[0].startswith("Prospect record, interactions and notes: 2 years")
    assert lines[2].startswith("Proofs of consent and of notice: 6 years")


def test_bad_input_is_refused_naming_the_field_and_the_rule(client, dpo):
    record = ProcessingActivity.objects.get(code="campaigns")
    factories.log_in(client, dpo)
    data = page_data(
        record,
        legal_bases=[],
        category_economic_en="Invoices",
        **{"retention-1-period": "fixed", "retention-1-years": "2", "retention-1-months": "3"},
    )

    response = client.post(f"/registry/activities/{record.code}/", data)

    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Choose at least one of the lawful bases of GDPR art. 6(1)."
        in page.split('id="field-legal_bases"')[1]
    )
    assert "Describe it in English and in French" in page.split('id="field-category_economic_en"')[1]
    assert "Retention 2: a fixed period is a number of years or a number of months." in page
    record.refresh_from_db()
    assert record.legal_bases == ["f", "a"] and "economic" not in record.data_categories


def test_the_dpo_edits_an_activity_an_admin_reads_it_and_a_rep_cannot_open_it(client, dpo, admin_user, rep):
    record = ProcessingActivity.objects.get(code="crm_users")
    url = f"/registry/activities/{record.code}/"
    outcomes = {}
    for user in (rep, admin_user, dpo):
        factories.log_in(client, user)
        outcomes[user.username] = (
            client.get(url),
            client.post(url, page_data(record, lia_reference="by " + user.username)),
        )

    assert outcomes["rep"][0].status_code == outcomes["rep"][1].status_code == 403
    admin_page, admin_post = outcomes["admin"]
    assert admin_page.status_code == 200 and 'id="activity-form"' not in admin_page.content.decode()
    assert "CRM user accounts and logs" in admin_page.content.decode() and admin_post.status_code == 403
    assert outcomes["dpo"][1].status_code == 302
    record.refresh_from_db()
    assert record.lia_reference == "by dpo"
