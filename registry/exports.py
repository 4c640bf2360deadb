"""The registers as files: the Art. 30 record as HTML to print, JSON, CSV, and XLSX / ODS
spreadsheets (Art. 30(3)-(4)); the breach register, every field of every entry, likewise (Art. 33(5))."""

import json
from dataclasses import dataclass

import tablib
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org.accounts import display_name
from org.spreadsheets import csv_bytes, laid_out_ods, laid_out_xlsx, safe_cell
from registry import art30, breaches
from registry.fiche import Text
from registry.models import Breach

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
FORMATS = tuple(CONTENT_TYPES)
FIGURES = Text("Figures today", "Chiffres du jour")


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def export_register(fmt: str, *, language: str = "en") -> Export:
    """The current register with its live figures, in ``fmt`` (one of ``FORMATS``)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown format {fmt!r}; expected one of {', '.join(FORMATS)}.")
    register = art30.build_register(language=language)
    content = {"html": _html, "json": _json, "csv": _csv, "xlsx": _sheet, "ods": _sheet}[fmt](register, fmt)
    filename = f"register-v{register['version']}-{language}.{fmt}"
    return Export(content, CONTENT_TYPES[fmt], filename)


def rows(register: dict) -> tuple[list[str], list[list[str]]]:
    """One row per activity, one column per field of the fiche, then the live figures."""
    names = art30.labels(register["language"])
    keys = [field.key for field in art30.FIELDS]
    headers = ["code", *(names[key] for key in keys), figures_label(register)]
    body = [
        [activity["code"], *(_cell(activity.get(key, "")) for key in keys), _figures(activity)]
        for activity in register["activities"]
    ]
    return headers, body


def figures_label(register: dict) -> str:
    return FIGURES.in_language(register["language"])


def _cell(value) -> str:
    return safe_cell("\n".join(value) if isinstance(value, list) else str(value))


def _figures(activity: dict) -> str:
    return "\n".join(
        f"{figure['label']}: {_figure_value(figure['value'])}" for figure in activity.get("figures", [])
    )


def _figure_value(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {count}" for key, count in value.items()) or "0"
    return str(value)


def _html(register: dict, _fmt: str) -> bytes:
    language = register["language"]
    with translation.override(language):
        page = render_to_string("registry/register_document.html", document_context(register))
    return page.encode()


def document_context(register: dict) -> dict:
    """The register laid out for a template: labelled lines, a list for every field."""
    names = art30.labels(register["language"])
    return {
        "register": register,
        "controller": [(names[f"controller.{key}"], value) for key, value in register["controller"].items()],
        "fiches": [(activity, fiche_rows(activity, names)) for activity in register["activities"]],
        "figures_label": figures_label(register),
    }


def fiche_rows(activity: dict, names: dict) -> list[tuple]:
    """(field, label, lines) for each field of a fiche, as the fiche template shows them."""
    return [(field, names[field.key], _lines(activity.get(field.key, ""))) for field in art30.FIELDS]


def _lines(value) -> list[str]:
    return value if isinstance(value, list) else [str(value)]


def _json(register: dict, _fmt: str) -> bytes:
    return json.dumps(register, ensure_ascii=False, indent=2).encode()


def _dataset(register: dict) -> tablib.Dataset:
    headers, body = rows(register)
    return tablib.Dataset(*body, headers=headers, title="Activities")


def _csv(register: dict, _fmt: str) -> bytes:
    return csv_bytes(_dataset(register), language=register["language"])


def _sheet(register: dict, fmt: str) -> bytes:
    names = art30.labels(register["language"])
    head = tablib.Dataset(
        *[(names[f"controller.{key}"], _cell(value)) for key, value in register["controller"].items()],
        ("version", str(register["version"])),
        ("generated_at", register["generated_at"]),
        headers=["field", "value"],
        title="Controller",
    )
    content = tablib.Databook([head, _dataset(register)]).export(fmt)
    return laid_out_xlsx(content) if fmt == "xlsx" else laid_out_ods(content)


# --- The breach register (GDPR 33(5)) -------------------------------------------------------------

BREACH_FORMATS = ("html", "csv", "json", "xlsx")
BREACH_TITLE = Text("Register of personal data breaches", "Registre des violations de données personnelles")
# Every field of an entry, in the order of the CNIL's notification form, and what is derived from them.
BREACH_COLUMNS = (
    "id", "discovered_at", "occurred_at", "ended_at", "nature", "confidentiality", "integrity",
    "availability", "data_concerned", "records_count", "people_concerned", "people_count", "consequences",
    "measures", "processor_name", "processor_alerted_at", "risk", "risk_reasons", "cnil_notified_at",
    "notified_within_72h", "cnil_reference", "phased", "delay_reason", "follow_ups", "people_informed_at",
    "no_communication_ground", "communication_notes", "recorded_by", "recorded_at", "open_items",
)  # fmt: skip
DERIVED = {
    "notified_within_72h": gettext_lazy("notified within 72 hours (art. 33(1))"),
    "follow_ups": gettext_lazy("complementary notifications (art. 33(4))"),
    "open_items": gettext_lazy("still to do"),
}


def breach_labels() -> dict[str, str]:
    """Each column's label in the active language."""
    names = {field.name: field.verbose_name for field in Breach._meta.fields} | DERIVED | {"id": "#"}
    return {column: capfirst(str(names[column])) for column in BREACH_COLUMNS}


