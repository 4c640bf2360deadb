"""Logging a prospect: identity checks, provenance, audience, duplicates and suppression.

One entry point per change: ``create_prospect`` and ``update_prospect``. Both raise a
``ValidationError`` whose keys name the field at fault, and store nothing when they do.
"""

import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.access import record_access
from org.accounts import team_of
from org.models import AccessAction
from prospects import pipeline, propagation, provenance, retention, suppression, webhooks
from prospects.audience import Audience, automatic_audience
from prospects.identity import indexes_of, normalise_identifiers
from prospects.models import Company, Propagation, Prospect, Source
from prospects.timeline import add_note, screening_error

INDEXED_FIELDS = {"email_index": "email", "phone_index": "phone", "linkedin_index": "linkedin_url"}


@dataclass
class ProspectData:
    """What a rep types about a person; every text is stripped, identifiers normalised here."""

    first_name: str
    last_name: str
    job_title: str = ""
    company_name: str = ""
    email: str = ""
    phone: str = ""
    linkedin_url: str = ""
    language: str = "fr"
    audience: str = ""  # empty: classified from the address
    audience_justification: str = ""
    sole_trader: bool = False
    company_only: bool = False
    note: str = ""
    errors: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SourceData:
    type: str
    evidence: dict


def _identifiers(data: ProspectData) -> dict[str, str]:
    """Normalised email, phone and LinkedIn URL; records an error per bad field."""
    raw = {"email": data.email, "phone": data.phone, "linkedin_url": data.linkedin_url}
    normalised, errors = normalise_identifiers(raw)
    for name, error in errors.items():
        data.errors.setdefault(name, []).append(str(error.message))
    return normalised


def _audience(data: ProspectData, ids: dict[str, str], source_type: str) -> str:
    """docs/rules.md §1.2: classified from the address; a human override needs a recorded reason."""
    automatic = automatic_audience(email=ids["email"], phone=ids["phone"], sole_trader=data.sole_trader)
    chosen = data.audience or automatic
    if chosen not in Audience.values:
        data.errors.setdefault("audience", []).append(_("Choose a known audience."))
        return automatic
    if chosen == automatic:
        return chosen
    if source_type in provenance.LINKEDIN_TYPES and automatic == Audience.B2C and ids["email"]:
        # §1.7: from LinkedIn, only the professional contact points the person showed; a
        # private e-mail address stays private whatever is declared (KASPR, SAN-2024-020).
        data.errors.setdefault("audience", []).append(
            _("A private address of a LinkedIn contact stays private: it cannot be set as professional.")
        )
    elif not data.audience_justification.strip():
        data.errors.setdefault("audience_justification", []).append(
            _("Changing the audience from “%(auto)s” needs a recorded justification.")
            % {"auto": Audience(automatic).label}
        )
    return chosen


def chosen_audience(prospect: Prospect) -> str:
    """The audience a rep set by hand (it carries a justification), or "" for the automatic one.

    An edit form or a partial update starts from this, so that a new email address is
    classified again instead of reading as an override of the old classification.
    """
    return prospect.audience if prospect.audience_justification else ""


TEXT_FIELDS = ("first_name", "last_name", "job_title", "company_name")


def _check_names(data: ProspectData, ids: dict[str, str]) -> None:
    if data.company_only:
        _check_company_record(data, ids)
    for name in ("first_name", "last_name"):
        if not data.company_only and not getattr(data, name).strip():
            data.errors.setdefault(name, []).append(_("This field is required."))
    for name in TEXT_FIELDS:
        # A tab, a line break or a NUL in a name breaks every page, file and header it reaches.
        if any(unicodedata.category(char) == "Cc" for char in getattr(data, name)):
            data.errors.setdefault(name, []).append(
                _("Remove the line breaks, tabs and other control characters: a name is one line.")
            )
    if not any(ids.values()) and not any(data.errors.get(k) for k in ("email", "phone", "linkedin_url")):
        data.errors.setdefault("email", []).append(
            _("Give at least one way to reach the person: work email, work phone or LinkedIn profile.")
        )


