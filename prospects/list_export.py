"""The export of the prospect list as the page filters it: CSV or XLSX, for team leads and admins.

A copy of the base that leaves Loyal is the risk the code of conduct names first ("never
export or take the base with you"): so only the roles of ``org.roles.EXPORTERS`` take one,
it holds the columns the list shows and no address (GDPR 5(1)(c)), every cell goes through
the formula guard, and each export is one row of the export log the DPO reads, with its
filter and its size (docs/rules.md §6, CNIL délib. 2021-122).
"""

import csv
import io
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from org.accounts import display_name
from org.models import ListExport
from org.spreadsheets import CSV_DIALECTS, laid_out_xlsx, safe_cell
from prospects import listing
from prospects.forms import FilterForm
from prospects.listing import Filters
from prospects.models import ProspectList

FORMATS = {
    ListExport.Format.CSV: "text/csv; charset=utf-8",
    ListExport.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class TooManyRows(Exception):
    """More rows than ``LOYAL_LIST_EXPORT_MAX_ROWS``: narrow the filter."""


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str
    rows: int


def headers() -> list[str]:
    return [
        _("Name"), _("Company"), _("Job title"), _("Audience"), _("Owner"),
        _("Last contact from the prospect"), _("Kept until"), _("Created"),
    ]  # fmt: skip


def _cells(row) -> list:
    owner = display_name(row.owner)
    contact = timezone.localtime(row.last_prospect_contact_at).date() if row.last_prospect_contact_at else ""
    created = timezone.localtime(row.created_at).date()
    values = [
        row.full_name, row.company_name, row.job_title, row.get_audience_display(), owner,
        contact, row.retention_until, created,
    ]  # fmt: skip
    return [safe_cell(value) for value in values]


def export_list(queryset: QuerySet, *, filters: Filters, fmt: str, by) -> Export:
    """The filtered list as a file, logged once. Refuses above the row cap before reading a row."""
    limit = settings.LOYAL_LIST_EXPORT_MAX_ROWS
    counted = listing.count_up_to(queryset, limit)
    if counted > limit:
        raise TooManyRows(
            _("This filter selects more than %(limit)d prospects, the most one export holds: narrow it.")
            % {"limit": limit}
        )
    rows = queryset.select_related("company", "owner").defer("email", "phone").order_by("-created_at", "-id")
    cells = [_cells(row) for row in rows.iterator(chunk_size=2000)]
    content = _csv(cells) if fmt == ListExport.Format.CSV else _xlsx(cells)
    with transaction.atomic():
        ListExport.objects.create(user=by, filters=filters.as_dict(), rows=len(cells), format=fmt)
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    return Export(content, FORMATS[fmt], f"prospects-{stamp}.{fmt}", len(cells))


def _csv(cells: list[list]) -> bytes:
    # With a byte-order mark, spreadsheet programs read the file as UTF-8, accents intact; French
    # Excel splits cells on ';' (org/spreadsheets.py CSV_DIALECTS), English on ','.
    dialect = CSV_DIALECTS.get((get_language() or "en")[:2], CSV_DIALECTS["en"])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=dialect["delimiter"])
    writer.writerow(headers())
    writer.writerows(cells)
    return ("\ufeff" + out.getvalue()).encode()


def _xlsx(cells: list[list]) -> bytes:
    return laid_out_xlsx(tablib.Dataset(*cells, headers=headers(), title=_("Prospects")[:31]).export("xlsx"))


def described(exports: list[ListExport]) -> list[tuple[ListExport, list[tuple[str, str]]]]:
    """Each export with its filter in words, for the DPO's page: the owner and list by name."""
    owner_ids = {e.filters["owner"] for e in exports if isinstance(e.filters.get("owner"), int)}
    list_ids = {e.filters["in_list"] for e in exports if isinstance(e.filters.get("in_list"), int)}
    people = get_user_model().objects.filter(pk__in=owner_ids)
    owners = {person.pk: display_name(person) for person in people}
    lists = dict(ProspectList.objects.filter(pk__in=list_ids).values_list("pk", "name"))
    names = {"owner": owners, "in_list": lists}
    form = FilterForm(owners=get_user_model().objects.none())
    labelled = []
    for export in exports:
        words = []
        for key, value in export.filters.items():
            field = form.fields.get(key)
            label = str(field.label) if field is not None else key
            if key in names:
                value = names[key].get(value, f"#{value}")
            elif field is not None and getattr(field, "choices", None) and not isinstance(value, bool):
                value = dict(field.choices).get(value, value)
            elif isinstance(value, bool):
                value = _("yes")
            words.append((label, str(value)))
        labelled.append((export, words))
    return labelled
