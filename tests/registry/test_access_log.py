"""The access log: every read of a prospect, shown to the DPO only, kept 12 months."""

from datetime import timedelta

import pytest
from django.utils import timezone

from org.access import purge_expired_access_log, record_access
from org.models import AccessAction, AccessLog
from registry.tasks import purge_access_log_task
from tests import factories

pytestmark = pytest.mark.django_db


def test_viewing_a_prospect_writes_an_entry_that_the_dpo_sees(client, rep, dpo):
    prospect = factories.prospect(by=rep, first_name="Lucie", last_name="Bernard")
    factories.log_in(client, rep)

    client.get(f"/prospects/{prospect.pk}/")
    factories.log_in(client, dpo)
    page = client.get("/registry/access-log/")

    entry = AccessLog.objects.get()
    assert (entry.user, entry.prospect_id, entry.action) == (rep, prospect.pk, AccessAction.VIEW)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Lucie Bernard" in content and "Rep Test" in content and "Prospect page viewed" in content


def test_reading_a_prospect_through_the_api_writes_an_entry(client, rep):
    prospect = factories.prospect(by=rep)
    factories.log_in(client, rep)

    response = client.get(f"/api/prospects/{prospect.pk}/")

    assert response.status_code == 200
    assert AccessLog.objects.filter(user=rep, prospect=prospect, action=AccessAction.API_READ).count() == 1


def test_a_prospect_the_reader_may_not_see_writes_no_entry(client, rep):
    other_team = factories.user(role="sales", username="far", team=factories.team("North"))
    prospect = factories.prospect(by=other_team)
    factories.log_in(client, rep)

    response = client.get(f"/prospects/{prospect.pk}/")

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("role", ["sales", "admin"])
def test_a_rep_and_an_admin_cannot_open_the_access_log(client, role):
    factories.log_in(client, factories.user(role=role, username=f"{role}-person"))

    response = client.get("/registry/access-log/")

    assert response.status_code == 403


def test_the_dpo_filters_the_log_by_prospect(client, rep, dpo):
    first = factories.prospect(by=rep, first_name="Ana", last_name="One", email="ana@acme.fr")
    second = factories.prospect(by=rep, first_name="Bob", last_name="Two", email="bob@acme.fr")
    record_access(rep, [first.pk, second.pk], action=AccessAction.EXPORT)
    factories.log_in(client, dpo)

    content = client.get(f"/registry/access-log/?prospect={second.pk}").content.decode()

    assert "Bob Two" in content and "Ana One" not in content


def test_entries_older_than_the_retention_are_purged_by_the_task(settings, rep):
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "access_log_months": 12}
    prospect = factories.prospect(by=rep)
    record_access(rep, [prospect.pk], action=AccessAction.VIEW)
    old = AccessLog.objects.create(
        user=rep, prospect=prospect, action=AccessAction.VIEW, at=timezone.now() - timedelta(days=370)
    )

    deleted = purge_access_log_task()

    assert deleted == 1
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.count() == 1


def test_the_purge_follows_the_setting(settings, rep):
    prospect = factories.prospect(by=rep)
    AccessLog.objects.create(
        user=rep, prospect=prospect, action=AccessAction.VIEW, at=timezone.now() - timedelta(days=200)
    )
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "access_log_months": 12}
    kept = purge_expired_access_log()
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "access_log_months": 6}

    deleted = purge_expired_access_log()

    assert (kept, deleted) == (0, 1)


def test_the_purges_of_the_logs_are_beat_tasks():
    from crm.celery import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert {"registry.tasks.purge_access_log_task", "registry.tasks.purge_request_log_task"} <= scheduled
    assert purge_access_log_task.name == "registry.tasks.purge_access_log_task"