def _check_company_record(data: ProspectData, ids: dict[str, str]) -> None:
    """docs/rules.md §1.2: a company record names no person (GDPR 4(1)); a name, a sole trader or a
    personal profile makes it a person's record, with every GDPR duty."""
    rule = _("a company record names no person (GDPR art. 4(1))")
    for name in ("first_name", "last_name"):
        if getattr(data, name).strip():
            data.errors.setdefault(name, []).append(
                _("Leave the name empty: %(rule)s; untick the company record to log a person.")
                % {"rule": rule}
            )
    if data.sole_trader:
        data.errors.setdefault("sole_trader", []).append(
            _("A sole trader is a person, not a company record (GDPR art. 4(1)).")
        )
    if ids["linkedin_url"]:
        data.errors.setdefault("linkedin_url", []).append(
            _("A LinkedIn profile is a person's: %(rule)s.") % {"rule": rule}
        )
    if not data.company_name.strip():
        data.errors.setdefault("company", []).append(_("A company record needs the company's name."))


def _check_company_coordinate(data: ProspectData, audience: str) -> None:
    """A company record holds only a company or department coordinate (contact@, a switchboard)."""
    if data.company_only and audience != Audience.B2B_GENERIC:
        data.errors.setdefault("email", []).append(
            _(
                "A company record holds only a company or department address or number (contact@, a "
                "switchboard); this one is classified “%(audience)s”, a person's."
            )
            % {"audience": Audience(audience).label}
        )


def _check_duplicates(data: ProspectData, indexes: dict, *, by, exclude_pk: int | None = None) -> None:
    """The same email, phone or LinkedIn URL cannot make a second prospect (acceptance 3.4).

    Whom it belongs to is told only to those who may see the record: to anyone else the
    answer names the team to ask, never the person, and the look-up is written to the
    access log (CNIL délib. 2021-122), so that probing another team's base leaves a trace.
    """
    for index_name, field_name in INDEXED_FIELDS.items():
        value = indexes[index_name]
        if value is None:
            continue
        existing = (
            Prospect.objects.filter(**{index_name: value})
            .exclude(pk=exclude_pk)
            .select_related("team")
            .first()
        )
        if existing is None:
            continue
        if by is not None and Prospect.objects.visible_to(by).filter(pk=existing.pk).exists():
            message = _("Already recorded for %(name)s (prospect #%(id)s).") % {
                "name": existing,
                "id": existing.pk,
            }
        else:
            team = existing.team.name if existing.team_id else _("no team")
            message = _("Already recorded in the organisation, by the %(team)s team: ask them.") % {
                "team": team
            }
            record_access(by, [existing.pk], action=AccessAction.DUPLICATE_CHECK)
        data.errors.setdefault(field_name, []).append(message)


def _check_suppressed(data: ProspectData, indexes: dict) -> None:
    """Art. 21(3): someone who objected is never logged again (CNIL liste repoussoir)."""
    suppressed = suppression.suppressed_digests([value for value in indexes.values() if value])
    for index_name, field_name in INDEXED_FIELDS.items():
        if indexes[index_name] in suppressed:
            data.errors.setdefault(field_name, []).append(suppression.refusal_message())


def _clean_source(data: ProspectData, source: SourceData | None, ids: dict[str, str]) -> dict:
    if source is None or not source.type:
        data.errors.setdefault("source", []).append(
            _("Say where the person comes from: no prospect is recorded without its source (GDPR art. 14).")
        )
        return {}
    try:
        evidence = provenance.clean_evidence(source.type, source.evidence)
    except provenance.ProvenanceError as error:
        data.errors.setdefault(f"source.{error.field}", []).append(error.message)
        return {}
    if source.type in provenance.LINKEDIN_TYPES:
        _match_linkedin(data, evidence, ids)
    return evidence


def _match_linkedin(data: ProspectData, evidence: dict, ids: dict[str, str]) -> None:
    if not ids["linkedin_url"]:
        ids["linkedin_url"] = evidence["profile_url"]
    elif ids["linkedin_url"] != evidence["profile_url"]:
        data.errors.setdefault("linkedin_url", []).append(
            _("The LinkedIn profile differs from the source's profile link.")
        )


def _company(name: str) -> Company | None:
    name = name.strip()
    if not name:
        return None
    company = Company.objects.filter(name__iexact=name).first()
    return company or Company.objects.create(name=name)


def validate_new(data: ProspectData, source: SourceData | None, *, by=None) -> tuple[dict, dict, str, dict]:
    ids = _identifiers(data)
    evidence = _clean_source(data, source, ids)
    _check_names(data, ids)
    indexes = indexes_of(ids)
    audience = _audience(data, ids, source.type if source else "")
    _check_company_coordinate(data, audience)
    _check_suppressed(data, indexes)
    _check_duplicates(data, indexes, by=by)
    if data.note.strip() and (problem := screening_error(data.note)):
        data.errors.setdefault("note", []).append(problem)
    if data.errors:
        raise ValidationError(data.errors)
    return ids, indexes, audience, evidence