def breach_entry(breach: Breach) -> dict:
    """One entry with every field as data: ISO dates, booleans, choice codes, lists."""

    def iso(moment):
        return timezone.localtime(moment).isoformat(timespec="minutes") if moment else None

    entry = {column: getattr(breach, column, None) for column in BREACH_COLUMNS}
    dates = [field.name for field in Breach._meta.fields if isinstance(field, models.DateTimeField)]
    entry |= {name: iso(getattr(breach, name)) for name in dates}
    entry["recorded_by"] = display_name(breach.recorded_by)
    entry["follow_ups"] = [
        {"notified_at": iso(f.notified_at), "summary": f.summary, "completes": f.completes}
        for f in breach.follow_ups.all()
    ]
    entry["open_items"] = breaches.open_items(breach)
    return entry


def _breach_cells(breach: Breach, entry: dict) -> list[str]:
    """The entry as a spreadsheet row: choices by their label, yes or no, one line per item."""
    shown = dict(entry)
    shown["risk"] = breach.get_risk_display()
    shown["no_communication_ground"] = breach.get_no_communication_ground_display()
    shown["follow_ups"] = [
        f"{f['notified_at']}: {f['summary']}"
        + (f" ({_('completes the notification')})" if f["completes"] else "")
        for f in entry["follow_ups"]
    ]
    cells = []
    for column in BREACH_COLUMNS:
        value = shown[column]
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        cells.append("" if value is None else _cell(value))
    return cells


def export_breaches(fmt: str, *, language: str = "en") -> Export:
    """The whole breach register, every field of every entry, in ``fmt`` (one of ``BREACH_FORMATS``)."""
    if fmt not in BREACH_FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; expected one of {', '.join(BREACH_FORMATS)}.")
    entries = (
        Breach.objects.select_related("recorded_by").prefetch_related("follow_ups").order_by("discovered_at")
    )
    with translation.override(language):
        labels = breach_labels()
        data = [(breach, breach_entry(breach)) for breach in entries]
        rows = [_breach_cells(breach, entry) for breach, entry in data]
        title = BREACH_TITLE.in_language(language)
        if fmt == "json":
            document = {
                "title": title,
                "language": language,
                "fields": labels,
                "breaches": [e for _b, e in data],
            }
            content = json.dumps(document, ensure_ascii=False, indent=2).encode()
        elif fmt == "html":
            pairs = [list(zip(labels.values(), row, strict=True)) for row in rows]
            context = {"title": title, "language": language, "entries": pairs}
            content = render_to_string("registry/breach_register_document.html", context).encode()
        else:
            dataset = tablib.Dataset(*rows, headers=list(labels.values()), title="Breaches")
            content = (
                csv_bytes(dataset, language=language) if fmt == "csv" else laid_out_xlsx(dataset.export(fmt))
            )
    stamp = timezone.localdate().isoformat()
    return Export(content, CONTENT_TYPES[fmt], f"breaches-{stamp}-{language}.{fmt}")
