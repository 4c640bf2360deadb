"""A real process reading the mailbox, killed with SIGKILL mid-message: nothing lost, nothing twice.

The process is killed once after fetching a message and before committing what it means,
and once after the commit and before the message is moved. The next run handles each
message exactly once. PostgreSQL only: the process needs a database server it shares.
"""

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from outreach import mailbox
from outreach.models import InboundMessage
from prospects.models import Interaction
from tests.outreach.conftest import informed
from tests.outreach.test_mailbox import PROCESSED, mail

# Run in the killed process: the fault is a SIGKILL of itself at the named step.
READER = """
import os, signal, django
django.setup()
from outreach import inbound, mailbox
die = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
if os.environ["KILL_AT"] == "before_commit":
    inbound.handle = die
else:
    mailbox._move = die
mailbox.fetch_mailbox()
"""


def run_reader(server, *, kill_at: str) -> int:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"{url}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "LOYAL_ENCRYPTION_KEYS": ",".join(settings.LOYAL_ENCRYPTION_KEYS),
        "LOYAL_BLIND_INDEX_KEY": settings.LOYAL_BLIND_INDEX_KEY,
        "LOYAL_MAILBOX_HOST": "127.0.0.1",
        "LOYAL_MAILBOX_PORT": str(server.port),
        "LOYAL_MAILBOX_TLS": "none",
        "LOYAL_MAILBOX_USER": server.settings["user"],
        "LOYAL_MAILBOX_PASSWORD": server.settings["password"],
        "KILL_AT": kill_at,
    }
    process = subprocess.run(
        [sys.executable, "-c", READER], env=env, cwd=settings.BASE_DIR, capture_output=True, timeout=120
    )
    return process.returncode


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill_at", ["before_commit", "after_commit"])
def test_a_reader_killed_mid_message_loses_nothing_and_logs_nothing_twice(mail_server, rep, kill_at):
    if connection.vendor != "postgresql":
        pytest.skip("a second process needs a server database, not the test's SQLite file")
    prospect = informed(by=rep, first_name="Claire", last_name="Martin", email="claire.martin@acme.fr")
    mail_server.deliver(mail())

    returncode = run_reader(mail_server, kill_at=kill_at)
    kept = InboundMessage.objects.count()
    run = mailbox.fetch_mailbox()

    assert returncode == -signal.SIGKILL
    assert kept == (0 if kill_at == "before_commit" else 1)
    assert run.handled == {"reply": 1}
    assert Interaction.objects.filter(prospect=prospect, type="email_reply").count() == 1
    assert InboundMessage.objects.count() == 1
    assert (mail_server.count("INBOX"), mail_server.count(PROCESSED)) == (0, 1)
