"""What happens with a prospect: interactions (append-only) and notes.

Whether an interaction is a voluntary contact from the prospect is derived from its
type (retention.py), never typed by a rep, and only such a contact moves the
retention deadline (docs/rules.md §2.2).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prospects import customers, retention
from prospects.models import Interaction, InteractionType, Note, Prospect
from prospects.notes import explain, screen_note


def screening_error(text: str) -> str | None:
    """Why a free text may not be stored, if it may not (CNIL formal notice 2015-063; GDPR 9)."""
    flags = screen_note(text)
    return explain(flags) if flags else None


def _screened(text: str, *, field: str) -> str:
    text = text.strip()
    error = screening_error(text)
    if error:
        raise ValidationError({field: [error]})
    return text


@transaction.atomic
def record_interaction(
    prospect: Prospect, *, type: str, occurred_at: datetime | None = None, summary: str = "", by=None
) -> Interaction:
    if type not in InteractionType.values:
        raise ValidationError({"type": [_("Unknown interaction type.")]})
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + timezone.timedelta(minutes=5):
        raise ValidationError({"occurred_at": [_("An interaction cannot be in the future.")]})
    interaction = Interaction.objects.create(
        prospect=prospect,
        type=type,
        direction=retention.direction_of(type),
        is_voluntary_prospect_contact=retention.is_voluntary(type),
        occurred_at=occurred_at,
        summary=_screened(summary, field="summary"),
        recorded_by=by,
    )
    if interaction.is_voluntary_prospect_contact:
        _move_clock(prospect, occurred_at, by=by)
    if type == InteractionType.ORDER:
        # An order or a signed contract makes the person a customer from that day (docs/rules.md §1.1).
        customers.become_customer(prospect, since=timezone.localdate(occurred_at), category=None, by=by)
    return interaction


def _move_clock(prospect: Prospect, contact_at: datetime, *, by) -> None:
    """A voluntary contact restarts the 3-year clock from that contact (docs/rules.md §2.1)."""
    locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if locked.last_prospect_contact_at is not None and locked.last_prospect_contact_at >= contact_at:
        return
    locked.last_prospect_contact_at = contact_at
    locked.retention_until = retention.deadline_of(locked)
    locked._history_user = by
    locked._change_reason = "voluntary contact"
    locked.save(update_fields=["last_prospect_contact_at", "retention_until", "updated_at"])
    prospect.last_prospect_contact_at = locked.last_prospect_contact_at
    prospect.retention_until = locked.retention_until


def add_note(prospect: Prospect, *, text: str, by) -> Note:
    if not text.strip():
        raise ValidationError({"text": [_("The note is empty.")]})
    note = Note(prospect=prospect, author=by, text=_screened(text, field="text"))
    note._history_user = by
    note.save()
    return note
