"""Bulk import: a file of prospects with one provenance for the whole file.

A broker delivery, an event's badge scans or a team's spreadsheet is loaded in three
steps, each resumable:

1. stage: the file is streamed, a chunk of rows at a time normalised, indexed, encrypted
   or rejected in Python (import_rows.py) and written to a staging table;
2. check: the suppression list, prospects already recorded and duplicates within the
   file are marked in SQL over the whole staging table (import_staging.py);
3. load: batches of lines go into companies, prospects, sources and their history with
   ``INSERT ... SELECT``, each batch committed with the job's watermark, after a last
   look at the suppression list for the batch's rows. Once done, the tables it filled
   are analysed, so that the planner knows of their new rows.

Every rejected row is reported by line number and reason (``ImportRejection``), never
by its content. The same rules as ``intake.create_prospect`` apply: provenance evidence
(scraping refused, CNIL KASPR 2024; LinkedIn contacts never in bulk, docs/rules.md §1.7),
identifiers normalised, audience classified, and a person on the suppression list is never
recorded again (Art. 21(3)).
"""

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.accounts import team_of
from org.roles import Role, has_role
from prospects import import_vcards, provenance, retention
from prospects.import_rows import (
    CONTACT_FIELDS,
    FIELDS,
    FileRows,
    ImportFileError,
    RowChecker,
    file_format,
    guess_mapping,
    is_linkedin_export,
    sniff_csv,
)
from prospects.import_staging import Staging, advance, record_progress
from prospects.models import ImportJob, Language, SourceType

BATCH_SIZE = 5000  # lines per committed load batch
STAGE_CHUNK = 5000  # rows per COPY into the staging table
# Share of the progress bar taken by each step (staging is where Python does the work).
STAGED_AT, CHECKED_AT = 80, 85
PREVIEW_ROWS = 5  # first rows shown on the mapping page
INSPECTED_FIELDS = ("encoding", "delimiter", "fingerprint", "headings", "rows_total", "preview")

Progress = Callable[[ImportJob], None]

__all__ = [
    "BATCH_SIZE",
    "FIELDS",
    "ImportFileError",
    "begin",
    "create_job",
    "guess_mapping",
    "inspect",
    "preview",
    "resumable",
    "run",
]


def create_job(
    *,
    path: str,
    filename: str,
    source_type: str,
    evidence: dict,
    owner,
    by,
    uploaded: bool = False,
    company_only: bool = False,
) -> ImportJob:
    """Record an import whose file a worker is to read (``inspect``); raise ValidationError naming
    the field. Nothing here opens the file: a hostile one cannot hold the web request."""
    errors: dict[str, list[str]] = {}
    cleaned = _clean_provenance(source_type, evidence, errors)
    if not has_role(owner, Role.SALES) or not owner.is_active:
        errors.setdefault("owner", []).append(_("Imported prospects belong to an active sales rep."))
    try:
        kind = file_format(filename)
    except ImportFileError as error:
        errors.setdefault("file", []).append(str(error))
    else:
        if kind == ImportJob.Format.VCARD and source_type != SourceType.BUSINESS_CARD:
            # A .vcf file holds business cards: their provenance is the card's, asked once.
            errors.setdefault("source_type", []).append(
                _("A .vcf file holds business cards: choose the source “Business card”.")
            )
        if kind == ImportJob.Format.VCARD and company_only:
            # A business card names its holder: it is a person's record (docs/rules.md §1.2).
            errors.setdefault("company_only", []).append(
                _("A business card names a person: a .vcf file cannot be a file of company records.")
            )
    if errors:
        raise ValidationError(errors)
    return ImportJob.objects.create(
        filename=Path(filename).name[:255],
        path=str(path),
        uploaded=uploaded,
        file_format=kind,
        status=ImportJob.Status.INSPECTING,
        source_type=source_type,
        evidence=cleaned,
        company_only=company_only,
        owner=owner,
        created_by=by,
    )


