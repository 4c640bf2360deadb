"""Reading the mailbox of replies and bounces: IMAP by UID, each message handled once.

Each new message (a UID above the folder's last, under the same UIDVALIDITY) is handled
by ``inbound.handle`` in its own transaction, then moved to ``Loyal/Processed``,
``Loyal/Unmatched`` or ``Loyal/Unreadable``. The message's UID and Message-ID are unique
keys, so a crash between the commit and the move only moves it on the next run: nothing
is logged twice, nothing is lost. An unreachable server or a refused password leaves
every message where it is and is recorded, in words, on the folder's ``MailboxState``.
"""

import contextlib
import ssl
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from outreach import inbound
from outreach.models import InboundKind, InboundMessage, MailboxState

PROCESSED, UNMATCHED, UNREADABLE = "Processed", "Unmatched", "Unreadable"
DESTINATION = {
    InboundKind.UNMATCHED: UNMATCHED,
    InboundKind.UNREADABLE: UNREADABLE,
}
TIMEOUT_SECONDS = 30


class MailboxUnavailable(Exception):
    """The server could not be reached or refused the login: retried later, nothing lost."""


@dataclass
class Run:
    handled: dict[str, int] = field(default_factory=dict)
    waiting: int = 0


def config() -> dict:
    return settings.LOYAL_MAILBOX


def configured() -> bool:
    return bool(config()["host"] and config()["user"])


@dataclass(frozen=True)
class Status:
    """What the administrator's mailbox page shows: the setting, the last outcome, the counts."""

    configured: bool
    host: str
    user: str
    folder: str
    state: MailboxState | None
    counts: list[tuple[str, str, int]]  # kind, its label, messages


def status() -> Status:
    c = config()
    counts = dict(
        InboundMessage.objects.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    return Status(
        configured=configured(),
        host=c["host"],
        user=c["user"],
        folder=c["folder"],
        state=MailboxState.objects.filter(folder=c["folder"]).first(),
        counts=[
            (kind, InboundKind(kind).label, counts[kind]) for kind in InboundKind.values if kind in counts
        ],
    )


def fetch_mailbox() -> Run | None:
    """Handle every new message of the configured folder; None when no mailbox is configured."""
    if not configured():
        return None
    folder = config()["folder"]
    state, _created = MailboxState.objects.get_or_create(folder=folder)
    try:
        client = _connect()
    except MailboxUnavailable as error:
        _failed(state, str(error))
        raise
    try:
        run = _read(client, state, folder)
    except (OSError, IMAPClientError) as error:
        _failed(state, _("The mailbox stopped answering: %(error)s") % {"error": error})
        raise MailboxUnavailable(str(error)) from error
    finally:
        _logout(client)
    MailboxState.objects.filter(pk=state.pk).update(
        last_success_at=timezone.now(), last_error="", waiting=run.waiting
    )
    return run


def _connect() -> IMAPClient:
    c = config()
    try:
        context = ssl.create_default_context()
        client = IMAPClient(
            c["host"], port=c["port"], ssl=c["tls"] == "ssl", ssl_context=context, timeout=TIMEOUT_SECONDS
        )
        if c["tls"] == "starttls":
            client.starttls(context)
        client.login(c["user"], c["password"])
    except LoginError as error:
        raise MailboxUnavailable(_("The mailbox refused the user or password.")) from error
    except (OSError, IMAPClientError, ssl.SSLError) as error:
        raise MailboxUnavailable(
            _("The mailbox could not be reached at %(host)s:%(port)s: %(error)s")
            % {"host": c["host"], "port": c["port"], "error": error or type(error).__name__}
        ) from error
    return client


def _read(client: IMAPClient, state: MailboxState, folder: str) -> Run:
    folders = _ensure_folders(client)
    selected = client.select_folder(folder)
    uidvalidity = int(selected[b"UIDVALIDITY"])
    if state.uidvalidity != uidvalidity:
        # RFC 3501 §2.3.1.1: the old UIDs mean nothing any more; the Message-ID still dedupes.
        state.uidvalidity, state.last_uid = uidvalidity, 0
        state.save(update_fields=["uidvalidity", "last_uid"])
    run = Run()
    uids = sorted(uid for uid in client.search(["UID", f"{state.last_uid + 1}:*"]) if uid > state.last_uid)
    for uid in uids:
        kind = _handle_one(client, folder=folder, uidvalidity=uidvalidity, uid=uid)
        _move(client, uid, folders[DESTINATION.get(kind, PROCESSED)])
        MailboxState.objects.filter(pk=state.pk).update(last_uid=uid)
        run.handled[kind] = run.handled.get(kind, 0) + 1
    run.waiting = len(client.search(["ALL"]))
    return run


def _handle_one(client: IMAPClient, *, folder: str, uidvalidity: int, uid: int) -> str:
    size = client.fetch([uid], [b"RFC822.SIZE"]).get(uid, {}).get(b"RFC822.SIZE", 0)
    if size > inbound.MAX_MESSAGE_BYTES:
        raw = b"x" * (inbound.MAX_MESSAGE_BYTES + 1)  # never downloaded: set aside as unreadable
    else:
        raw = client.fetch([uid], [b"BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]", b"")
    return inbound.handle(raw, folder=folder, uidvalidity=uidvalidity, uid=uid).kind


def _ensure_folders(client: IMAPClient) -> dict[str, str]:
    delimiter = client.list_folders(pattern="")
    separator = (delimiter[0][1] if delimiter and delimiter[0][1] else b"/").decode()
    names = {name: separator.join(("Loyal", name)) for name in (PROCESSED, UNMATCHED, UNREADABLE)}
    existing = {name for _flags, _sep, name in client.list_folders()}
    for name in ("Loyal", *names.values()):
        if name not in existing:
            client.create_folder(name)
    return names


def _move(client: IMAPClient, uid: int, destination: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], destination)
        return
    client.copy([uid], destination)
    client.delete_messages([uid])
    client.uid_expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()


def _failed(state: MailboxState, error: str) -> None:
    MailboxState.objects.filter(pk=state.pk).update(last_error=error[:500], last_error_at=timezone.now())


def _logout(client: IMAPClient) -> None:
    with contextlib.suppress(OSError, IMAPClientError):
        client.logout()
