"""The breach register (GDPR 33(5)): every breach with the fields of a CNIL notification, the 72-hour
rule (33(1)), phased notification (33(4)), the processor's alert (33(2)) and telling the people (34)."""

import csv
import html
import io
import json
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry import breaches
from registry.breaches import BreachReport, record_breach, record_follow_up, record_notification
from registry.forms import BreachForm
from registry.models import Breach
from tests import factories

pytestmark = pytest.mark.django_db


def report(**changes) -> BreachReport:
    discovered = timezone.now() - timedelta(days=5)
    values = {
        "discovered_at": discovered,
        "nature": "A laptop with an export was stolen",
        "data_concerned": "Names and work emails",
        "people_concerned": "Prospects of the North team",
        "people_count": 120,
        "consequences": "Unwanted emails",
        "measures": "Disk encrypted; passwords reset",
        "cnil_notified_at": discovered + timedelta(hours=30),
    } | changes
    return BreachReport(**values)


def test_a_breach_notified_within_72_hours_is_recorded(dpo):
    breach = record_breach(report(), by=dpo)

    assert breach.notified_within_72h and breach.recorded_by == dpo


def test_a_late_or_missing_notification_must_say_why(dpo):
    late = report(cnil_notified_at=report().discovered_at + timedelta(hours=80))

    with pytest.raises(ValidationError) as refused:
        record_breach(late, by=dpo)
    with pytest.raises(ValidationError):
        record_breach(report(cnil_notified_at=None), by=dpo)
    kept = record_breach(report(cnil_notified_at=None, delay_reason="Encrypted device: no risk"), by=dpo)

    assert "delay_reason" in refused.value.message_dict
    assert not kept.notified_within_72h and Breach.objects.count() == 1


def test_a_fresh_breach_can_wait_for_its_notification_then_record_it(dpo):
    breach = record_breach(
        report(discovered_at=timezone.now() - timedelta(hours=2), cnil_notified_at=None), by=dpo
    )

    record_notification(breach, notified_at=timezone.now())

    breach.refresh_from_db()
    assert breach.notified_within_72h


def test_the_dpo_and_the_admin_record_breaches_from_the_page_and_a_rep_cannot(client, dpo, admin_user, rep):
    factories.log_in(client, admin_user)
    form = {
        "discovered_at": "2026-01-10T09:00", "nature": "Misdirected email", "data_concerned": "Work emails",
        "people_concerned": "12 prospects", "consequences": "Low", "measures": "Recall sent",
        "delay_reason": "No risk to the people",
    }  # fmt: skip

    response = client.post("/registry/breaches/", form)
    factories.log_in(client, dpo)
    page = client.get("/registry/breaches/").content.decode()

    assert response.status_code == 302
    assert "Misdirected email" in page and "not notified" in page
    factories.log_in(client, rep)
    assert client.get("/registry/breaches/").status_code == 403


def every_field(discovered) -> dict:
    """A breach with every field of the register filled in, as the DPO types it on the page."""
    stamp = "%Y-%m-%dT%H:%M"
    return {
        "discovered_at": discovered.strftime(stamp),
        "occurred_at": (discovered - timedelta(hours=20)).strftime(stamp),
        "ended_at": (discovered - timedelta(hours=2)).strftime(stamp),
        "nature": "The emailing provider's account was used by an intruder",
        "confidentiality": "on",
        "integrity": "on",
        "data_concerned": "Names, work emails, job titles",
        "records_count": "5400",
        "people_concerned": "Prospects of the North team",
        "people_count": "1800",
        "consequences": "Phishing emails in our name",
        "measures": "Keys revoked, MFA enforced at the provider, people warned",
        "processor_name": "EuroMail SAS",
        "processor_alerted_at": discovered.strftime(stamp),
        "risk": "high",
        "risk_reasons": "Names and emails usable for targeted phishing",
        "cnil_notified_at": (discovered + timedelta(hours=80)).strftime(stamp),
        "cnil_reference": "CNIL-2026-001234",
        "phased": "on",
        "delay_reason": "The provider sent its log analysis on the third day",
        "people_informed_at": (discovered + timedelta(hours=90)).strftime(stamp),
        "communication_notes": "Email to each person: what happened, phishing risk, the DPO's contact",
    }


ART_33_5_COLUMNS = {
    "discovered_at", "occurred_at", "ended_at", "nature", "confidentiality", "integrity", "availability",
    "data_concerned", "records_count", "people_concerned", "people_count", "consequences", "measures",
    "processor_name", "processor_alerted_at", "risk", "risk_reasons", "cnil_notified_at",
    "notified_within_72h", "cnil_reference", "phased", "delay_reason", "follow_ups", "people_informed_at",
    "no_communication_ground", "communication_notes",
}  # fmt: skip


