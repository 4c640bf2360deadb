"""The list page's rows, written in Python: the same HTML the row template wrote, cheaper.

Fifty rows of a dozen template variables, filters and tags each were more than half of the
list page's time (bench --http: every sort of the list against its bare query). Here each
row is one string format of values escaped once; what is the same for every row (the
translated texts, the date format, the detail link's pattern, an owner's name, an
audience's label) is computed once per page. Every value is escaped as the template's
autoescaping did (``conditional_escape``), every date converted to the current time zone
first as the ``date`` filter does.
"""

import functools

from django import template
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from org.accounts import display_name
from prospects.models import Prospect

register = template.Library()

# A number no prospect has, reversed once and split: the URL of any id without a reverse() each.
_MARKER = 987_654_321_987


def _link(name: str):
    prefix, suffix = reverse(name, args=[_MARKER]).split(str(_MARKER))
    return lambda pk: f"{prefix}{pk}{suffix}"


class _Dates:
    """``|date:"DATE_FORMAT"`` and ``|date:'c'`` of one page: its time zone and format read once."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.language = get_language()
        self.format = formats.get_format("DATE_FORMAT")

    def __call__(self, day) -> str:
        return _day(self.language, self.format, day)

    def moment(self, value) -> str:
        """A datetime's ``<time>``: its ISO form and its day, in the current time zone."""
        local = value.astimezone(self.zone) if timezone.is_aware(value) else value
        return f'<time datetime="{conditional_escape(local.isoformat())}">{self(local.date())}</time>'


@functools.lru_cache(maxsize=8192)
def _day(language: str, date_format: str, day) -> str:
    """A day as ``date_format`` writes it in ``language`` (a date format names no time of day)."""
    return conditional_escape(dateformat.format(day, date_format))


def _csrf_input(value) -> str:
    """What ``{% csrf_token %}`` writes with this context's token."""
    if not value or value == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', value)


@register.simple_tag(takes_context=True)
def prospect_rows(context, rows) -> SafeString:
    """Each row of the list page (prospects/prospect_rows.html): one ``<tr>`` per prospect."""
    editor = bool(context.get("is_sales") or context.get("is_admin"))
    in_list = context.get("in_list") if editor else None
    detail = _link("prospects:detail")
    dates = _Dates()
    choices = Prospect._meta.get_field("audience").flatchoices
    audiences = {value: conditional_escape(str(label)) for value, label in choices}
    owners: dict = {}
    remove = ""
    if in_list:
        remove_link = _link("prospects:remove_from_list")
        token = _csrf_input(context.get("csrf_token"))
        hidden = format_html(
            '<input type="hidden" name="from_list" value="{}"><input type="hidden" name="back" value="list">',
            in_list.pk,
        )
        button = conditional_escape(_("Remove from the list"))
        label = _("Remove %(name)s from %(list)s")
        list_name = conditional_escape(in_list.name)
    out = []
    for prospect in rows:
        pk = prospect.pk
        name = conditional_escape(prospect.full_name)
        if in_list:
            aria = label % {"name": name, "list": list_name}
            remove = (
                f'\n    <form method="post" action="{remove_link(pk)}" class="inline">{token}{hidden}'
                f'<button type="submit" class="secondary" aria-label="{aria}">{button}</button></form>'
            )
        tick = (
            f'<td><input type="checkbox" name="selected" value="{pk}" form="bulk" aria-label="{name}"></td>'
            if editor
            else ""
        )
        company = conditional_escape(str(prospect.company)) if prospect.company_id else ""
        stage = conditional_escape(str(prospect.stage)) if prospect.stage_id else "—"
        owner = owners.get(prospect.owner_id)
        if owner is None:
            who = prospect.owner
            owner = owners[prospect.owner_id] = conditional_escape(display_name(who))
        audience = audiences.get(prospect.audience)
        if audience is None:
            audience = conditional_escape(prospect.get_audience_display())
        contact = prospect.last_prospect_contact_at
        kept = prospect.retention_until
        out.append(
            f'\n<tr>{tick}<td><a href="{detail(pk)}">{name}</a>{remove}</td>\n'
            f"  <td>{company}</td><td>{conditional_escape(prospect.job_title)}</td>\n"
            f"  <td>{audience}</td><td>{stage}</td><td>{owner}</td>\n"
            f"  <td>{dates.moment(contact) if contact else '—'}</td>\n"
            f'  <td><time datetime="{kept.isoformat()}">{dates(kept)}</time></td>\n'
            f"  <td>{dates.moment(prospect.created_at)}</td></tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
