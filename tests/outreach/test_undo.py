"""Sending asks first, then waits for an undo window during which it can be cancelled."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from outreach import sending
from outreach.models import Campaign, CampaignStatus, MessageStatus
from tests import factories
from tests.outreach.conftest import informed

pytestmark = pytest.mark.django_db
SEND = "/outreach/campaigns/{}/send/"


@pytest.fixture
def worker(settings, django_capture_on_commit_callbacks):
    """Run ``action`` as the product does, then the worker's tasks it queued (eager)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def window(settings):
    settings.LOYAL_OUTREACH = {**settings.LOYAL_OUTREACH, "undo_seconds": 60}


@pytest.fixture
def campaign(rep):
    informed(by=rep, first_name="Ana", email="ana.roux@acme.fr")
    informed(by=rep, first_name="Luc", email="luc.martin@acme.fr")
    factories.prospect(by=rep, first_name="Zoe", email="zoe.petit@gmail.com", audience_justification="")
    return factories.campaign(by=rep)


def test_the_send_page_says_what_it_will_do_and_sends_nothing_until_confirmed(rep_client, campaign, worker):
    page = rep_client.get(SEND.format(campaign.pk)).content.decode()
    assert "Send to 2 people?" in page
    assert "1 refused stays unsent." in page

    worker(rep_client.post, SEND.format(campaign.pk))  # no confirmation: the same question

    campaign.refresh_from_db()
    assert campaign.status != CampaignStatus.SENDING
    assert mail.outbox == []
    worker(rep_client.post, SEND.format(campaign.pk), {"confirm": "yes"})
    assert len(mail.outbox) == 2


def test_a_campaign_cancelled_inside_the_window_sends_nothing(rep_client, campaign, window, worker):
    worker(rep_client.post, SEND.format(campaign.pk), {"confirm": "yes"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    assert mail.outbox == []  # the chunk ran (eager) before the window ended: it claimed nothing
    page = rep_client.get(campaign.get_absolute_url()).content.decode()
    assert 'id="cancel-send"' in page

    rep_client.post(f"/outreach/campaigns/{campaign.pk}/cancel/")

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DECIDED
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        worker(sending.requeue_stalled, older_than=timedelta(0))
        ids = list(campaign.messages.values_list("pk", flat=True))
        assert sum(sending.send_chunk(campaign.pk, ids).values()) == len(ids)  # every one skipped
    assert mail.outbox == []
    assert not campaign.messages.filter(status=MessageStatus.SENT).exists()


def test_a_campaign_not_cancelled_sends_once_the_window_has_ended(rep_client, campaign, window, worker):
    worker(rep_client.post, SEND.format(campaign.pk), {"confirm": "yes"})
    assert mail.outbox == []

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        worker(sending.requeue_stalled, older_than=timedelta(0))

    assert sorted(message.to[0] for message in mail.outbox) == ["ana.roux@acme.fr", "luc.martin@acme.fr"]
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DONE


def test_the_window_once_ended_cannot_be_cancelled(rep_client, campaign, window, worker):
    worker(rep_client.post, SEND.format(campaign.pk), {"confirm": "yes"})

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        response = rep_client.post(f"/outreach/campaigns/{campaign.pk}/cancel/", follow=True)

    assert "The undo window has ended" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.SENDING


def test_the_api_says_when_sending_starts_and_cancels_inside_the_window(rep, campaign, window, worker):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rep).key}")
    sent = worker(api.post, f"/api/campaigns/{campaign.pk}/send/")
    assert sent.status_code == 202
    assert sent.json()["sends_from"] is not None

    cancelled = api.post(f"/api/campaigns/{campaign.pk}/cancel/")

    assert cancelled.status_code == 200
    assert cancelled.json() == {"held": 2, "status": "decided"}
    assert mail.outbox == []
    again = api.post(f"/api/campaigns/{campaign.pk}/cancel/")
    assert again.status_code == 409  # the state refuses it: nothing left to cancel
