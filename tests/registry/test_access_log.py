"""The access log: every read of a prospect is recorded, and kept 12 months."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.access import purge_expired_access_log, record_access
from crm.models import AccessAction, AccessLog
from tests import factories

pytestmark = pytest.mark.django_db


def test_viewing_a_prospect_writes_an_entry(client, rep):
    prospect = factories.prospect(by=rep, first_name="Lucie", last_name="Bernard")
    client.force_login(rep)

    client.get(f"/prospects/{prospect.pk}/")

    entry = AccessLog.objects.get()
    assert (entry.user, entry.prospect_id, entry.action) == (rep, prospect.pk, AccessAction.VIEW)


def test_reading_a_prospect_through_the_api_writes_an_entry(client, rep):
    prospect = factories.prospect(by=rep)
    client.force_login(rep)

    response = client.get(f"/api/prospects/{prospect.pk}/")

    assert response.status_code == 200
    assert AccessLog.objects.filter(user=rep, prospect=prospect, action=AccessAction.API_READ).count() == 1


def test_a_prospect_the_reader_may_not_see_writes_no_entry(client, rep):
    other_team = factories.user(role="sales", username="far", team=factories.team("North"))
    prospect = factories.prospect(by=other_team)
    client.force_login(rep)

    response = client.get(f"/prospects/{prospect.pk}/")

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_entries_older_than_the_retention_are_purged(settings, rep):
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "access_log_months": 12}
    prospect = factories.prospect(by=rep)
    record_access(rep, [prospect.pk], action=AccessAction.VIEW)
    old = AccessLog.objects.create(
        user=rep, prospect=prospect, action=AccessAction.VIEW, at=timezone.now() - timedelta(days=370)
    )

    deleted = purge_expired_access_log()

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
