"""The Art. 15 subject-access export: every stored datum about one person, and the information.

Which tables hold data about a prospect is read from the model graph at run time:
every model with a foreign key to Prospect, the models pointing at those, and the
historical copies of each (django-simple-history). A table another app adds later is
included with no change here. Only rows reached from the person's own record are read,
so nobody else's data can appear (GDPR 15(4)); staff members are named by their role
only (CJEU C-579/21). The package is a ZIP with a readable HTML page in the person's
language, and the same data as JSON (also the portability format, Art. 20) and CSV.
"""

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from org.access import record_access
from org.dates import shown_date, shown_moment
from org.models import AccessAction, Organisation
from org.spreadsheets import safe_cell
from prospects.identity import blind_index, normalise_email, normalise_linkedin_url, normalise_phone
from prospects.models import Prospect, Suppression
from prospects.suppression import digests_of
from registry import access_information, art30, notice
from webforms.follow_up import WEB_FORM_TYPES
from webforms.models import FormVersion

STAFF = "staff"
DEPTH = 3  # Prospect -> Consent -> Confirmation, and one level more for what apps add later


@dataclass(frozen=True)
class Table:
    label: str  # "app.Model"
    name: str  # the model's verbose name, in the export's language
    rows: list[dict]  # field name -> stored value, for data.json (portability, art. 20)
    # Column label -> value as a person reads it (choices by their label, yes or no), for the
    # page and the CSV (art. 12(1): intelligible, in clear and plain language).
    shown: list[dict] = field(default_factory=list)


def is_keyed_hash(model_field: models.Field) -> bool:
    """The blind index and the suppression hashes: no one can read them, and the package says
    in words what they are (access_information.suppression_lines) instead of listing them."""
    return model_field.name.endswith(("_index", "digest"))


@dataclass(frozen=True)
class Package:
    content: bytes
    sha256: str
    filename: str


def digests_for(*, email: str = "", phone: str = "", linkedin_url: str = "") -> dict[str, str]:
    """The blind-index digests of the identifiers given, by kind; the suppression list holds the same.

    Raises ``prospects.identity.InvalidIdentifier`` naming the field when a value is malformed.
    """
    digests = {}
    if email.strip():
        digests[Suppression.Kind.EMAIL] = blind_index("email", normalise_email(email))
    if phone.strip():
        digests[Suppression.Kind.PHONE] = blind_index(
            "phone", normalise_phone(phone, region=settings.LOYAL_PHONE_REGION)
        )
    if linkedin_url.strip():
        digests[Suppression.Kind.LINKEDIN] = blind_index("linkedin", normalise_linkedin_url(linkedin_url))
    return digests


INDEX_OF = {
    Suppression.Kind.EMAIL: "email_index",
    Suppression.Kind.PHONE: "phone_index",
    Suppression.Kind.LINKEDIN: "linkedin_index",
}


def find_person(*, email: str = "", phone: str = "", linkedin_url: str = "") -> Prospect | None:
    """The prospect holding this email, phone or LinkedIn URL, found through the blind index.

    Raises ``prospects.identity.InvalidIdentifier`` naming the field when a value is malformed.
    """
    for kind, digest in digests_for(email=email, phone=phone, linkedin_url=linkedin_url).items():
        found = Prospect.objects.filter(**{INDEX_OF[kind]: digest}).first()
        if found is not None:
            return found
    return None


# --- Collecting ----------------------------------------------------------------------------


def collect(prospect: Prospect) -> list[Table]:
    """Every row about ``prospect``, table by table, the prospect's own record first."""
    found: dict[str, Table] = {}
    _add(found, _table(Prospect, Prospect.objects.filter(pk=prospect.pk)))
    _add_history(found, Prospect, "id", [prospect.pk])
    _add_children(found, Prospect, [prospect.pk], depth=DEPTH)
    _add(found, _table(Suppression, Suppression.objects.filter(digest__in=digests_of(prospect).values())))
    _add(found, _table(FormVersion, forms_seen(prospect)))
    return [table for table in found.values() if table.rows]


