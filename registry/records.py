"""The stored processing activities of the Art. 30 record: seeds, the DPO's edits, missing facts.

The code declares what it does (``registry.activities``); the data migration
``0003_seed_activities`` turns each declaration into a ``ProcessingActivity`` with its
``RetentionRule`` rows, and from then on the register reads the stored records. The DPO
edits them on the activity's page through ``update_activity``, which keeps every change
with who and when (django-simple-history). What only the organisation can attest (an
LIA, a DPIA or its screening, the Art. 28 contracts) is entered there: until it is, the
register says so and ``missing_facts`` keeps the DPO from signing it off (GDPR 5(2), 24,
28(3), 30, 35; docs/rules.md §3, §6).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org.accounts import display_name
from prospects import retention as prospect_retention
from registry.activities import REQUEST_LOG_YEARS
from registry.fiche import ATTESTED_MEASURES, Activity, DataCategory, Period, Retention, SecurityMeasure, Text
from registry.models import DpiaStatus, LegalBasis, ProcessingActivity, RetentionRule

LANGUAGES = ("en", "fr")
# GDPR 30(1)(b)-(d) and the CNIL model: a record cannot be saved without these, in either language.
REQUIRED = (
    "name", "purpose", "legal_basis", "data_subjects", "sensitive_data", "sources", "recipients_internal",
    "recipients_external", "joint_controller", "rights",
)  # fmt: skip
# The roles of the organisation's processors (org.models.Processor.Role) an activity may use.
PROCESSOR_ROLES = ("hosting", "emailing", "other")
DESCRIBED_MEASURES = tuple(measure for measure in SecurityMeasure if measure not in ATTESTED_MEASURES)
# The values a linked retention period takes from the purges (docs/rules.md §2.1).
LINKED_PERIODS = {
    Period.PROSPECT: lambda: (prospect_retention.prospect_years(), 0),
    Period.CUSTOMER: lambda: (prospect_retention.customer_years(), 0),
    Period.SUPPRESSION: lambda: (settings.LOYAL_RETENTION["suppression_years"], 0),
    Period.ACCESS_LOG: lambda: (0, settings.LOYAL_RETENTION["access_log_months"]),
    Period.REQUEST_LOG: lambda: (REQUEST_LOG_YEARS, 0),
}
PERIOD_SOURCES = {
    Period.PROSPECT: "LOYAL_RETENTION_PROSPECT_YEARS",
    Period.CUSTOMER: "LOYAL_RETENTION_CUSTOMER_YEARS",
    Period.SUPPRESSION: "LOYAL_RETENTION_SUPPRESSION_YEARS",
    Period.ACCESS_LOG: "LOYAL_RETENTION_ACCESS_LOG_MONTHS",
    Period.REQUEST_LOG: "registry.activities.REQUEST_LOG_YEARS",
}


# --- Seeds: a declaration as the fields of its record (pure; the data migration uses them) ----


def _joined(texts: tuple[Text, ...], language: str) -> str:
    return "\n".join(text.in_language(language) for text in texts)


def seed_fields(activity: Activity, *, position: int = 0) -> dict:
    """The fields of the record a declaration seeds. Attested facts stay empty."""
    single = {
        "name": activity.name,
        "purpose": activity.purpose,
        "sensitive_data": activity.sensitive_data,
        "dpia_notes": activity.dpia_notes,
        "joint_controller": activity.joint_controller,
        "rights": activity.rights,
    }
    lists = {
        "sub_purposes": activity.sub_purposes,
        "legal_basis": activity.legal_basis,
        "data_subjects": activity.data_subjects,
        "sources": activity.sources,
        "recipients_internal": activity.recipients_internal,
        "recipients_external": activity.recipients_external,
    }
    fields = {
        "code": activity.code,
        "position": position,
        "created_on": activity.created_on,
        "legal_bases": list(activity.legal_bases),
        "data_categories": {str(c): {"en": t.en, "fr": t.fr} for c, t in activity.data_categories},
        "processors": list(activity.processors),
        "security": {str(m): {"en": t.en, "fr": t.fr} for m, t in activity.security},
    }
    for language in LANGUAGES:
        fields |= {f"{name}_{language}": text.in_language(language) for name, text in single.items()}
        fields |= {f"{name}_{language}": _joined(texts, language) for name, texts in lists.items()}
    return fields


def retention_seed_fields(rule: Retention, *, position: int) -> dict:
    """A declared retention rule as the fields of its row; a linked period stores no duration."""
    linked = rule.period != Period.FIXED
    return {
        "position": position,
        "period": rule.period,
        "years": 0 if linked else rule.years,
        "months": 0 if linked else rule.months,
        **{f"{part}_{lang}": getattr(rule, part).in_language(lang) for part in ("data", "start", "then")
           for lang in LANGUAGES},
    }  # fmt: skip


# --- Reading a record ------------------------------------------------------------------------


def text(record: ProcessingActivity, name: str, language: str) -> str:
    return getattr(record, f"{name}_{'fr' if language.startswith('fr') else 'en'}").strip()


def lines(record: ProcessingActivity, name: str, language: str) -> list[str]:
    return [line.strip() for line in text(record, name, language).splitlines() if line.strip()]


def stored():
    """The records of the register, in their order, with their retention rules."""
    return ProcessingActivity.objects.prefetch_related("retention").order_by("position", "code")


def duration(period: str, *, years: int = 0, months: int = 0) -> tuple[int, int]:
    """(years, months) of a period: the purge's value when linked, the typed one when fixed."""
    return LINKED_PERIODS[period]() if period in LINKED_PERIODS else (years, months)


