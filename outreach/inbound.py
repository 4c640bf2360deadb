"""What one message read from the mailbox becomes (docs/rules.md §2.2, §2.3).

Only the prospect's own message is a voluntary contact that moves retention; an automatic
reply never is. A permanent delivery failure (RFC 3464) marks the address undeliverable;
a reply asking to stop becomes an objection proposal the gate already honours on e-mail.
A copy of a rep's own mail, sent to their personal BCC address, logs an ``email_sent``
for each prospect it went to. A sender matching no prospect creates nothing. Bodies and
attachments are read, never kept: only the subject and a short excerpt of a prospect's
message are stored, encrypted.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from org import dropbox
from outreach.models import InboundKind, InboundMessage, Message, ObjectionProposal, UndeliverableAddress
from prospects import identity, timeline
from prospects.identity import InvalidIdentifier
from prospects.models import InteractionType, Prospect

EXCERPT_CHARS = 280
MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # larger messages are set aside as unreadable
# Precedence values that only machines send (RFC 3834 §3.1.8 and common usage).
AUTOMATIC_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk", "list"})
OUT_OF_OFFICE = re.compile(
    r"(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|absence|absent|"
    r"r[ée]ponse automatique|en cong[ée]s?|vacation)",
    re.IGNORECASE,
)
# Detection errs on the side of proposing: a rep dismisses a false alarm, never the reverse.
STOP_WORDS = re.compile(
    r"\b(stop|unsubscribe|remove me|opt[- ]?out|do not (contact|email|write)|don'?t (contact|email|write)|"
    r"d[ée]sinscri\w*|d[ée]sabonn\w*|ne (plus|pas) (me |m'|m’)?(recevoir|[ée]crire|contacter|solliciter)|"
    r"ne m['’]?[ée]crivez plus|ne me contactez plus|retirez[- ]moi|supprimez[- ]moi|"
    r"plus de (mails?|messages?|courriels?))\b",
    re.IGNORECASE,
)
CAMPAIGN_MESSAGE_ID = re.compile(r"<loyal\.(\d{1,18})\.(\d{1,18})@[^>\s]+>")
PERMANENT_STATUS = re.compile(r"^\s*5\.\d{1,3}\.\d{1,3}")
TEMPORARY_STATUS = re.compile(r"^\s*4\.\d{1,3}\.\d{1,3}")


# Defects that leave the structure unknown; a stray header defect alone does not hide the text.
STRUCTURAL_DEFECTS = (
    errors.MissingHeaderBodySeparatorDefect,
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
)


def _defects(message: EmailMessage):
    for part in message.walk():
        yield from part.defects


class Unreadable(Exception):
    """The message cannot be parsed into what the rules need."""


@dataclass(frozen=True)
class Handled:
    kind: InboundKind
    inbound: InboundMessage | None  # None when this message was already handled


def parse(raw: bytes) -> EmailMessage:
    if len(raw) > MAX_MESSAGE_BYTES:
        raise Unreadable("too large")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        if not message.get("From") or any(isinstance(d, STRUCTURAL_DEFECTS) for d in _defects(message)):
            raise Unreadable("malformed")
        return message
    except (ValueError, TypeError, LookupError, IndexError) as error:
        raise Unreadable("malformed") from error


def message_key(message: EmailMessage | None) -> str | None:
    value = (message.get("Message-ID", "") if message is not None else "").strip()
    return hashlib.sha256(value.encode()).hexdigest() if value else None


def handle(raw: bytes, *, folder: str, uidvalidity: int, uid: int) -> Handled:
    """Record what the message at ``uid`` means, once: a second call for it records nothing."""
    if InboundMessage.objects.filter(folder=folder, uidvalidity=uidvalidity, uid=uid).exists():
        return Handled(_kind_of_existing(folder, uidvalidity, uid), None)
    where = {"folder": folder, "uidvalidity": uidvalidity, "uid": uid}
    try:
        message = parse(raw)
        sent_at = _date_of(message)
    except Unreadable:
        return _record(InboundMessage(kind=InboundKind.UNREADABLE, **where))
    key = message_key(message)
    if key and InboundMessage.objects.filter(message_key=key).exists():
        # The same message under another UID (copied back, moved twice): handled already.
        return Handled(InboundMessage.objects.get(message_key=key).kind, None)
    try:
        return _classify(message, key=key, sent_at=sent_at, where=where)
    except Unreadable:
        return _record(InboundMessage(kind=InboundKind.UNREADABLE, message_key=key, **where))


def _kind_of_existing(folder, uidvalidity, uid) -> str:
    return InboundMessage.objects.get(folder=folder, uidvalidity=uidvalidity, uid=uid).kind


def _record(inbound: InboundMessage, *, then=None) -> Handled:
    try:
        with transaction.atomic():
            inbound.save()
            if then is not None:
                then(inbound)
    except IntegrityError:
        # Another run got here first: the unique keys make the second write a no-op.
        return Handled(inbound.kind, None)
    return Handled(inbound.kind, inbound)


def _classify(message: EmailMessage, *, key, sent_at, where) -> Handled:
    if message.get_content_type() == "multipart/report":
        return _bounce(message, key=key, sent_at=sent_at, where=where)
    prospect = _prospect_of(message)
    if prospect is None:
        # A prospect's message is theirs whichever address it reached; anything else that
        # carries a rep's token is that rep's copy of their own e-mail.
        token = _dropbox_token(message)
        if token is not None:
            return _rep_copy(message, token=token, key=key, sent_at=sent_at, where=where)
        return _unmatched(key=key, sent_at=sent_at, where=where)
    subject = str(message.get("Subject", ""))[:200]
    text = _text_of(message)
    kept = {"prospect": prospect, "sent_at": sent_at, "subject": subject, "excerpt": _excerpt(text)}
    kept["answers"] = answered_message(message, prospect=prospect)
    if is_automatic(message):
        # Never a contact from the prospect (docs/rules.md §2.2): logged, the clock untouched.
        inbound = InboundMessage(kind=InboundKind.AUTO_REPLY, message_key=key, **kept, **where)
        return _record(inbound, then=lambda i: _log(i, InteractionType.AUTO_REPLY))
    kind = InboundKind.STOP if asks_to_stop(f"{subject}\n{text}") else InboundKind.REPLY
    inbound = InboundMessage(kind=kind, message_key=key, **kept, **where)
    return _record(inbound, then=_reply)


def _unmatched(*, key, sent_at, where) -> Handled:
    return _record(InboundMessage(kind=InboundKind.UNMATCHED, message_key=key, sent_at=sent_at, **where))


# Where a rep's BCC address shows: the envelope (as the delivering server writes it) first.
ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To", "Cc")


def _dropbox_token(message: EmailMessage) -> str | None:
    for name in ENVELOPE_HEADERS:
        for _name, address in getaddresses([str(value) for value in message.get_all(name, [])]):
            token = dropbox.detail_of(address)
            if token is not None:
                return token
    return None


def _rep_copy(message: EmailMessage, *, token: str, key, sent_at, where) -> Handled:
    """A rep's BCC copy of their own one-to-one mail: an ``email_sent`` per prospect it went to.

    Our own send never moves retention and counts towards the frequency cap (G9); only the
    rep's team's prospects are logged, through the blind index. A token of nobody, or no
    recipient who is a prospect of the rep's, leaves the message unmatched.
    """
    rep = dropbox.rep_of(token)
    prospects = _recipients(message, rep=rep) if rep is not None else []
    if not prospects:
        return _unmatched(key=key, sent_at=sent_at, where=where)
    occurred = min(sent_at or timezone.now(), timezone.now())

    def log(inbound: InboundMessage) -> None:
        sent = [
            timeline.record_interaction(p, type=InteractionType.EMAIL_SENT, occurred_at=occurred, by=rep)
            for p in prospects
        ]
        inbound.interaction = sent[0]
        inbound.save(update_fields=["interaction"])

    inbound = InboundMessage(kind=InboundKind.REP_COPY, message_key=key, sent_at=sent_at, rep=rep, **where)
    return _record(inbound, then=log)


def _recipients(message: EmailMessage, *, rep) -> list[Prospect]:
    """The To and Cc of the copy that are prospects the rep may see, each once, in order."""
    found: dict[int, Prospect] = {}
    visible = Prospect.objects.visible_to(rep)
    values = [str(value) for name in ("To", "Cc") for value in message.get_all(name, [])]
    for _name, address in getaddresses(values):
        if dropbox.detail_of(address) is not None:
            continue
        try:
            index = identity.blind_index("email", identity.normalise_email(address))
        except InvalidIdentifier:
            continue
        prospect = visible.filter(email_index=index).first()
        if prospect is not None:
            found.setdefault(prospect.pk, prospect)
    return list(found.values())


def _reply(inbound: InboundMessage) -> None:
    # The prospect wrote: a voluntary contact that moves the retention date (docs/rules.md §2.2).
    _log(inbound, InteractionType.EMAIL_REPLY)
    if inbound.kind == InboundKind.STOP:
        # GDPR 21(3), 12(2): honoured on e-mail at once, confirmed or dismissed by a rep.
        ObjectionProposal.objects.create(prospect=inbound.prospect, inbound=inbound)


def _log(inbound: InboundMessage, type: str) -> None:
    occurred = min(inbound.sent_at or timezone.now(), timezone.now())
    inbound.interaction = timeline.record_interaction(inbound.prospect, type=type, occurred_at=occurred)
    inbound.save(update_fields=["interaction"])


def _bounce(message: EmailMessage, *, key, sent_at, where) -> Handled:
    """RFC 3464: the recipients and their status codes are in the message/delivery-status part."""
    failed, temporary = [], False
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for fields in _status_blocks(part):
            status = fields.get("status", "")
            address = fields.get("final-recipient", "").split(";")[-1].strip()
            if PERMANENT_STATUS.match(status) and address:
                failed.append((address, status.strip()[:16]))
            elif TEMPORARY_STATUS.match(status):
                temporary = True
    if not failed:
        kind = InboundKind.BOUNCE_TEMPORARY if temporary else InboundKind.UNREADABLE
        return _record(InboundMessage(kind=kind, message_key=key, sent_at=sent_at, **where))
    inbound = InboundMessage(kind=InboundKind.BOUNCE_PERMANENT, message_key=key, sent_at=sent_at, **where)
    return _record(inbound, then=lambda _i: _mark_undeliverable(failed))


def _status_blocks(part) -> list[dict[str, str]]:
    """The per-recipient field groups of a delivery-status part, lower-cased names."""
    payload = part.get_payload()
    blocks = []
    if isinstance(payload, list):  # the email package parses each group as a sub-message
        for block in payload:
            blocks.append({name.lower(): str(value) for name, value in block.items()})
        return blocks
    text = payload if isinstance(payload, str) else ""
    for chunk in re.split(r"\r?\n\s*\r?\n", text):
        fields = {}
        for line in chunk.splitlines():
            name, _sep, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        blocks.append(fields)
    return blocks


def _mark_undeliverable(failed: list[tuple[str, str]]) -> None:
    for address, status in failed:
        try:
            index = identity.blind_index("email", identity.normalise_email(address))
        except InvalidIdentifier:
            continue
        UndeliverableAddress.objects.get_or_create(email_index=index, defaults={"status": status})


# The person's own messages, as the timeline and the subject-access export show them.
THEIR_MESSAGES = (InboundKind.REPLY, InboundKind.STOP, InboundKind.AUTO_REPLY)


def read_from(prospect: Prospect):
    """The prospect's messages read from the mailbox, newest first, with what was kept of each."""
    return (
        InboundMessage.objects.filter(prospect=prospect, kind__in=THEIR_MESSAGES)
        .select_related("answers__campaign")
        .order_by("-sent_at", "-id")[:200]
    )


