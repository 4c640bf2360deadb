"""The rows of an import file: reading CSV and XLSX as a stream, and checking each row.

A file is never held whole in memory: CSV is read record by record from a text stream,
XLSX through openpyxl's read-only mode. Each row is normalised here, in Python, because
that part needs Python (E.164 phones, canonical LinkedIn URLs, the keyed blind index,
encryption at rest); what needs the whole file or the database (duplicates, the
suppression list, prospects already recorded) is left to SQL (import_staging.py).

Line numbers are the row numbers a spreadsheet shows for the file: the heading row is
line 1 and the first prospect line 2.
"""

import codecs
import csv
import functools
import io
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _

from prospects.audience import Audience, automatic_audience
from prospects.identity import Normaliser, blind_indexes, encrypt_many
from prospects.import_files import (
    BoundedLines,
    ImportFileError,
    Limits,
    check_row,
    check_workbook,
    text_encoding,
)
from prospects.import_vcards import HEADINGS as VCARD_HEADINGS
from prospects.import_vcards import TOO_LONG as CARD_TOO_LONG
from prospects.import_vcards import UNREADABLE, CardRows
from prospects.models import (
    ImportJob,
    ImportRejection,
    Language,
    ProductCategory,
    Prospect,
    Stage,
    StageOutcome,
)
from prospects.provenance import TOOL_NAMES

Reason = ImportRejection.Reason

# What a column can be mapped to. ``origin`` is the row's own collection channel, as
# some brokers deliver it: it is screened for harvesting tools and not kept.
FIELDS = (
    "first_name",
    "last_name",
    "job_title",
    "company_name",
    "email",
    "phone",
    "linkedin_url",
    "language",
    "origin",
    # Optional pipeline columns (docs/rules.md §1.8): a stage by name, and the sale.
    "stage",
    "customer_since",
    "customer_category",
    "customer_ended",
)
CONTACT_FIELDS = ("email", "phone", "linkedin_url")
MAX_LENGTHS = {
    "first_name": Prospect._meta.get_field("first_name").max_length,
    "last_name": Prospect._meta.get_field("last_name").max_length,
    "job_title": Prospect._meta.get_field("job_title").max_length,
    "company_name": 200,
}
LANGUAGES = {
    "": Language.FR,
    "fr": Language.FR,
    "french": Language.FR,
    "francais": Language.FR,
    "en": Language.EN,
    "english": Language.EN,
    "anglais": Language.EN,
}
# Headings seen in broker deliveries, badge-scan exports and team spreadsheets (FR and EN).
HEADINGS = {
    "first_name": ("first name", "firstname", "prenom", "given name"),
    "last_name": ("last name", "lastname", "nom", "nom de famille", "surname", "family name"),
    "job_title": ("job title", "title", "position", "fonction", "poste", "job"),
    "company_name": ("company", "company name", "organisation", "organization", "societe", "entreprise"),
    "email": ("email", "e mail", "mail", "email address", "courriel", "adresse email", "adresse e mail"),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "portable", "work phone"),
    "linkedin_url": (
        "linkedin",
        "linkedin url",
        "linkedin profile",
        "linkedin profile url",
        "profil linkedin",
        "lien linkedin",
        "url linkedin",
        "profile url",
        "public profile url",
        "url",
    ),
    "language": ("language", "langue", "lang"),
    "origin": ("origin", "origine", "collected with", "collection channel"),
    "stage": ("stage", "etape", "pipeline stage"),
    "customer_since": ("customer since", "client depuis", "first sale", "date de vente"),
    "customer_category": ("what was sold", "product category", "categorie", "categorie produit"),
    "customer_ended": ("relationship ended", "end of relationship", "fin de relation"),
}

ENCODING_NAMES = {
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-32": "UTF-32",
}
# The columns of a staged row, in order (import_staging.STAGING_COLUMNS).
EMPTY = ("", "", "", "", "", "", None, "", None, "", None, "")
NO_PIPELINE = (None, None, None, None)  # stage, customer since, category, end of relationship


def file_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in (".csv", ".txt"):
        return ImportJob.Format.CSV
    if suffix == ".xlsx":
        return ImportJob.Format.XLSX
    if suffix == ".vcf":
        return ImportJob.Format.VCARD
    raise ImportFileError(_("Upload a .csv, .xlsx or .vcf file."))