def retention_of(record: ProcessingActivity) -> list[Retention]:
    """The record's retention rules with their durations as they stand today."""
    rules = []
    for rule in record.retention.all():
        years, months = duration(rule.period, years=rule.years, months=rule.months)
        rules.append(
            Retention(
                data=Text(rule.data_en, rule.data_fr),
                start=Text(rule.start_en, rule.start_fr),
                then=Text(rule.then_en, rule.then_fr),
                years=years,
                months=months,
                period=rule.period,
            )
        )
    return rules


# --- Facts the organisation attests ----------------------------------------------------------

FACT_LABELS = {
    "lia_reference": gettext_lazy("LIA reference (legitimate interest, art. 6(1)(f))"),
    "dpia_status": gettext_lazy("DPIA status (art. 35)"),
    "dpia_reference": gettext_lazy("DPIA or screening reference (art. 35)"),
    "processor_contracts": gettext_lazy("Art. 28 contracts with the processors (art. 28(3))"),
}


@dataclass(frozen=True)
class MissingFact:
    code: str  # the activity's code
    activity: str  # its name, in the language asked for
    field: str  # the record's field that holds the fact
    label: str


def missing_in(record: ProcessingActivity) -> list[str]:
    """The fields of ``record`` that still lack a fact only the organisation can attest."""
    needed = []
    if LegalBasis.LEGITIMATE_INTEREST in record.legal_bases and not record.lia_reference.strip():
        needed.append("lia_reference")  # GDPR 5(2), 6(1)(f): the balancing test is documented.
    if not record.dpia_status:
        needed.append("dpia_status")  # GDPR 35(1), CNIL list: assessed, or screened out.
    if not record.dpia_reference.strip():
        needed.append("dpia_reference")
    if (record.processors or record.other_processors.strip()) and not record.processor_contracts.strip():
        needed.append("processor_contracts")  # GDPR 28(3): a contract binds every processor.
    return needed


def missing_facts(*, language: str | None = None) -> list[MissingFact]:
    """Every fact still to enter, activity by activity, in the register's order."""
    language = language or translation.get_language() or "en"
    return [
        MissingFact(record.code, record.name(language), field, str(FACT_LABELS[field]))
        for record in ProcessingActivity.objects.order_by("position", "code")
        for field in missing_in(record)
    ]


