"""Real Celery workers on Redis sending to a real SMTP server: one killed with SIGKILL mid-send,
a broker flushed mid-campaign.

The outbox in the database is the work: ``requeue_stalled`` (beat) finishes a dead
worker's claim and hands what is still queued to a worker again; the claim makes every
duplicate task a no-op. Every allowed message ends delivered exactly once (counted in
what the aiosmtpd server accepted, by Message-ID and by recipient), every refusal
recorded once. Redis database 5 is this test's own.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from crm.celery import app
from outreach import sending
from outreach.models import Campaign, CampaignStatus, Message, MessageStatus, NoticeRecord
from prospects.models import Interaction, Prospect, Source
from tests import factories
from tests.outreach.conftest import many
from tests.outreach.smtp import Inbox, smtp_server

WORKER_REDIS = "redis://127.0.0.1:6379/5"

pytestmark = [
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis and PostgreSQL: set REDIS_URL"),
]


@pytest.fixture
def broker():
    """Publish to Redis database 5, emptied before and after (never FLUSHALL: others use Redis)."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a server database, not the test's SQLite file")
    client = redis.Redis.from_url(WORKER_REDIS)
    client.flushdb()
    previous = app.conf.broker_url
    publish_to(WORKER_REDIS)
    yield client
    publish_to(previous)
    client.flushdb()


def publish_to(url: str) -> None:
    """Point this process's producers at ``url``; Celery caches its pools, so forget them.

    They stay open in kombu's registry, keyed by broker URL: switching back reuses them.
    """
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


class Worker:
    """``celery -A crm worker`` against the test database and SMTP server, in its own process group."""

    def __init__(self, tmp_path: Path, name: str, *, smtp_port: int, concurrency: int = 1):
        self.name = name
        self.log = tmp_path / f"worker-{name}.log"
        self.smtp_port = smtp_port
        self.concurrency = concurrency
        self.process = None

    def env(self) -> dict:
        db = connection.settings_dict
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        )
        return {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"{url}/{db['NAME']}",
            "REDIS_URL": WORKER_REDIS,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "EMAIL_USE_TLS": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "LOYAL_ENCRYPTION_KEYS": ",".join(settings.LOYAL_ENCRYPTION_KEYS),
            "LOYAL_BLIND_INDEX_KEY": settings.LOYAL_BLIND_INDEX_KEY,
            "LOYAL_SITE_URL": settings.LOYAL_SITE_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }

    def start(self) -> None:
        command = [
            str(Path(sys.executable).with_name("celery")), "-A", "crm", "worker", "--pool=prefork",
            f"--concurrency={self.concurrency}", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--loglevel=INFO", "-n", f"outreach-test-{self.name}-{os.getpid()}@%h",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env(), stdout=log, stderr=log, start_new_session=True, cwd=settings.BASE_DIR
            )

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no shutdown, no acknowledgement."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def wait_until(condition, *, timeout: float, what: str, workers: list[Worker], requeue: bool = False) -> None:
    """Poll ``condition``; with ``requeue``, run ``requeue_stalled`` every second meanwhile, as beat does.

    A killed worker's claim is taken back once PostgreSQL has ended its session (its
    advisory lock goes with it): a moment after the kill, not necessarily at the first call.
    """
    deadline = time.monotonic() + timeout
    next_requeue = 0.0
    while not condition():
        if requeue and time.monotonic() >= next_requeue:
            sending.requeue_stalled(older_than=timedelta(0))
            next_requeue = time.monotonic() + 1
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.name}:\n{w.log.read_text(errors='replace')[-2000:]}" for w in workers)
            raise AssertionError(f"timed out waiting for {what}; the workers' logs end with:\n{logs}")
        time.sleep(0.05)


def sent(campaign: Campaign) -> int:
    return Message.objects.filter(campaign=campaign, status=MessageStatus.SENT).count()


def queued(campaign: Campaign) -> int:
    return Message.objects.filter(campaign=campaign, status=MessageStatus.QUEUED).count()


