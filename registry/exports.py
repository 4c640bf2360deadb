"""The register as files: HTML to print, JSON, CSV, and XLSX / ODS spreadsheets (Art. 30(3)-(4))."""

import json
from dataclasses import dataclass

import tablib
from django.template.loader import render_to_string
from django.utils import translation

from registry import art30
from registry.fiche import Text

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
    return "\n".join(value) if isinstance(value, list) else str(value)


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
    return _dataset(register).export("csv").encode()


def _sheet(register: dict, fmt: str) -> bytes:
    names = art30.labels(register["language"])
    head = tablib.Dataset(
        *[(names[f"controller.{key}"], value) for key, value in register["controller"].items()],
        ("version", str(register["version"])),
        ("generated_at", register["generated_at"]),
        headers=["field", "value"],
        title="Controller",
    )
    return tablib.Databook([head, _dataset(register)]).export(fmt)