def describe_missing(missing: list[MissingFact]) -> str:
    """One sentence listing every missing fact, grouped by activity."""
    by_activity: dict[str, list[str]] = {}
    for fact in missing:
        by_activity.setdefault(fact.activity, []).append(fact.label)
    items = "; ".join(f"{activity}: {', '.join(labels)}" for activity, labels in by_activity.items())
    return _(
        "The register cannot be signed off: facts only the organisation can attest are missing. %(items)s."
    ) % {"items": items}


# --- The DPO's edit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionEntry:
    """One retention rule as typed on the activity's page; ``pk`` is empty for a new one."""

    data_en: str
    data_fr: str
    start_en: str
    start_fr: str
    then_en: str
    then_fr: str
    period: str = Period.FIXED
    years: int = 0
    months: int = 0
    pk: int | None = None


def update_activity(
    record: ProcessingActivity, *, values: dict, retention: list[RetentionEntry] | None = None, by
) -> ProcessingActivity:
    """The DPO's edit of one record and its retention rules, kept in their history with who and when.

    ``values`` maps the record's field names to their new values; a field left out keeps its
    value, and ``retention`` left out keeps the rules. Nothing is written when anything is
    wrong; the error names the field and the rule.
    """
    values = {name: _clean(value) for name, value in values.items()}
    errors = _problems({**_current(record), **values}, retention, record=record)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ProcessingActivity.objects.select_for_update().get(pk=record.pk)
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        rules_changed = retention is not None and _save_retention(locked, retention, by=by)
        if changed or rules_changed:
            for name in changed:
                setattr(locked, name, values[name])
            locked.updated_by = by
            locked.updated_at = timezone.now()
            locked._history_user = by
            locked.save()
    return locked