def sniff_csv(path: str) -> tuple[str, str]:
    """The encoding (import_files.text_encoding) and the delimiter of a CSV file, from its start."""
    with open(path, "rb") as raw:
        sample = raw.read(64 * 1024)
    encoding = text_encoding(sample)
    # Not final: the sample may end in the middle of a character.
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
    try:
        delimiter = csv.Sniffer().sniff("\n".join(text.splitlines()[:20]), delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return encoding, delimiter


def heading_key(heading: str) -> str:
    text = unicodedata.normalize("NFKD", str(heading or "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[_\-.]+", " ", text).lower().split())


# The columns of LinkedIn's export of a member's connections (Connections.csv); "Connected On"
# is its own, and the file starts with a "Notes:" preamble before them.
LINKEDIN_EXPORT_COLUMNS = {"first name", "last name", "connected on"}


def is_linkedin_export(headings: list[str], first_rows: list[list[str]]) -> bool:
    """Whether a file is LinkedIn's Connections.csv, with or without its preamble (§1.7)."""
    if headings and str(headings[0]).strip().lower() == "notes:":
        return True
    return any(
        {heading_key(cell) for cell in row} >= LINKEDIN_EXPORT_COLUMNS for row in [headings, *first_rows]
    )


def guess_mapping(headings: list[str]) -> dict[str, str]:
    """Field -> heading, for the headings that a known synonym names."""
    keys = {heading_key(heading): heading for heading in headings}
    mapping = {}
    for name, synonyms in HEADINGS.items():
        found = next((keys[key] for key in (heading_key(name), *synonyms) if key in keys), None)
        if found is not None and found not in mapping.values():
            mapping[name] = found
    return mapping


class FileRows:
    """The data rows of a job's file, streamed as ``(line, [text, ...])``; knows how far it got.

    Every row is read within the limits of import_files.py: a file beyond them raises
    ImportFileError naming the limit, before the row is held whole in memory.
    """

    def __init__(self, job: ImportJob, *, limits: Limits | None = None):
        self.job = job
        self.limits = limits or Limits.from_settings()
        self.headings: list[str] = []
        self._fraction = lambda: 0.0

    def fraction(self) -> float:
        """How much of the file has been read, from 0 to 1."""
        return min(1.0, self._fraction())

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        if self.job.file_format == ImportJob.Format.XLSX:
            return self._xlsx()
        if self.job.file_format == ImportJob.Format.VCARD:
            return self._vcard()
        return self._csv()

    def _vcard(self) -> Iterator[tuple[int, list[str]]]:
        cards = CardRows(self.job.path, encoding=self.job.encoding, limits=self.limits)
        self.cards, self.headings = cards, list(VCARD_HEADINGS)
        total = max(self.job.rows_total or 0, 1)
        self._fraction = lambda: cards.position / total
        yield from cards
        self._fraction = lambda: 1.0

    def _csv(self) -> Iterator[tuple[int, list[str]]]:
        try:
            with open(self.job.path, "rb") as raw:
                size = os.fstat(raw.fileno()).st_size or 1
                self._fraction = lambda: raw.tell() / size
                text = io.TextIOWrapper(raw, encoding=self.job.encoding or "utf-8-sig", newline="")
                delimiter = self.job.delimiter or ","
                lines = BoundedLines(text, limits=self.limits, delimiter=delimiter)
                reader = csv.reader(lines, delimiter=delimiter)
                for values in reader:
                    line = lines.line
                    lines.record_done(values)
                    if line == 1:
                        self.headings = [cell.strip() for cell in values]
                    else:
                        yield line, values
                self._fraction = lambda: 1.0
        except UnicodeDecodeError as error:
            encoding = ENCODING_NAMES.get(self.job.encoding, self.job.encoding)
            raise ImportFileError(
                _("The file cannot be read as %(encoding)s text, the encoding its start shows.")
                % {"encoding": encoding}
            ) from error
        except csv.Error as error:
            raise ImportFileError(_("The file is not valid CSV: %(error)s") % {"error": error}) from error

    def _xlsx(self) -> Iterator[tuple[int, list[str]]]:
        check_workbook(self.job.path, self.limits)
        try:
            book = openpyxl.load_workbook(self.job.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook.
            raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
        try:
            sheet = book.worksheets[0]
            first, last = sheet.min_row or 1, sheet.max_row or 1
            rows = sheet.iter_rows(values_only=True)
            self.headings = self._cells(first, next(rows, ()))
            self.headings = [heading.strip() for heading in self.headings]
            for line, values in enumerate(rows, start=first + 1):
                self._fraction = lambda line=line: line / last
                yield line, self._cells(line, values)
            self._fraction = lambda: 1.0
        finally:
            book.close()

    def _cells(self, line: int, values: tuple) -> list[str]:
        cells = [cell_text(value) for value in values]
        check_row(line, cells, self.limits)
        return cells


def cell_text(value) -> str:
    """A spreadsheet cell as text: numbers without a trailing .0 (phones), dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class RowChecker:
    """Turns the cells of rows into staged rows: normalised, indexed, encrypted, or rejected.

    Rows are checked a chunk at a time (``stage_many``): each row's rules run in Python in
    the order below, then the chunk's identifiers are indexed and encrypted field by field,
    with the keys looked up once for the chunk rather than once per value.
    """

    columns: dict[str, int]  # field -> position in the row
    source_type: str
    company_only: bool = False
    language: str = ""  # every row's, when no column gives it (the job's, asked at the mapping)
    normaliser: Normaliser = field(default_factory=Normaliser, compare=False, repr=False)
    names: "PipelineNames" = field(default_factory=lambda: PipelineNames.load(), compare=False, repr=False)

    @classmethod
    def for_job(cls, job: ImportJob, headings: list[str]) -> "RowChecker":
        position = {heading: index for index, heading in enumerate(headings)}
        missing = [column for column in job.mapping.values() if column not in position]
        if missing:
            raise ImportFileError(_("The file has no column “%(column)s”.") % {"column": missing[0]})
        columns = {name: position[column] for name, column in job.mapping.items()}
        return cls(columns, job.source_type, job.company_only, job.language)

    def stage(self, line: int, values: list[str]) -> tuple | None:
        """The staged row for ``line``, or None for an empty line (skipped, not reported)."""
        staged = self.stage_many([(line, values)])
        return staged[0] if staged else None

    def stage_many(self, rows: list[tuple[int, list[str]]]) -> list[tuple]:
        """The staged rows of ``(line, values)`` pairs, in order; empty lines are left out."""
        columns = list(self.columns.items())
        checked = []
        for line, values in rows:
            size = len(values)
            cells = {name: values[index].strip() if index < size else "" for name, index in columns}
            if not any(cells.values()):
                continue
            try:
                checked.append((line, self._checked(cells)))
            except Rejected as rejection:
                checked.append((line, rejection))
        kept = [row for _line, row in checked if not isinstance(row, Rejected)]
        stored = iter(_stored(kept))
        return [
            (line, *EMPTY, row.reason, row.field, *NO_PIPELINE)
            if isinstance(row, Rejected)
            else (line, *next(stored))
            for line, row in checked
        ]

    def _checked(self, cells: dict[str, str]) -> tuple:
        """(first name, last name, job title, company, language, email, phone, LinkedIn, audience)."""
        if cells.get("card_error") == UNREADABLE:
            raise Rejected(Reason.UNREADABLE_CARD, "card_error")
        if cells.get("card_error") == CARD_TOO_LONG:
            raise Rejected(Reason.TOO_LONG, "card_error")
        if TOOL_NAMES.search(cells.get("origin", "")):
            raise Rejected(Reason.SCRAPING, "origin")
        for name in ("first_name", "last_name"):
            if self.company_only and cells.get(name):
                raise Rejected(Reason.NAMED_IN_COMPANY_FILE, name)
            if not self.company_only and not cells.get(name):
                raise Rejected(Reason.MISSING_NAME, name)
        if self.company_only and not cells.get("company_name"):
            raise Rejected(Reason.MISSING_COMPANY, "company_name")
        email, phone, linkedin, malformed = self.normaliser.identifiers(
            cells.get("email", ""), cells.get("phone", ""), cells.get("linkedin_url", "")
        )
        if malformed:
            raise Rejected(MALFORMED[malformed], malformed)
        for name, limit in MAX_LENGTHS.items():
            if len(cells.get(name, "")) > limit:
                raise Rejected(Reason.TOO_LONG, name)
        if "language" in self.columns:
            language = _language(cells["language"])
        else:
            language = self.language or Language.FR  # only a job begun before it was asked
        if language is None:
            raise Rejected(Reason.UNKNOWN_LANGUAGE, "language")
        if not (email or phone or linkedin):
            raise Rejected(Reason.NO_CONTACT_POINT, "")
        # The same rule as the forms and the API (docs/rules.md §1.2): an unknown line is private.
        audience = automatic_audience(email=email, phone=phone)
        if self.company_only and (audience != Audience.B2B_GENERIC or linkedin):
            # A company record holds only a company or department coordinate (docs/rules.md §1.2).
            raise Rejected(Reason.PERSONAL_COORDINATE, "linkedin_url" if linkedin else "email")
        return (
            cells["first_name"],
            cells["last_name"],
            cells.get("job_title", ""),
            cells.get("company_name", ""),
            language,
            email,
            phone,
            linkedin,
            audience,
            self._pipeline(cells),
        )

    def _pipeline(self, cells: dict[str, str]) -> tuple:
        """(stage id, customer since, category id, end of relationship) from the optional columns."""
        stage = self.names.stage(cells.get("stage", ""))
        category = self.names.category(cells.get("customer_category", ""))
        since, ended = (
            _date(cells.get(name, ""), field=name) for name in ("customer_since", "customer_ended")
        )
        if since is not None and ended is not None and ended < since:
            raise Rejected(Reason.MALFORMED_DATE, "customer_ended")
        if stage in self.names.won and since is None:
            # A won stage is a sale: a customer from the import day unless the file says when.
            since = timezone.localdate()
        return (stage, since, category, ended)


@dataclass(frozen=True)
class PipelineNames:
    """The stages and categories by name, read once per file: a cell names one or is refused."""

    stages: dict[str, int]
    categories: dict[str, int]
    won: frozenset[int]

    @classmethod
    def load(cls) -> "PipelineNames":
        stages = list(Stage.objects.values_list("name", "pk", "outcome"))
        return cls(
            stages={name.casefold(): pk for name, pk, _outcome in stages},
            categories={
                name.casefold(): pk for name, pk in ProductCategory.objects.values_list("name", "pk")
            },
            won=frozenset(pk for _name, pk, outcome in stages if outcome == StageOutcome.WON),
        )

    def stage(self, text: str) -> int | None:
        return self._pick(self.stages, text, Reason.UNKNOWN_STAGE, "stage")

    def category(self, text: str) -> int | None:
        return self._pick(self.categories, text, Reason.UNKNOWN_CATEGORY, "customer_category")

    @staticmethod
    def _pick(names: dict[str, int], text: str, reason: str, column: str) -> int | None:
        if not text:
            return None
        if text.casefold() not in names:
            raise Rejected(reason, column)
        return names[text.casefold()]


def _date(text: str, *, field: str) -> date | None:
    if not text:
        return None
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text[:10], layout).date()
        except ValueError:
            continue
        if day > timezone.localdate():
            break
        return day
    raise Rejected(Reason.MALFORMED_DATE, field)


class Rejected(Exception):
    def __init__(self, reason: str, field: str):
        super().__init__(reason)
        self.reason = reason
        self.field = field


MALFORMED = {
    "email": Reason.MALFORMED_EMAIL,
    "phone": Reason.MALFORMED_PHONE,
    "linkedin_url": Reason.MALFORMED_LINKEDIN,
}


@functools.lru_cache(maxsize=256)
def _language(text: str) -> str | None:
    """The language a cell names ("" is French), or None; a file repeats a handful of spellings."""
    return LANGUAGES.get(heading_key(text))


def _stored(rows: list[tuple]) -> Iterator[tuple]:
    """The staging rows of checked rows: each identifier encrypted (the URL kept) and indexed,
    one call per field for the whole chunk."""
    emails = [row[5] for row in rows]
    phones = [row[6] for row in rows]
    linkedins = [row[7] for row in rows]
    columns = zip(
        encrypt_many(emails),
        blind_indexes("email", emails),
        encrypt_many(phones),
        blind_indexes("phone", phones),
        linkedins,
        blind_indexes("linkedin", linkedins),
        strict=True,
    )
    for row, identifiers in zip(rows, columns, strict=True):
        yield (*row[:5], *identifiers, row[8], None, "", *row[9])