def inspect(job: ImportJob) -> ImportJob:
    """In a worker: read the whole file within the limits (import_files.py), count its rows and
    keep its headings and first rows for the mapping page; a file beyond a limit fails the job
    with a message naming it, and an uploaded copy is deleted at once."""
    if job.status != ImportJob.Status.INSPECTING:
        return job
    try:
        if job.file_format == ImportJob.Format.CSV:
            job.encoding, job.delimiter = sniff_csv(job.path)
        elif job.file_format == ImportJob.Format.VCARD:
            job.encoding = import_vcards.vcard_encoding(job.path)
        reader = FileRows(job)
        first, last_line = [], 1
        for line, values in reader:
            last_line = line
            if len(first) < PREVIEW_ROWS and any(value.strip() for value in values):
                first.append(values)
        if job.file_format == ImportJob.Format.VCARD and last_line == 1:
            raise ImportFileError(_("The file holds no business card (BEGIN:VCARD … END:VCARD)."))
        if is_linkedin_export(reader.headings, first):
            # docs/rules.md §1.7: a member's connections are never imported, whatever the type chosen.
            raise ImportFileError(provenance.linkedin_connections_refusal())
        if not any(reader.headings):
            raise ImportFileError(_("The file is empty: its first line must name the columns."))
    except (ImportFileError, OSError) as error:
        message = str(error) if isinstance(error, ImportFileError) else _("The uploaded file is gone.")
        _fail(job, message)
        if job.uploaded:
            Path(job.path).unlink(missing_ok=True)
        return job
    job.fingerprint = fingerprint(job.path)
    job.headings, job.rows_total, job.preview = reader.headings, last_line - 1, json.dumps(first)
    job.status, job.heartbeat_at = ImportJob.Status.DRAFT, timezone.now()
    fields = [*INSPECTED_FIELDS, "status", "heartbeat_at"]
    if job.file_format == ImportJob.Format.VCARD:
        # A card's properties are its columns: the mapping is fixed and the import starts at once.
        job.mapping, job.status, job.preview = dict(import_vcards.MAPPING), ImportJob.Status.QUEUED, ""
        job.dropped_photos, job.dropped_notes = reader.cards.dropped["photo"], reader.cards.dropped["note"]
        fields += ["mapping", "dropped_photos", "dropped_notes"]
    job.save(update_fields=fields)
    return job


def preview(job: ImportJob) -> tuple[list[str], list[list[str]]]:
    """The headings and first rows the worker read, to choose the column mapping."""
    return list(job.headings), json.loads(job.preview or "[]")


def _clean_provenance(source_type: str, evidence: dict, errors: dict) -> dict:
    """One provenance for the whole file, checked as intake.py checks a single prospect's."""
    if source_type in provenance.LINKEDIN_TYPES:
        # docs/rules.md §1.7: LinkedIn contacts are taken in one by one by the connected rep;
        # a file of them is a bulk export of one's connections, refused at the door.
        errors.setdefault("source.type", []).append(provenance.linkedin_file_refusal())
        return {}
    try:
        return provenance.clean_evidence(source_type, evidence)
    except provenance.ProvenanceError as error:
        errors.setdefault(f"source.{error.field}", []).append(error.message)
        return {}