def _clean(value):
    """Texts stripped, with the line breaks a browser posts (CR LF) stored as LF, maps included."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


def _current(record: ProcessingActivity) -> dict:
    return {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}


def _problems(values: dict, retention: list[RetentionEntry] | None, *, record: ProcessingActivity) -> dict:
    errors: dict[str, list[str]] = {}
    for name in REQUIRED:
        for language in LANGUAGES:
            if not str(values.get(f"{name}_{language}", "")).strip():
                errors[f"{name}_{language}"] = [
                    _("Required in English and in French: the register is kept in both languages.")
                ]
    bases = values.get("legal_bases") or []
    if not bases or not set(bases) <= set(LegalBasis.values):
        errors["legal_bases"] = [_("Choose at least one of the lawful bases of GDPR art. 6(1).")]
    if values.get("dpia_status", "") not in ("", *DpiaStatus.values):
        errors["dpia_status"] = [_("Choose one of the DPIA statuses.")]
    if not set(values.get("processors") or []) <= set(PROCESSOR_ROLES):
        errors["processors"] = [_("Only the processors named in the organisation's details can be chosen.")]
    errors |= _pairs(values.get("data_categories") or {}, "data_categories", DataCategory.values)
    if not errors.get("data_categories") and not values.get("data_categories"):
        errors["data_categories"] = [_("Describe at least one category of personal data (GDPR 30(1)(c)).")]
    errors |= _pairs(values.get("security") or {}, "security", [str(m) for m in DESCRIBED_MEASURES])
    if retention is not None:
        errors |= _retention_problems(retention, record=record)
    return errors


def _pairs(described: dict, field: str, known) -> dict[str, list[str]]:
    """A map of {code: {"en": ..., "fr": ...}}: known codes only, each in both languages."""
    errors = {}
    if not isinstance(described, dict) or not set(described) <= set(known):
        return {field: [_("Unknown entry: choose among the register's categories.")]}
    for code, texts in described.items():
        if not isinstance(texts, dict) or not all(str(texts.get(lang, "")).strip() for lang in LANGUAGES):
            errors[f"{field}.{code}"] = [_("Describe it in English and in French, or leave both empty.")]
    return errors


def _retention_problems(entries: list[RetentionEntry], *, record: ProcessingActivity) -> dict:
    if not entries:
        return {"retention": [_("Give at least one retention period (GDPR 30(1)(f)).")]}
    known = set(record.retention.values_list("pk", flat=True))
    problems = []
    for number, entry in enumerate(entries, start=1):
        problems += [problem % {"n": number} for problem in _entry_problems(entry, known=known)]
    return {"retention": problems} if problems else {}


def _entry_problems(entry: RetentionEntry, *, known: set[int]) -> list[str]:
    problems = []
    texts = (entry.data_en, entry.data_fr, entry.start_en, entry.start_fr, entry.then_en, entry.then_fr)
    if not all(value.strip() for value in texts):
        problems.append(_("Retention %(n)d: give the data, the start and the end in English and in French."))
    if entry.period not in Period.values:
        problems.append(_("Retention %(n)d: choose a period."))
    elif entry.period == Period.FIXED and (entry.years > 0) == (entry.months > 0):
        problems.append(_("Retention %(n)d: a fixed period is a number of years or a number of months."))
    if entry.pk is not None and entry.pk not in known:
        problems.append(_("Retention %(n)d is not a rule of this activity."))
    return problems


def _save_retention(record: ProcessingActivity, entries: list[RetentionEntry], *, by) -> bool:
    """Update, add and remove the rules so that they are ``entries``, in that order."""
    existing = {rule.pk: rule for rule in record.retention.all()}
    changed = False
    for position, entry in enumerate(entries):
        years, months = (entry.years, entry.months) if entry.period == Period.FIXED else (0, 0)
        fields = {
            "position": position,
            "period": entry.period,
            "years": years,
            "months": months,
            **{name: _clean(getattr(entry, name)) for name in
               ("data_en", "data_fr", "start_en", "start_fr", "then_en", "then_fr")},
        }  # fmt: skip
        rule = existing.pop(entry.pk, None) or RetentionRule(activity=record)
        if rule.pk is None or any(getattr(rule, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(rule, name, value)
            rule._history_user = by
            rule.save()
            changed = True
    for rule in existing.values():
        rule._history_user = by
        rule.delete()
        changed = True
    return changed


# --- History ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    at: datetime
    by: str
    what: list[str]  # the labels of the fields changed


def history(record: ProcessingActivity, *, limit: int = 50) -> list[Change]:
    """Who changed what in the record and its retention rules, and when; newest first."""
    labels = {field.attname: str(field.verbose_name) for field in ProcessingActivity._meta.concrete_fields}
    rows = list(
        record.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )
    changes = []
    for row, older in zip(rows, [*rows[1:], None], strict=True):
        if older is None:
            what = [str(row.history_change_reason or _("created"))]
        else:
            diff = row.diff_against(older, excluded_fields=["updated_at", "updated_by"])
            what = [labels.get(change.field, change.field) for change in diff.changes]
        changes.append(Change(row.history_date, _who(row), what))
    kinds = {
        "+": _("retention rule added"),
        "~": _("retention rule changed"),
        "-": _("retention rule removed"),
    }
    french = (translation.get_language() or "").startswith("fr")
    rules = RetentionRule.history.filter(activity_id=record.pk).select_related("history_user")
    for row in rules.order_by("-history_date")[:limit]:
        if row.history_change_reason:  # seeded with the record: its creation says so already
            continue
        data = row.data_fr if french else row.data_en
        changes.append(Change(row.history_date, _who(row), [f"{kinds[row.history_type]}: {data}"]))
    return sorted(changes, key=lambda change: change.at, reverse=True)[:limit]


def _who(row) -> str:
    user = row.history_user
    return display_name(user) if user else "—"
