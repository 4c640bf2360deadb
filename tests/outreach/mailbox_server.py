"""A real IMAP server for the mailbox tests: Debian's Dovecot on loopback, thrown away after.

Each server gets its own configuration, mail directory and test user in a temporary
folder, and two free ports: IMAP, which the job reads, and LMTP (RFC 2033, Dovecot's
``dovecot-lmtpd``), the SMTP path by which the tests deliver real RFC 5322 messages, with
an envelope, as a mail server's delivery would. Dovecot's LMTP accepts even the malformed
messages of the tests (no header, a multipart without its boundary), so none is put in by
IMAP APPEND. Without the ``dovecot`` binaries the tests
are skipped, unless ``LOYAL_REQUIRE_DOVECOT=1`` (CI), which makes them fail instead.
"""

import grp
import os
import pwd
import shutil
import smtplib
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or next((p for p in ("/usr/sbin/dovecot",) if os.access(p, os.X_OK)), None)
LMTP = "/usr/lib/dovecot/lmtp"
USER, PASSWORD = "loyal", "mailbox-secret"
DOMAIN = "loyal.example"
ADDRESS = f"{USER}@{DOMAIN}"  # the mailbox's address; ``loyal+<detail>@`` reaches it too

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
# user@domain and user+detail@domain are the one test user (LMTP strips the detail).
auth_username_format = %Ln
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
  unix_listener lmtp {{
    mode = 0600
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def require_dovecot() -> str:
    if DOVECOT and os.access(LMTP, os.X_OK):
        return DOVECOT
    missing = "apt-get install dovecot-imapd dovecot-lmtpd"
    if os.environ.get("LOYAL_REQUIRE_DOVECOT") == "1":
        pytest.fail(f"LOYAL_REQUIRE_DOVECOT=1 but Dovecot's IMAP or LMTP server is missing: {missing}")
    pytest.skip(f"Dovecot's IMAP or LMTP server is not installed ({missing}); mailbox tests skipped")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mail_user() -> tuple[str, str, int, int]:
    """Dovecot refuses mail access as root: the package's own user then owns the mail."""
    if os.getuid() == 0:
        entry = pwd.getpwnam("dovecot")
        return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid
    entry = pwd.getpwuid(os.getuid())
    return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid


@dataclass
class MailServer:
    root: Path
    port: int
    lmtp_port: int
    binary: str
    process: subprocess.Popen | None = None

    @property
    def settings(self) -> dict:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "tls": "none",
            "user": USER,
            "password": PASSWORD,
            "folder": "INBOX",
            "address": ADDRESS,
        }

    def start(self) -> None:
        config = self.root / "dovecot.conf"
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for port, greeting in ((self.port, b"* OK"), (self.lmtp_port, b"220 ")):
            self._wait_for(port, greeting)

    def _wait_for(self, port: int, greeting: bytes) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode()} {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                    if conn.recv(100).startswith(greeting):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer on {port}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, raw: bytes, *, to: str = ADDRESS, sender: str = "sender@acme.fr") -> None:
        """Deliver a message over LMTP, with its envelope, as the organisation's mail server would.

        Dovecot writes the envelope recipient into ``Delivered-To`` and the envelope sender into
        ``Return-Path``; a refusal raises ``smtplib.SMTPException``.
        """
        with smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=10) as lmtp:
            refused = lmtp.sendmail(sender, [to], raw)
        assert not refused, refused

    def uids(self, folder: str) -> list[int]:
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return client.search(["ALL"])

    def count(self, folder: str) -> int:
        return len(self.uids(folder))


def make_server(root: Path) -> MailServer:
    binary = require_dovecot()
    user, group, uid, gid = _mail_user()
    port, lmtp_port = _free_port(), _free_port()
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    (root / "dovecot.conf").write_text(
        CONFIG.format(root=root, user=user, group=group, uid=uid, gid=gid, port=port, lmtp_port=lmtp_port)
    )
    for sub in ("mail", "home"):
        os.chown(root / sub, uid, gid) if os.getuid() == 0 else None
    root.chmod(0o755)
    return MailServer(root=root, port=port, lmtp_port=lmtp_port, binary=binary)
