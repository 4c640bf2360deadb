"""What a person sees of one prospect on its page: provenance, timeline, notes, retention."""

from django.utils import timezone

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
    specs = provenance.EVIDENCE.get(source.type, ())
    return [(spec.label, source.evidence.get(spec.name, "")) for spec in specs]


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
