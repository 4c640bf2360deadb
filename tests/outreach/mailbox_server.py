"""A real IMAP server for the mailbox tests: Debian's Dovecot on loopback, thrown away after.

Each server gets its own configuration, mail directory and test user in a temporary
folder, and a free port. Messages reach it by IMAP APPEND of real RFC 5322 bytes.
Without the ``dovecot`` binary the tests are skipped, unless ``LOYAL_REQUIRE_DOVECOT=1``
(CI), which makes them fail instead.
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or next((p for p in ("/usr/sbin/dovecot",) if os.access(p, os.X_OK)), None)
USER, PASSWORD = "loyal", "mailbox-secret"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
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
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def require_dovecot() -> str:
    if DOVECOT:
        return DOVECOT
    if os.environ.get("LOYAL_REQUIRE_DOVECOT") == "1":
        pytest.fail("LOYAL_REQUIRE_DOVECOT=1 but no dovecot binary: apt-get install dovecot-imapd")
    pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd); mailbox tests skipped")


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
        }

    def start(self) -> None:
        config = self.root / "dovecot.conf"
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode()} {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    if conn.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer: {self.log()}")

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

    def deliver(self, raw: bytes, *, folder: str = "INBOX") -> None:
        """Put a message into the mailbox by IMAP APPEND, as a mail server's delivery would."""
        with self.client() as client:
            client.append(folder, raw)

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
    port = _free_port()
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    (root / "dovecot.conf").write_text(
        CONFIG.format(root=root, user=user, group=group, uid=uid, gid=gid, port=port)
    )
    for sub in ("mail", "home"):
        os.chown(root / sub, uid, gid) if os.getuid() == 0 else None
    root.chmod(0o755)
    return MailServer(root=root, port=port, binary=binary)