def create_prospect(data: ProspectData, *, source: SourceData | None, by) -> Prospect:
    """Record a prospect with its source; nothing is stored if any check fails."""
    ids, indexes, audience, evidence = validate_new(data, source, by=by)
    now = timezone.now()
    try:
        with transaction.atomic():
            company = _company(data.company_name)
            prospect = Prospect(
                first_name=data.first_name.strip(),
                last_name=data.last_name.strip(),
                job_title=data.job_title.strip(),
                company=company,
                company_sort=company.name if company else "",
                language=data.language or "fr",
                audience=audience,
                audience_justification=data.audience_justification.strip(),
                sole_trader=data.sole_trader,
                company_only=data.company_only,
                owner=by,
                team=team_of(by),
                stage=pipeline.default_stage(),
                collected_at=now,
                **ids,
                **indexes,
            )
            prospect.retention_until = retention.deadline_of(prospect)
            prospect._history_user = by
            prospect.save()
            Source.objects.create(
                prospect=prospect,
                type=source.type,
                evidence=evidence,
                acquired_at=now,
                notice=provenance.initial_notice(source.type, evidence),
                recorded_by=by,
            )
            if data.note.strip():
                add_note(prospect, text=data.note, by=by)
    except IntegrityError as error:
        # Two reps logging the same person at the same instant: the unique indexes decide.
        raise ValidationError({"email": [_("This person was just recorded by someone else.")]}) from error
    webhooks.emit_prospect(webhooks.EventType.PROSPECT_CREATED, prospect)
    return prospect


EDITABLE = ("first_name", "last_name", "job_title", "language")
# The personal data a rectification changes, and the recipients hold copies of.
RECTIFIABLE = (*EDITABLE, "email", "phone", "linkedin_url", "company_id", "sole_trader", "company_only")


def _rectifiable(prospect: Prospect) -> tuple:
    return tuple(getattr(prospect, name) for name in RECTIFIABLE)


def update_prospect(prospect: Prospect, data: ProspectData, *, by) -> Prospect:
    """Rectification through the normal edit (Art. 16); history keeps every version.

    Edits never move the retention deadline (docs/rules.md §2.1: KASPR).
    """
    if prospect.is_restricted:
        raise ValidationError(
            {"__all__": [_("Processing of this record is restricted (GDPR art. 18): it cannot be edited.")]}
        )
    ids = _identifiers(data)
    _check_names(data, ids)
    indexes = indexes_of(ids)
    audience = _audience(data, ids, prospect.sources.values_list("type", flat=True).first() or "")
    _check_company_coordinate(data, audience)
    changed = {name: value for name, value in indexes.items() if value != getattr(prospect, name)}
    _check_suppressed(data, {name: changed.get(name) for name in INDEXED_FIELDS})
    _check_duplicates(data, indexes, by=by, exclude_pk=prospect.pk)
    if data.errors:
        raise ValidationError(data.errors)
    previous_digests = [getattr(prospect, name) for name in INDEXED_FIELDS]
    before = _rectifiable(prospect)
    with transaction.atomic():
        for name in EDITABLE:
            setattr(prospect, name, getattr(data, name).strip())
        for name, value in {**ids, **indexes}.items():
            setattr(prospect, name, value)
        prospect.company = _company(data.company_name)
        prospect.company_sort = prospect.company.name if prospect.company else ""
        prospect.audience = audience
        prospect.audience_justification = data.audience_justification.strip()
        prospect.sole_trader = data.sole_trader
        prospect.company_only = data.company_only
        prospect._history_user = by
        if _rectifiable(prospect) != before:
            # GDPR 16, 19: the recipients are told, by the hashes they know the person by (before the save).
            propagation.queue([prospect.pk], event=Propagation.Event.RECTIFICATION)
        try:
            with transaction.atomic():
                prospect.save()
        except IntegrityError as error:
            # Another edit took the same identifier at the same instant: the unique indexes decide.
            raise ValidationError(
                {"email": [_("This identifier was just recorded by someone else.")]}
            ) from error
        suppression.carry_over(prospect, previous_digests=previous_digests)
        after = _rectifiable(prospect)
        changed_fields = [
            name for name, old, new in zip(RECTIFIABLE, before, after, strict=True) if old != new
        ]
        if changed_fields:
            webhooks.emit_prospect(webhooks.EventType.PROSPECT_UPDATED, prospect, fields=changed_fields)
    return prospect
