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
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from simple_history.models import HistoricalChanges

from org.access import record_access
from org.models import AccessAction, Organisation
from prospects.identity import blind_index, normalise_email, normalise_linkedin_url, normalise_phone
from prospects.models import Prospect, Suppression
from prospects.suppression import digests_of
from registry import art30, notice
from registry.fiche import Text

STAFF = "staff"
DEPTH = 3  # Prospect -> Consent -> Confirmation, and one level more for what apps add later


@dataclass(frozen=True)
class Table:
    label: str  # "app.Model"
    name: str  # the model's verbose name, in the export's language
    rows: list[dict]


@dataclass(frozen=True)
class Package:
    content: bytes
    sha256: str
    filename: str


def find_person(*, email: str = "", phone: str = "", linkedin_url: str = "") -> Prospect | None:
    """The prospect holding this email, phone or LinkedIn URL, found through the blind index.

    Raises ``prospects.identity.InvalidIdentifier`` naming the field when a value is malformed.
    """
    lookups = []
    if email.strip():
        lookups.append(("email_index", blind_index("email", normalise_email(email))))
    if phone.strip():
        normalised = normalise_phone(phone, region=settings.LOYAL_PHONE_REGION)
        lookups.append(("phone_index", blind_index("phone", normalised)))
    if linkedin_url.strip():
        lookups.append(("linkedin_index", blind_index("linkedin", normalise_linkedin_url(linkedin_url))))
    for column, digest in lookups:
        found = Prospect.objects.filter(**{column: digest}).first()
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
    return [table for table in found.values() if table.rows]


def _add(found: dict[str, Table], table: Table) -> None:
    """Merge ``table`` into ``found``: a table reached by two paths is listed once."""
    if table.label not in found:
        found[table.label] = table
        return
    known = {json.dumps(row, sort_keys=True, default=str) for row in found[table.label].rows}
    found[table.label].rows.extend(
        row for row in table.rows if json.dumps(row, sort_keys=True, default=str) not in known
    )


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
    """The rows of ``queryset``: every stored field, links shown as the linked row's name."""
    fields = [f for f in model._meta.concrete_fields if f.related_model is not Prospect]
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
    return Table(model._meta.label, str(model._meta.verbose_name), rows)


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


# --- The information (GDPR 15(1)(a)-(h), 15(2)) ----------------------------------------------

ART15 = {
    "a": Text("(a) Purposes and legal basis", "(a) Finalités et base légale"),
    "b": Text("(b) Categories of data", "(b) Catégories de données"),
    "c": Text("(c) Recipients", "(c) Destinataires"),
    "d": Text("(d) Retention", "(d) Durée de conservation"),
    "g": Text("(g) Where your data come from", "(g) Origine de vos données"),
    "transfers": Text("Transfers outside the EU (15(2))", "Transferts hors de l'UE (15(2))"),
}
KEPT_UNTIL = Text(
    "Your record is kept until {date} unless you contact us.",
    "Votre fiche est conservée jusqu'au {date} sauf si vous nous contactez.",
)


def information(prospect: Prospect, *, language: str) -> list[notice.Section]:
    organisation = Organisation.objects.current()
    register = art30.declared(language, organisation=organisation)
    fiches = [fiche for fiche in register["activities"] if fiche["code"] in notice.PUBLIC_ACTIVITIES]

    def section(key: str, items: list[str]) -> notice.Section:
        return notice.Section(ART15[key].in_language(language), list(dict.fromkeys(items)))

    kept = KEPT_UNTIL.format(date=prospect.retention_until.isoformat()).in_language(language)
    return [
        section(
            "a", [f"{f['name']}: {'; '.join(f['purposes'])} ({'; '.join(f['legal_basis'])})" for f in fiches]
        ),
        section("b", [item for f in fiches for item in f["data_categories"]]),
        section(
            "c",
            [
                r
                for f in fiches
                for r in (*f["recipients_internal"], *f["recipients_external"], *f["processors"])
            ],
        ),
        section("d", [kept, *(rule for f in fiches for rule in f["retention"])]),
        section("g", _sources(prospect)),
        section("transfers", [organisation.transfers]),
        *notice.rights_sections(organisation, language),
    ]


def _sources(prospect: Prospect) -> list[str]:
    lines = []
    for source in prospect.sources.order_by("acquired_at", "pk"):
        evidence = ", ".join(f"{key}: {value}" for key, value in sorted(source.evidence.items()) if value)
        lines.append(
            f"{source.get_type_display()} ({timezone.localdate(source.acquired_at).isoformat()}) {evidence}"
        )
    return lines


# --- Packaging -----------------------------------------------------------------------------


def export_subject_data(prospect: Prospect, *, by) -> Package:
    """The ZIP for the person, in their language; the export is logged before it is built."""
    record_access(by, [prospect.pk], action=AccessAction.SUBJECT_ACCESS)
    language = prospect.language or "fr"
    with translation.override(language):
        tables = collect(prospect)
        sections = information(prospect, language=language)
        generated_at = timezone.now().isoformat(timespec="seconds")
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
                "generated_at": generated_at,
            },
        )
    content = _zip(
        {
            "index.html": page,
            "data.json": json.dumps(document, ensure_ascii=False, indent=2, default=str),
            "data.csv": _csv(tables),
        }
    )
    stamp = timezone.localdate().isoformat()
    return Package(content, hashlib.sha256(content).hexdigest(), f"subject-access-{prospect.pk}-{stamp}.zip")


def _readable(tables: list[Table]) -> list[tuple[str, list[str], list[list]]]:
    readable = []
    for table in tables:
        columns = list(dict.fromkeys(key for row in table.rows for key in row))
        readable.append((table.name, columns, [[_cell(row.get(c)) for c in columns] for row in table.rows]))
    return readable


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _csv(tables: list[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "field", "value"])
    for table in tables:
        for number, row in enumerate(table.rows, start=1):
            writer.writerows([table.label, number, name, _cell(value)] for name, value in row.items())
    return out.getvalue()


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