def fingerprint(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def begin(job: ImportJob, *, mapping: dict[str, str], language: str = "") -> ImportJob:
    """Fix the column mapping (field -> column heading) and queue the job; without a language
    column, ``language`` is every row's (asked once, never assumed: notices and messages go out
    in it, GDPR 12(1))."""
    mapping = {name: column for name, column in mapping.items() if column}
    if job.status != ImportJob.Status.DRAFT:
        raise ValidationError({"mapping": [_("The file has not been read yet.")]})
    headings = job.headings
    errors = []
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        errors.append(_("Unknown field “%(field)s”.") % {"field": unknown[0]})
    missing = [column for column in mapping.values() if column not in headings]
    if missing:
        errors.append(_("The file has no column “%(column)s”.") % {"column": missing[0]})
    if job.company_only and "company_name" not in mapping:
        errors.append(_("A file of company records needs the column holding the company's name."))
    elif not job.company_only and not {"first_name", "last_name"} <= set(mapping):
        errors.append(_("Choose the columns holding the first and the last name."))
    if not set(CONTACT_FIELDS) & set(mapping):
        errors.append(
            _("Choose at least one column holding a work email, a work phone or a LinkedIn profile.")
        )
    if "language" not in mapping and language not in Language.values:
        raise ValidationError(
            {"language": [_("The file has no language column: choose the language of its people.")]}
            | ({"mapping": errors} if errors else {})
        )
    if errors:
        raise ValidationError({"mapping": errors})
    job.language = "" if "language" in mapping else language
    job.mapping = mapping
    job.status = ImportJob.Status.QUEUED
    job.heartbeat_at = timezone.now()
    job.preview = ""  # the first rows were for choosing the mapping
    job.save(update_fields=["mapping", "language", "status", "heartbeat_at", "preview"])
    return job


def stalled(*, minutes: int, now=None):
    """Queued or running imports silent for ``minutes``: their task was lost with the broker
    or died with its worker. Work derives from the database, so they can be sent again."""
    since = (now or timezone.now()) - timedelta(minutes=minutes)
    active = [ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    return ImportJob.objects.filter(status__in=active, heartbeat_at__lt=since)


def resumable(*, fingerprint: str, source_type: str, owner) -> ImportJob | None:
    """The unfinished import of the same file, provenance and owner, to be started again."""
    unfinished = [ImportJob.Status.QUEUED, ImportJob.Status.RUNNING, ImportJob.Status.FAILED]
    return (
        ImportJob.objects.filter(
            fingerprint=fingerprint, source_type=source_type, owner=owner, status__in=unfinished
        )
        .order_by("-created_at", "-id")
        .first()
    )


def run(job: ImportJob, *, batch_size: int = BATCH_SIZE, on_progress: Progress | None = None) -> ImportJob:
    """Stage, check and load the job's file, resuming after its last committed step."""
    report = on_progress or (lambda job: None)
    with _claimed(job) as claimed:
        if not claimed:
            return job
        job.refresh_from_db()  # another run may have moved it on
        if job.status in (ImportJob.Status.INSPECTING, ImportJob.Status.DRAFT, ImportJob.Status.DONE):
            return job
        if job.source_type in provenance.LINKEDIN_TYPES:
            # A job queued before LinkedIn files were refused (docs/rules.md §1.7) never loads.
            _fail(job, provenance.linkedin_file_refusal())
            return job
        _start(job)
        staging = Staging(job)
        try:
            if not job.staged:
                _stage(job, staging, report)
            if not job.checked:
                _check(job, staging)
            _load(job, staging, batch_size, report)
        except ImportFileError as error:
            _fail(job, str(error))
            return job
        except Exception:
            _fail(
                job,
                _("The import stopped on an unexpected error; started again, it resumes where it stopped."),
            )
            raise
        _finish(job, staging)
        report(job)
    return job


@contextlib.contextmanager
def _claimed(job: ImportJob) -> Iterator[bool]:
    """One run per job at a time: a PostgreSQL session lock, released even if the process dies."""
    if connection.vendor != "postgresql":
        yield True  # SQLite lets one transaction write at a time; batches re-check the watermark.
        return
    key = ["loyal.import", job.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)", key)
        claimed = cursor.fetchone()[0]
    try:
        yield claimed
    finally:
        if claimed:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", key)


def _start(job: ImportJob) -> None:
    changes = {"status": ImportJob.Status.RUNNING, "error": ""}
    if job.started_at is None:
        changes["started_at"] = timezone.now()
    record_progress(job, **changes)


def _stage(job: ImportJob, staging: Staging, report: Progress) -> None:
    """Stream the file into the staging table; lines staged by an earlier run are skipped."""
    staging.create()
    done = staging.last_staged_line()
    rows = FileRows(job)
    checker, chunk, last_line = None, [], 0
    for line, values in rows:
        checker = checker or RowChecker.for_job(job, rows.headings)
        last_line = line
        if line <= done:
            continue
        chunk.append((line, values))
        if len(chunk) >= STAGE_CHUNK:
            _write(job, staging, checker.stage_many(chunk), line, int(rows.fraction() * STAGED_AT))
            report(job)
            chunk = []
    _write(job, staging, checker.stage_many(chunk) if chunk else [], last_line, STAGED_AT)
    record_progress(job, staged=True, last_line=last_line)


def _write(job: ImportJob, staging: Staging, chunk: list[tuple], line: int, progress: int) -> None:
    with transaction.atomic():
        if chunk:
            staging.write(chunk)
        record_progress(job, staged_through=line, progress=progress)


def _check(job: ImportJob, staging: Staging) -> None:
    staging.analyse()
    with transaction.atomic():
        staging.check()
        staging.mark_duplicates()
        record_progress(job, checked=True, progress=CHECKED_AT)


def _load(job: ImportJob, staging: Staging, batch_size: int, report: Progress) -> None:
    team = team_of(job.owner)
    notice = provenance.initial_notice(job.source_type, job.evidence)
    last_line = job.last_line or 0
    while job.loaded_through < last_line:
        first = max(job.loaded_through + 1, 2)  # line 1 names the columns
        last = min(first + batch_size - 1, last_line)
        with transaction.atomic():
            # The row lock makes a second run wait, then see that the batch is done.
            locked = ImportJob.objects.select_for_update().only("loaded_through").get(pk=job.pk)
            if locked.loaded_through >= first:
                job.refresh_from_db()
                continue
            now = timezone.now()
            loaded, rejected = staging.load(
                first=first,
                last=last,
                now=now,
                retention_until=retention.deadline(collected_at=now, last_prospect_contact_at=None),
                team_id=team.pk if team else None,
                notice=notice,
            )
            share = (100 - CHECKED_AT) * last // max(last_line, 1)
            advance(job, through=last, loaded=loaded, rejected=rejected, progress=min(99, CHECKED_AT + share))
        report(job)


def _finish(job: ImportJob, staging: Staging) -> None:
    staging.analyse_targets()
    record_progress(job, status=ImportJob.Status.DONE, progress=100, finished_at=timezone.now())
    # The staging rows and an uploaded file hold personal data: neither outlives the import.
    staging.drop()
    if job.uploaded:
        Path(job.path).unlink(missing_ok=True)


def _fail(job: ImportJob, message: str) -> None:
    record_progress(job, status=ImportJob.Status.FAILED, error=message, finished_at=timezone.now())