def test_the_breach_register_export_carries_every_art_33_5_field(client, dpo):
    discovered = timezone.localtime() - timedelta(days=6)
    factories.log_in(client, dpo)
    typed = every_field(discovered)
    recorded = client.post("/registry/breaches/", typed)
    breach = Breach.objects.get()
    client.post(
        f"/registry/breaches/{breach.pk}/follow-up/",
        {"notified_at": (discovered + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
         "summary": "Final count of records", "completes": "on"},
    )  # fmt: skip

    exported = {
        fmt: client.get(f"/registry/breaches/export/{fmt}/") for fmt in ("json", "csv", "xlsx", "html")
    }

    assert recorded.status_code == 302 and recorded["Location"] == f"/registry/breaches/{breach.pk}/"
    document = json.loads(exported["json"].content)
    (entry,) = document["breaches"]
    assert set(document["fields"]) >= ART_33_5_COLUMNS
    texts = ("nature", "data_concerned", "people_concerned", "consequences", "measures", "processor_name",
             "risk_reasons", "cnil_reference", "delay_reason", "communication_notes")  # fmt: skip
    assert {name: entry[name] for name in texts} == {name: typed[name] for name in texts}
    assert (entry["confidentiality"], entry["integrity"], entry["availability"]) == (True, True, False)
    assert (entry["records_count"], entry["people_count"], entry["risk"]) == (5400, 1800, "high")
    assert entry["notified_within_72h"] is False and entry["phased"] is True
    assert entry["cnil_notified_at"].startswith(typed["cnil_notified_at"])
    assert entry["processor_alerted_at"].startswith(typed["processor_alerted_at"])
    assert entry["follow_ups"] == [
        {
            "notified_at": entry["follow_ups"][0]["notified_at"],
            "summary": "Final count of records",
            "completes": True,
        }
    ]
    assert entry["open_items"] == []
    (row,) = list(csv.DictReader(io.StringIO(exported["csv"].content.decode())))
    assert row["Approximate number of records"] == "5400" and row["Loss of confidentiality"] == "yes"
    assert row["Risk to the people"] == "A high risk: the people are told too (art. 34(1))"
    assert row["Why later than 72 hours"] == typed["delay_reason"]
    assert "Final count of records" in row["Complementary notifications (art. 33(4))"]
    sheet = openpyxl.load_workbook(io.BytesIO(exported["xlsx"].content)).active
    assert [cell.value for cell in sheet[1]] == list(row)
    page = html.unescape(exported["html"].content.decode())
    assert all(typed[name] in page for name in texts) and "CNIL notification number" in page


def test_the_export_is_in_the_users_language_and_not_for_reps(client, dpo, rep):
    record_breach(report(), by=dpo)
    factories.log_in(client, dpo)
    client.post("/i18n/setlang/", {"language": "fr"})

    french = client.get("/registry/breaches/export/csv/").content.decode()
    factories.log_in(client, rep)

    assert "Nombre approximatif d'enregistrements" in french.splitlines()[0]
    assert client.get("/registry/breaches/export/csv/").status_code == 403


def test_a_notification_later_than_72_hours_without_a_reason_is_refused_citing_art_33_1(client, dpo):
    discovered = timezone.localtime() - timedelta(days=6)
    factories.log_in(client, dpo)
    typed = every_field(discovered) | {"delay_reason": ""}

    response = client.post("/registry/breaches/", typed)

    page = response.content.decode()
    assert response.status_code == 400 and not Breach.objects.exists()
    assert (
        "Notified later than 72 hours: Art. 33(1) requires the reasons for the delay."
        in page.split('id="field-delay_reason"')[1]
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"risk": "unlikely", "cnil_notified_at": None}, "risk_reasons"),
        ({"processor_name": "EuroMail SAS", "processor_alerted_at": timedelta(hours=-3)}, "discovered_at"),
        ({"processor_alerted_at": timedelta(hours=1)}, "processor_name"),
        ({"people_informed_at": timedelta(hours=40)}, "communication_notes"),
        (
            {"people_informed_at": timedelta(hours=40), "communication_notes": "Email",
             "no_communication_ground": "unintelligible"},
            "no_communication_ground",
        ),
        (
            {"cnil_notified_at": None, "cnil_reference": "CNIL-1", "delay_reason": "Waiting"},
            "cnil_notified_at",
        ),
        ({"ended_at": timedelta(days=-30), "occurred_at": timedelta(days=-10)}, "ended_at"),
    ],
)  # fmt: skip
def test_inconsistent_or_missing_facts_are_refused_naming_the_field(dpo, changes, field):
    discovered = report().discovered_at
    changes = {k: discovered + v if isinstance(v, timedelta) else v for k, v in changes.items()}

    with pytest.raises(ValidationError) as refused:
        record_breach(report(**changes), by=dpo)

    assert field in refused.value.message_dict