def done(campaign: Campaign) -> bool:
    return Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DONE).exists()


def assert_exactly_once(inbox: Inbox, campaign: Campaign, *, allowed: int, refused: int) -> None:
    rows = Message.objects.filter(campaign=campaign)
    sent_ids = sorted(rows.filter(status=MessageStatus.SENT).values_list("pk", flat=True))
    delivered = [pk for pk in inbox.outbox_ids() if rows.filter(pk=pk).exists()]
    assert len(sent_ids) == allowed
    assert rows.filter(status=MessageStatus.REFUSED).count() == refused
    assert len(delivered) == len(set(delivered)), "a message was delivered twice"
    assert sorted(delivered) == sent_ids, "a message recorded sent was never delivered, or the reverse"
    emails = dict(Prospect.objects.filter(pk__in=rows.values("prospect_id")).values_list("pk", "email"))
    recipients = [
        r.recipients
        for r in inbox.received
        if r.message["Message-ID"].strip().startswith(f"<loyal.{campaign.pk}.")
    ]
    wanted = sorted(
        (emails[pid],) for pid in rows.filter(status=MessageStatus.SENT).values_list("prospect_id", flat=True)
    )
    assert sorted(recipients) == wanted, "someone got two messages, or none"
    assert (
        Interaction.objects.filter(type="email_sent", summary=f"Campaign #{campaign.pk}").count() == allowed
    )
    assert not rows.filter(claim__isnull=False).exists()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_two_workers_one_killed_mid_send_deliver_each_message_exactly_once(broker, tmp_path, settings):
    settings.LOYAL_OUTREACH = {**settings.LOYAL_OUTREACH, "chunk_size": 20}
    rep = factories.user(role="sales", username="rep")
    many(by=rep, allowed=300, refused=30)
    indirect = Prospect.objects.filter(audience="b2b_nominative").order_by("pk")[:40]
    Source.objects.filter(prospect__in=list(indirect)).update(  # Their first message carries the notice.
        type="linkedin_connection", notice="none", evidence={"profile_url": "https://www.linkedin.com/in/x"}
    )
    campaign = factories.campaign(by=rep)
    with smtp_server() as (inbox, port):
        workers = [Worker(tmp_path, name, smtp_port=port) for name in ("a", "b")]
        try:
            for worker in workers:
                worker.start()
            inbox.hold(after=60)
            sending.start_sending(campaign, by=rep)
            # Both workers have handed a message over and wait for the server's answer.
            inbox.wait_held(2, timeout=90)
            workers[0].kill()
            inbox.wait_held(1, timeout=10)  # The killed one's message is dropped, never accepted.
            inbox.release()
            wait_until(
                lambda: done(campaign), timeout=120, what="the campaign", workers=workers, requeue=True
            )
        finally:
            for worker in workers:
                worker.kill()
        assert_exactly_once(inbox, campaign, allowed=300, refused=30)
    assert NoticeRecord.objects.filter(message__campaign=campaign).count() == 40


@pytest.mark.django_db(transaction=True)
def test_a_broker_flushed_mid_campaign_loses_nothing_and_sends_nothing_twice(broker, tmp_path, settings):
    settings.LOYAL_OUTREACH = {**settings.LOYAL_OUTREACH, "chunk_size": 10}
    rep = factories.user(role="sales", username="rep")
    many(by=rep, allowed=160, refused=30)
    campaign = factories.campaign(by=rep)
    with smtp_server() as (inbox, port):
        worker = Worker(tmp_path, "solo", smtp_port=port, concurrency=2)
        try:
            worker.start()
            sending.start_sending(campaign, by=rep)
            wait_until(lambda: sent(campaign) >= 40, timeout=60, what="the first sends", workers=[worker])
            broker.flushdb()
            assert queued(campaign) > 0, "the worker finished before the flush: give it more work"
            wait_until(
                lambda: done(campaign), timeout=90, what="the campaign", workers=[worker], requeue=True
            )
        finally:
            worker.kill()
        assert_exactly_once(inbox, campaign, allowed=160, refused=30)