def is_automatic(message: EmailMessage) -> bool:
    """RFC 3834: Auto-Submitted other than "no", X-Autoreply, a machine's Precedence, an
    out-of-office subject."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    if str(message.get("Precedence", "")).strip().lower() in AUTOMATIC_PRECEDENCE:
        return True
    return bool(OUT_OF_OFFICE.search(str(message.get("Subject", ""))))


def asks_to_stop(text: str) -> bool:
    return bool(STOP_WORDS.search(_own_words(text)))


def _own_words(text: str) -> str:
    """The reply above the quoted message: a quote of our own footer ("unsubscribe") is not theirs."""
    lines = []
    for line in text.splitlines():
        if re.match(r"^\s*(On .+ wrote:|Le .+ a écrit\s*:|-----Original Message-----|De\s*:)", line):
            break
        if not line.lstrip().startswith(">"):
            lines.append(line)
    return "\n".join(lines)


def answered_message(message: EmailMessage, *, prospect: Prospect) -> Message | None:
    """The campaign message a reply threads to, by its deterministic Message-ID (content.py).

    Only a message sent to this same prospect: a thread never names who wrote.
    """
    thread = f"{message.get('In-Reply-To', '')} {message.get('References', '')}"
    for campaign_id, message_id in reversed(CAMPAIGN_MESSAGE_ID.findall(thread)):
        found = Message.objects.filter(
            pk=int(message_id), campaign_id=int(campaign_id), prospect=prospect
        ).first()
        if found is not None:
            return found
    return None


def _prospect_of(message: EmailMessage) -> Prospect | None:
    """The sender matched through the blind index: the plaintext address is never searched."""
    for _name, address in getaddresses([str(message.get("From", ""))]):
        try:
            index = identity.blind_index("email", identity.normalise_email(address))
        except InvalidIdentifier:
            continue
        prospect = Prospect.objects.filter(email_index=index).first()
        if prospect is not None:
            return prospect
    return None


def _date_of(message: EmailMessage) -> datetime | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def _text_of(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""
    except (LookupError, ValueError, KeyError, AttributeError) as error:
        raise Unreadable("malformed body") from error


def _excerpt(text: str) -> str:
    words = " ".join(_own_words(text).split())
    return words[:EXCERPT_CHARS]
