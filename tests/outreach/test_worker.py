"""A real Celery worker on Redis, killed with SIGKILL mid-campaign, and a broker flushed mid-campaign.

The outbox in the database is the work: after a restart, ``requeue_stalled`` (beat)
hands the worker what is still queued, and the claim makes every duplicate a no-op.
Every allowed message ends sent exactly once (counted in the sent mail files by its
Message-ID), every refusal recorded once. Redis database 5 is this test's own.
"""

import os
import re
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
from outreach.models import Campaign, CampaignStatus, Message, MessageStatus
from prospects.models import Interaction
from tests import factories
from tests.outreach.conftest import many

WORKER_REDIS = "redis://127.0.0.1:6379/5"
MESSAGE_ID = re.compile(rb"^Message-ID: <loyal\.(\d+)\.(\d+)@", re.MULTILINE)

pytestmark = [
    pytest.mark.worker,
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
    """``celery -A crm worker`` against the test database, in its own process group."""

    def __init__(self, tmp_path: Path):
        self.mail = tmp_path / "mail"
        self.mail.mkdir()
        self.log = tmp_path / "worker.log"
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
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail),
            "SECRET_KEY": settings.SECRET_KEY,
            "LOYAL_ENCRYPTION_KEYS": ",".join(settings.LOYAL_ENCRYPTION_KEYS),
            "LOYAL_BLIND_INDEX_KEY": settings.LOYAL_BLIND_INDEX_KEY,
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }

    def start(self) -> None:
        command = [
            str(Path(sys.executable).with_name("celery")), "-A", "crm", "worker", "--pool=prefork",
            "--concurrency=2", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel=INFO", "-n", f"outreach-test-{os.getpid()}@%h",
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

    def sent_ids(self) -> list[int]:
        """The outbox id of every message in the sent mail files, repeats included."""
        return [int(m[2]) for path in self.mail.iterdir() for m in MESSAGE_ID.finditer(path.read_bytes())]


def wait_until(condition, *, timeout: float, what: str, worker: "Worker") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            log = worker.log.read_text(errors="replace")[-3000:]
            raise AssertionError(f"timed out waiting for {what}; the worker's log ends with:\n{log}")
        time.sleep(0.05)


def sent(campaign: Campaign) -> int:
    return Message.objects.filter(campaign=campaign, status=MessageStatus.SENT).count()


def queued(campaign: Campaign) -> int:
    return Message.objects.filter(campaign=campaign, status=MessageStatus.QUEUED).count()


def done(campaign: Campaign) -> bool:
    return Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DONE).exists()


def assert_exactly_once(worker: Worker, campaign: Campaign, *, allowed: int, refused: int) -> None:
    rows = Message.objects.filter(campaign=campaign)
    ids = [i for i in worker.sent_ids() if rows.filter(pk=i).exists()]
    assert rows.filter(status=MessageStatus.SENT).count() == allowed
    assert rows.filter(status=MessageStatus.REFUSED).count() == refused
    assert sorted(ids) == sorted(rows.filter(status=MessageStatus.SENT).values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) == allowed, "a message was handed to the mail backend twice"
    assert (
        Interaction.objects.filter(type="email_sent", summary=f"Campaign #{campaign.pk}").count() == allowed
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_killed_worker_and_flushed_broker_lose_nothing_and_send_nothing_twice(broker, tmp_path, settings):
    settings.LOYAL_OUTREACH = {**settings.LOYAL_OUTREACH, "chunk_size": 10}
    rep = factories.user(role="sales", username="rep")
    many(by=rep, allowed=160, refused=30)
    worker = Worker(tmp_path)
    killed_campaign, flushed_campaign = factories.campaign(by=rep), factories.campaign(by=rep, name="Second")
    try:
        worker.start()
        sending.start_sending(killed_campaign, by=rep)
        wait_until(lambda: sent(killed_campaign) >= 40, timeout=30, what="the first sends", worker=worker)
        worker.kill()
        assert queued(killed_campaign) > 0, "the worker finished before it was killed: give it more work"
        worker.start()
        sending.requeue_stalled(older_than=timedelta(0))  # What beat does every few minutes.
        wait_until(lambda: done(killed_campaign), timeout=90, what="the killed campaign", worker=worker)

        sending.start_sending(flushed_campaign, by=rep)
        wait_until(
            lambda: sent(flushed_campaign) >= 40,
            timeout=30,
            what="the second campaign's sends",
            worker=worker,
        )
        broker.flushdb()
        assert queued(flushed_campaign) > 0, "the worker finished before the flush: give it more work"
        sending.requeue_stalled(older_than=timedelta(0))
        wait_until(lambda: done(flushed_campaign), timeout=90, what="the flushed campaign", worker=worker)
    finally:
        worker.kill()

    assert_exactly_once(worker, killed_campaign, allowed=160, refused=30)
    assert_exactly_once(worker, flushed_campaign, allowed=160, refused=30)
