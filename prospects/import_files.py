"""The limits an import file is read within, checked by the worker before and while it reads.

A file of a few hundred kilobytes can hold 100,000 columns or, zipped, millions of shared
strings: read whole, it takes a process's memory or minutes. The web request only stores
the upload, within ``max_bytes`` (prospects/import_uploads.py); a worker task reads it
(``importing.inspect``) with these caps, each refused with a message naming the limit:

- columns per row (``max_columns``) and characters per row (``max_row_chars``), counted
  on the text as it is read, so that a record never grows past the limit in memory;
- for a workbook, the size its zip members unpack to (``max_xlsx_bytes``, from the zip's
  directory, which Python's zipfile enforces while it decompresses) and the number of
  shared strings (``max_shared_strings``, counted by streaming the part openpyxl would
  load whole), both before openpyxl opens it.

Text is UTF-8 (with or without a byte-order mark), UTF-16 or UTF-32 with a byte-order
mark, UTF-16 without one when its zero bytes show it, else Windows-1252; a NUL character
is refused, since no database column can hold it.
"""

import codecs
import io
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.packaging.manifest import Manifest
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
from openpyxl.xml.functions import fromstring

MEGABYTE = 1024 * 1024
# Byte-order marks, the longer first: UTF-32-LE's begins with UTF-16-LE's.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ImportFileError(ValueError):
    """A file that cannot be read as a table of prospects; the message says why."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_columns: int
    max_row_chars: int
    max_xlsx_bytes: int
    max_shared_strings: int
    max_cards: int
    max_card_chars: int

    @classmethod
    def from_settings(cls) -> "Limits":
        values = settings.LOYAL_IMPORT
        return cls(**{name: values[name] for name in cls.__dataclass_fields__})


def megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.0f} MB" if size >= MEGABYTE else f"{size / 1024:.0f} KB"


# --- Text ------------------------------------------------------------------------------------


def text_encoding(sample: bytes) -> str:
    """The encoding of a CSV file from its first bytes; raise ImportFileError if it is not text."""
    for bom, encoding in BOMS:
        if sample.startswith(bom):
            return encoding
    if b"\x00" in sample:
        # UTF-16 without a mark: ASCII text has a zero byte in every other position.
        even, odd = sample[0::2], sample[1::2]
        if odd and odd.count(0) > len(odd) * 0.4:
            return "utf-16-le"
        if even and even.count(0) > len(even) * 0.4:
            return "utf-16-be"
        raise ImportFileError(
            _("The file holds NUL bytes and is not text: save it as CSV in UTF-8 and upload it again.")
        )
    try:
        # Not final: the sample may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


class BoundedLines:
    """The lines of a text stream for ``csv.reader``, a record at a time within the limits.

    ``record_done()`` is called after each record: the characters read since then are the
    record's, so that a record (whose quoted cells may span lines) never passes the limit.
    """

    def __init__(self, text: io.TextIOBase, *, limits: Limits, delimiter: str):
        self.text = text
        self.limits = limits
        self.delimiter = delimiter
        self.line = 1  # the spreadsheet line of the record being read
        self._pending = 0

    def __iter__(self) -> "BoundedLines":
        return self

    def __next__(self) -> str:
        text = self.text.readline(self.limits.max_row_chars + 1)
        if not text:
            raise StopIteration
        self._pending += len(text)
        if "\x00" in text:
            raise ImportFileError(
                _("Line %(line)s holds a NUL character, which no field can store.") % {"line": self.line}
            )
        if self._pending > self.limits.max_row_chars:
            if text.count(self.delimiter) >= self.limits.max_columns:
                raise too_many_columns(self.line, self.limits)
            raise ImportFileError(
                _("Line %(line)s is longer than %(limit)s characters, the limit for one row.")
                % {"line": self.line, "limit": self.limits.max_row_chars}
            )
        return text

    def record_done(self, cells: list[str]) -> None:
        check_row(self.line, cells, self.limits)
        self.line += 1
        self._pending = 0


def too_many_columns(line: int, limits: Limits) -> ImportFileError:
    return ImportFileError(
        _(
            "Line %(line)s has more than %(limit)s columns, the most an import reads: "
            "keep only the columns to import."
        )
        % {"line": line, "limit": limits.max_columns}
    )


def check_row(line: int, cells: list[str], limits: Limits) -> None:
    """Refuse a row beyond the column or length limits (trailing empty cells do not count)."""
    used = len(cells)
    while used and not cells[used - 1]:
        used -= 1
    if used > limits.max_columns:
        raise too_many_columns(line, limits)
    if sum(len(cell) for cell in cells) > limits.max_row_chars:
        raise ImportFileError(
            _("Line %(line)s is longer than %(limit)s characters, the limit for one row.")
            % {"line": line, "limit": limits.max_row_chars}
        )


# --- Workbooks -------------------------------------------------------------------------------


def check_workbook(path: str, limits: Limits) -> None:
    """Refuse a workbook that unpacks too large or holds too many shared strings, before openpyxl."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    with archive:
        unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > limits.max_xlsx_bytes:
            raise ImportFileError(
                _("The workbook unpacks to %(size)s, more than the limit of %(limit)s.")
                % {"size": megabytes(unpacked), "limit": megabytes(limits.max_xlsx_bytes)}
            )
        part = _shared_strings_part(archive)
        if part is not None:
            _count_shared_strings(archive, part, limits)


def _shared_strings_part(archive: zipfile.ZipFile) -> str | None:
    """The member openpyxl loads the shared strings from: the one the content types name."""
    try:
        manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    except (KeyError, ParseError, TypeError, ValueError) as error:
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    found = manifest.find(SHARED_STRINGS)
    return found.PartName.lstrip("/") if found is not None else None


def _count_shared_strings(archive: zipfile.ZipFile, part: str, limits: Limits) -> None:
    count, root = 0, None
    try:
        with archive.open(part) as stream:
            for event, element in iterparse(stream, events=("start", "end")):
                if root is None:
                    root = element
                if event == "end" and element.tag.rpartition("}")[2] == "si":
                    count += 1
                    root.clear()  # only the count is kept
                    if count > limits.max_shared_strings:
                        raise ImportFileError(
                            _(
                                "The workbook holds more than %(limit)s distinct texts "
                                "(shared strings), the limit for an import."
                            )
                            % {"limit": limits.max_shared_strings}
                        )
    except (KeyError, ParseError, DefusedXmlException, zipfile.BadZipFile) as error:
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
