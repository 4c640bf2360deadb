"""What a person sees of one prospect on its page: provenance, timeline, notes, retention."""

from django.utils import timezone

from org.dates import shown_date
from org.roles import Role, has_role
from prospects import pipeline, provenance, retention, suppression
from prospects.models import Prospect


def visible_notes(prospect: Prospect, viewer):
    """A rep reads only their own notes; the DPO and admins read all (need-to-know)."""
    notes = prospect.notes.select_related("author")
    if has_role(viewer, Role.DPO, Role.ADMIN):
        return notes
    return notes.filter(author=viewer)


def evidence_rows(source) -> list[tuple[str, object]]:
    """Each evidence field by its label, a date as people read it (org/dates.py)."""
    specs = provenance.EVIDENCE.get(source.type, ())
    rows = []
    for spec in specs:
        value = source.evidence.get(spec.name, "")
        if spec.kind == "date" and value:
            value = shown_date(value) or value
        rows.append((spec.label, value))
    return rows


def prospect_review(prospect: Prospect, *, viewer) -> dict:
    today = timezone.localdate()
    sources = list(prospect.sources.all())
    return {
        "prospect": prospect,
        "sources": [(source, evidence_rows(source)) for source in sources],
        "interactions": prospect.interactions.select_related("recorded_by")[:200],
        # Shown on the timeline; a stage change is never a contact (no retention badge).
        "stage_changes": pipeline.changes_of(prospect)[:200],
        "notes": visible_notes(prospect, viewer),
        "expired": retention.is_expired(prospect, today=today),
        "days_left": (prospect.retention_until - today).days,
        "objected": suppression.is_suppressed(prospect),
    }
