"""The breach register (GDPR 33(5)): every breach, with the 72-hour notification rule."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry.breaches import BreachReport, record_breach, record_notification
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
