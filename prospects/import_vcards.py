"""Business cards as an import file: the cards of a .vcf file as the rows of the import pipeline.

Phones and card-scanning apps export contacts as vCard files (RFC 2426 for 3.0, RFC 6350
for 4.0), one or many cards per file. Each card is parsed by ``vobject``; the file is only
cut into cards here (``BEGIN:VCARD`` ... ``END:VCARD``), a line at a time within the line
length limit and a card count limit (the file refused, naming the limit), so that one
broken card is reported by its position and the others still load; a card beyond the card
size limit is read through without being kept and rejected as too long.

A card becomes a row of fixed columns named after the vCard properties they come from
(``HEADINGS``), mapped to the prospect's fields (``MAPPING``); the rest of the pipeline
(normalising, the suppression list, duplicates, the load) is the one of CSV files. Only
what a prospect record holds is kept (GDPR 5(1)(c)): photos and notes are dropped, and
counted for the report. A card sits on "line" ``position + 1``, as line 1 of a table names
its columns: the report shows the card's position.
"""

import io
from collections.abc import Iterator

import vobject
from django.utils.translation import gettext as _

from prospects.import_files import ImportFileError, Limits, text_encoding

# The columns of a card's row, named after the vCard properties read.
HEADINGS = ["N (given)", "N (family)", "ORG", "TITLE", "EMAIL", "TEL", "LANG", "VCARD"]
# Field -> column: the mapping of every vCard import, fixed (nothing to choose).
MAPPING = {
    "first_name": "N (given)",
    "last_name": "N (family)",
    "company_name": "ORG",
    "job_title": "TITLE",
    "email": "EMAIL",
    "phone": "TEL",
    "language": "LANG",
    "card_error": "VCARD",
}
UNREADABLE = "unreadable"  # the VCARD column of a card vobject could not parse
TOO_LONG = "too_long"  # the VCARD column of a card beyond the card size limit, never held whole
DROPPED = ("photo", "note")


class CardRows:
    """The cards of a .vcf file as ``(line, values)``, line = position + 1; counts what it drops."""

    def __init__(self, path: str, *, encoding: str, limits: Limits):
        self.path = path
        self.encoding = encoding or "utf-8-sig"
        self.limits = limits
        self.dropped = dict.fromkeys(DROPPED, 0)  # cards that held a photo, a note
        self.size = 1
        self.position = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        try:
            with open(self.path, "rb") as raw:
                text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
                for lines in self._cards(text):
                    self.position += 1
                    if self.position > self.limits.max_cards:
                        raise ImportFileError(
                            _("The file holds more than %(limit)s cards, the most one import reads.")
                            % {"limit": self.limits.max_cards}
                        )
                    yield self.position + 1, self._row(lines)
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The file cannot be read as UTF-8 text, as vCard files are.")) from error

    def _cards(self, text: io.TextIOBase) -> Iterator[list[str] | str | None]:
        """The lines of each card; None for a card cut short (a BEGIN before its END), TOO_LONG for
        a card beyond ``max_card_chars``, whose lines are then read to its END and not kept."""
        card: list[str] | None = None
        number, size, too_long = 0, 0, False
        while line := text.readline(self.limits.max_row_chars + 1):
            number += 1
            if len(line) > self.limits.max_row_chars:
                raise ImportFileError(
                    _("Line %(line)s is longer than %(limit)s characters, the limit for one line.")
                    % {"line": number, "limit": self.limits.max_row_chars}
                )
            if "\x00" in line:
                raise ImportFileError(
                    _("Line %(line)s holds a NUL character, which no field can store.") % {"line": number}
                )
            keyword = line.strip().upper()
            if keyword == "BEGIN:VCARD":
                if card is not None:
                    yield TOO_LONG if too_long else None
                card, size, too_long = [line], len(line), False
            elif card is not None:
                size += len(line)
                too_long = too_long or size > self.limits.max_card_chars
                if too_long:
                    card = []  # its lines are not kept: a card is never held beyond the limit
                else:
                    card.append(line)
                if keyword == "END:VCARD":
                    yield TOO_LONG if too_long else card
                    card = None
        if card is not None:
            yield TOO_LONG if too_long else None

    def _row(self, lines: list[str] | str | None) -> list[str]:
        if lines == TOO_LONG:
            return ["", "", "", "", "", "", "", TOO_LONG]
        try:
            card = vobject.readOne("".join(lines)) if lines else None
        except Exception:  # vobject raises ParseError and others on a broken card
            card = None
        if card is None or card.name != "VCARD":
            return ["", "", "", "", "", "", "", UNREADABLE]
        for name in DROPPED:
            if name in card.contents:
                self.dropped[name] += 1
        given, family = _names(card)
        return [
            given,
            family,
            _first(card, "org"),
            _first(card, "title"),
            _preferred(card, "email"),
            _preferred(card, "tel").removeprefix("tel:"),
            _first(card, "lang").split("-")[0],
            "",
        ]


def _text(value) -> str:
    if isinstance(value, list | tuple):
        value = next((part for part in value if part), "")
    return str(value or "").strip()


def _first(card, name: str) -> str:
    found = card.contents.get(name)
    return _text(found[0].value) if found else ""


def _names(card) -> tuple[str, str]:
    """Given and family names from N, else from FN (its last word the family name)."""
    if "n" in card.contents:
        name = card.contents["n"][0].value
        given, family = _text(getattr(name, "given", "")), _text(getattr(name, "family", ""))
        if given or family:
            return given, family
    words = _first(card, "fn").rsplit(" ", 1)
    return (words[0], words[1]) if len(words) == 2 else ("", words[0])


def _preferred(card, name: str) -> str:
    """Of several e-mails or phones, the work one first, then the preferred one, else the first."""
    lines = card.contents.get(name, [])

    def rank(line) -> tuple[int, int]:
        types = {kind.lower() for value in line.params.get("TYPE", []) for kind in value.split(",")}
        preferred = "pref" in types or bool(line.params.get("PREF"))
        return (0 if "work" in types else 1, 0 if preferred else 1)

    values = sorted((line for line in lines if _text(line.value)), key=rank)
    return _text(values[0].value) if values else ""


def vcard_encoding(path: str) -> str:
    """The encoding of a .vcf file from its start (UTF-8 in practice; a BOM is honoured)."""
    with open(path, "rb") as raw:
        sample = raw.read(64 * 1024)
    return text_encoding(sample)
