"""A real SMTP server on loopback for the sending tests and the bench: aiosmtpd in a thread.

``Inbox`` keeps every message the server accepted, parsed, with the TCP peer it came
from (one peer per SMTP connection). ``hold()`` makes the server keep its answer to the
end of every further message's data until ``release()``: a client killed meanwhile
never hears the acceptance, and the server drops the message (aiosmtpd cancels the
handler when the connection goes), as a real server does with a message whose
transaction did not complete.
"""

import asyncio
import contextlib
import email
import socket
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    peer: tuple
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


class Inbox:
    """The aiosmtpd handler: what was accepted, and the hold."""

    def __init__(self):
        self.received: list[Received] = []
        self.held = 0
        self._lock = threading.Lock()
        self._hold_after: int | None = None
        self._release: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def handle_DATA(self, server, session, envelope):
        if self._hold_after is not None and len(self.received) >= self._hold_after:
            self.held += 1
            try:
                await self._release.wait()  # Cancelled if the client goes: never accepted.
            finally:
                self.held -= 1
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        # RFC 5321 4.4: the delivering server records the envelope sender as Return-Path.
        parsed["Return-Path"] = f"<{envelope.mail_from}>"
        with self._lock:
            self.received.append(Received(session.peer, tuple(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    # --- What the tests read ---

    def __len__(self) -> int:
        return len(self.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def connections(self) -> int:
        return len({r.peer for r in self.received})

    def outbox_ids(self) -> list[int]:
        """The outbox id of each accepted message, from its deterministic Message-ID."""
        return [
            int(r.message["Message-ID"].strip().strip("<>").split(".")[2].split("@")[0])
            for r in self.received
        ]

    # --- The hold (called from the test's thread) ---

    def hold(self, *, after: int) -> None:
        """From the ``after``-th accepted message on, keep every answer until ``release``."""
        self._release = asyncio.Event()
        self._hold_after = after

    def release(self) -> None:
        self._hold_after = None
        if self._release is not None:
            self.loop.call_soon_threadsafe(self._release.set)

    def wait_held(self, count: int, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.held != count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.held} messages held by the SMTP server, not {count}")
            time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server():
    """An aiosmtpd server on 127.0.0.1: yields (inbox, port); stopped afterwards."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    controller.start()
    inbox.loop = controller.loop
    try:
        yield inbox, controller.port
    finally:
        inbox.release()
        controller.stop()