def forms_seen(prospect: Prospect):
    """The versions of the web forms the person sent: the exact notice and wording they saw (GDPR 15(1)(g)).

    A source's evidence names its version (``notice_version``, "slug-vN") and the hash of the
    text shown; the version holds that text.
    """
    seen = prospect.sources.filter(type__in=WEB_FORM_TYPES).values_list("evidence", flat=True)
    hashes = {evidence.get("wording_hash") for evidence in seen} - {None}
    labels = {evidence.get("notice_version") for evidence in seen}
    versions = FormVersion.objects.filter(sha256__in=hashes).select_related("form")
    return FormVersion.objects.filter(pk__in=[v.pk for v in versions if v.label in labels])


def _add(found: dict[str, Table], table: Table) -> None:
    """Merge ``table`` into ``found``: a table reached by two paths is listed once."""
    if table.label not in found:
        found[table.label] = table
        return
    known = {json.dumps(row, sort_keys=True, default=str) for row in found[table.label].rows}
    for row, shown in zip(table.rows, table.shown, strict=True):
        if json.dumps(row, sort_keys=True, default=str) not in known:
            found[table.label].rows.append(row)
            found[table.label].shown.append(shown)


def _add_children(found: dict[str, Table], model: type[models.Model], ids: list, *, depth: int) -> None:
    """The rows pointing at ``ids`` of ``model``, their history, and what points at them in turn."""
    if depth == 0 or not ids:
        return
    for relation in _pointing_at(model):
        child = relation.related_model
        table = _table(child, child._default_manager.filter(**{f"{relation.field.name}__in": ids}))
        _add(found, table)
        _add_history(found, child, relation.field.name, ids)
        pk = child._meta.pk.name
        _add_children(found, child, [row[pk] for row in table.rows], depth=depth - 1)


def _pointing_at(model: type[models.Model]) -> list:
    """The foreign keys into ``model``, hidden ones included (``related_name="+"``), history excluded."""
    relations = [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]
    return sorted(
        (
            relation
            for relation in relations
            if not issubclass(relation.related_model, HistoricalChanges)
            and relation.related_model not in (Prospect, get_user_model())
        ),
        key=lambda relation: (relation.related_model._meta.label, relation.field.name),
    )


def _add_history(found: dict[str, Table], model: type[models.Model], pointer: str, ids: list) -> None:
    """The historical copies of rows of ``model`` pointing at ``ids`` through ``pointer``."""
    manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
    if manager_name is not None:
        historical = getattr(model, manager_name).model
        _add(found, _table(historical, historical.objects.filter(**{f"{pointer}__in": ids})))


def _table(model: type[models.Model], queryset) -> Table:
    """The rows of ``queryset``: every stored field but the keyed hashes, links shown as the
    linked row's name."""
    fields = [
        f for f in model._meta.concrete_fields if f.related_model is not Prospect and not is_keyed_hash(f)
    ]
    values = list(queryset.order_by("pk").values_list(*(f.attname for f in fields)))
    shown = {
        index: _linked_names(field, {row[index] for row in values} - {None})
        for index, field in enumerate(fields)
        if field.is_relation
    }
    rows = [
        {
            field.name: shown[index].get(value) if index in shown else _plain(value)
            for index, (field, value) in enumerate(zip(fields, row, strict=True))
        }
        for row in values
    ]
    labels = {f.name: capfirst(str(getattr(f, "verbose_name", f.name))) for f in fields}
    readable = [{labels[f.name]: _shown(f, row[f.name]) for f in fields} for row in rows]
    return Table(model._meta.label, str(model._meta.verbose_name), rows, readable)