def test_a_breach_unlikely_to_result_in_a_risk_is_kept_unnotified_with_its_reasons(dpo):
    breach = record_breach(
        report(cnil_notified_at=None, risk="unlikely", risk_reasons="Encrypted laptop, key not exposed"),
        by=dpo,
    )

    assert breach.cnil_notified_at is None and breaches.open_items(breach) == [
        "Type of breach: confidentiality, integrity or availability.",
        "Approximate numbers of people and of records concerned (art. 33(3)(a)).",
    ]


def test_a_fresh_high_risk_breach_lists_what_is_still_due(dpo):
    discovered = timezone.now() - timedelta(hours=5)
    breach = record_breach(
        report(
            discovered_at=discovered,
            cnil_notified_at=None,
            risk="high",
            confidentiality=True,
            records_count=3,
        ),
        by=dpo,
    )

    items = breaches.open_items(breach)

    deadline = timezone.localtime(discovered + timedelta(hours=72)).strftime("%Y-%m-%d %H:%M")
    assert items == [
        f"Notification to the CNIL, due by {deadline} (art. 33(1)).",
        "Telling the people, or the art. 34(3) ground for not telling them.",
    ]


def test_an_entry_is_completed_on_its_page_and_its_history_keeps_who_changed_it(client, dpo, admin_user):
    breach = record_breach(
        report(discovered_at=timezone.now() - timedelta(hours=3), cnil_notified_at=None), by=dpo
    )
    factories.log_in(client, admin_user)
    form = BreachForm(instance=breach)
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data |= {"discovered_at": timezone.localtime(breach.discovered_at).strftime("%Y-%m-%dT%H:%M"),
             "availability": "on", "records_count": "120", "risk": "risk"}  # fmt: skip

    response = client.post(f"/registry/breaches/{breach.pk}/", data)

    breach.refresh_from_db()
    assert response.status_code == 302
    assert breach.availability and breach.records_count == 120 and breach.risk == "risk"
    assert [row.history_user for row in breach.history.order_by("history_date")] == [dpo, admin_user]
    page = client.get(f"/registry/breaches/{breach.pk}/").content.decode()
    assert "Notification to the CNIL, due by" in page.split('id="open-items"')[1]


def test_a_complementary_notification_needs_an_initial_one_and_completes_a_phased_notification(dpo):
    fresh = record_breach(report(cnil_notified_at=None, delay_reason="Waiting for the provider"), by=dpo)
    with pytest.raises(ValidationError):
        record_follow_up(fresh, notified_at=timezone.now(), summary="More", completes=True, by=dpo)
    breach = record_breach(report(phased=True, cnil_reference="CNIL-2026-7"), by=dpo)
    assert "Complementary notification still due (art. 33(4))." in breaches.open_items(breach)

    record_follow_up(breach, notified_at=timezone.now(), summary="Final figures", completes=True, by=dpo)

    assert "Complementary notification still due (art. 33(4))." not in breaches.open_items(breach)


def test_a_refused_notification_comes_back_as_typed_with_its_error_and_records_nothing(client, dpo):
    waiting = record_breach(report(cnil_notified_at=None, delay_reason="Assessing the risk"), by=dpo)
    factories.log_in(client, dpo)
    prefix = f"notified-{waiting.pk}"
    typed = {f"{prefix}-cnil_notified_at": "2099-01-01T09:00", f"{prefix}-reference": "CNIL-2026-000042"}

    response = client.post(f"/registry/breaches/{waiting.pk}/notified/", typed)

    page = response.content.decode()
    field = page.split(f'id="field-{prefix}-cnil_notified_at"')[1].split('<div class="field')[0]
    waiting.refresh_from_db()
    assert response.status_code == 400
    assert "The notification falls between the discovery and now." in html.unescape(field)
    assert 'value="CNIL-2026-000042"' in page and f'href="#id_{prefix}-cnil_notified_at"' in page
    assert waiting.cnil_notified_at is None and waiting.cnil_reference == ""


def test_a_refused_follow_up_comes_back_as_typed_with_its_error_and_records_nothing(client, dpo):
    breach = record_breach(report(), by=dpo)
    factories.log_in(client, dpo)
    typed = {"notified_at": "2099-01-01T09:00", "summary": "The final count: 1,800 people."}

    response = client.post(f"/registry/breaches/{breach.pk}/follow-up/", typed)

    page = response.content.decode()
    field = page.split('id="field-notified_at"')[1].split('<div class="field')[0]
    assert response.status_code == 400
    assert "A complementary notification falls between the initial one and now." in html.unescape(field)
    assert "The final count: 1,800 people." in page and 'href="#id_notified_at"' in page
    assert not breach.follow_ups.exists()