def _shown(model_field: models.Field, value):
    """A stored value as a person reads it: a code by its label, a flag as yes or no, a date in
    the language's format (org/dates.py)."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field.choices and value not in (None, ""):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.DateTimeField) and value:
        return shown_moment(value)
    if isinstance(model_field, models.DateField) and value:
        return shown_date(value)
    return value


def _linked_names(field: models.Field, ids: set) -> dict:
    """How a link is shown: staff by their role only (CJEU C-579/21), other rows by their name."""
    if field.related_model is get_user_model():
        return dict.fromkeys(ids, STAFF)
    found = field.related_model._base_manager.in_bulk(ids, field_name=field.target_field.name)
    # A historical copy may point at a row deleted since: its bare id is what is known.
    return {pk: str(found[pk]) if pk in found else str(pk) for pk in ids}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


# --- Packaging -----------------------------------------------------------------------------


def export_subject_data(prospect: Prospect, *, by) -> Package:
    """The ZIP for the person, in their language; the export is logged before it is built."""
    record_access(by, [prospect.pk], action=AccessAction.SUBJECT_ACCESS)
    language = prospect.language or "fr"
    with translation.override(language):
        sections = access_information.information(prospect, language=language)
        package = _package(collect(prospect), sections, language=language)
    stamp = timezone.localdate().isoformat()
    return Package(package.content, package.sha256, f"subject-access-{prospect.pk}-{stamp}.zip")


def export_suppression_answer(
    *, email: str = "", phone: str = "", linkedin_url: str = "", language: str = "fr"
) -> Package | None:
    """The answer to someone with no record whose fingerprints are on the suppression list, or None.

    Their hashes are still personal data (GDPR recital 26): the answer shows them and says in
    plain words what they are, instead of saying that no data are held (GDPR 15(1), 12(1)).
    Raises ``prospects.identity.InvalidIdentifier`` naming the field when a value is malformed.
    """
    digests = digests_for(email=email, phone=phone, linkedin_url=linkedin_url)
    entries = Suppression.objects.filter(digest__in=digests.values())
    if not entries.exists():
        return None
    with translation.override(language):
        sections = access_information.suppression_information(entries, language)
        package = _package([_table(Suppression, entries)], sections, language=language)
    stamp = timezone.localdate().isoformat()
    return Package(package.content, package.sha256, f"subject-access-suppression-{stamp}.zip")


def _package(tables: list[Table], sections: list[notice.Section], *, language: str) -> Package:
    """The ZIP of an Art. 15 answer: a readable page, the same as JSON and as CSV."""
    now = timezone.now()
    generated_at = now.isoformat(timespec="seconds")
    document = {
        "generated_at": generated_at,
        "controller": art30.controller(Organisation.objects.current(), language),
        "information": [{"heading": s.heading, "items": s.items} for s in sections],
        "data": {table.label: table.rows for table in tables},
    }
    page = render_to_string(
        "registry/subject_access_export.html",
        {
            "language": language,
            "sections": sections,
            "tables": _readable(tables),
            "generated_at": shown_moment(now),
        },
    )
    content = _zip(
        {
            "index.html": page,
            "data.json": json.dumps(document, ensure_ascii=False, indent=2, default=str),
            "data.csv": _csv(tables),
        }
    )
    return Package(content, hashlib.sha256(content).hexdigest(), "")


# Wider than this, a printed row no longer fits the page's width legibly: the print shows each
# row as a record of label and value instead (a message has over twenty columns).
PRINTED_COLUMNS = 8


def _readable(tables: list[Table]) -> list[tuple[str, list[str], list[list], list | None]]:
    """Per table: its name, columns and rows; and for a wide table, each row as (label, value) pairs."""
    readable = []
    for table in tables:
        columns = list(dict.fromkeys(key for row in table.shown for key in row))
        rows = [[_cell(row.get(c)) for c in columns] for row in table.shown]
        records = (
            [list(zip(columns, row, strict=True)) for row in rows] if len(columns) > PRINTED_COLUMNS else None
        )
        readable.append((table.name, columns, rows, records))
    return readable


def _cell(value) -> str:
    """A value as the page and the CSV show it: dates in the language's format (org/dates.py)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return shown_moment(value)
    if isinstance(value, date):
        return shown_date(value)
    if isinstance(value, dict | list):
        return safe_cell(json.dumps(value, ensure_ascii=False, default=str))
    return safe_cell(str(value))


def _csv(tables: list[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("table"), _("row"), _("field"), _("value")])
    for table in tables:
        for number, row in enumerate(table.shown, start=1):
            writer.writerows(
                [capfirst(table.name), number, name, _cell(value)] for name, value in row.items()
            )
    return out.getvalue()


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
