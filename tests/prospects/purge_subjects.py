"""The people the purge and erasure tests delete, collected on a chosen day (docs/rules.md §2.1).

`TODAY` is the day the purge runs as of; `collected_on` and `logged_with_everything` travel
back in time to record a prospect, with everything the CRM can hold about them.
"""

from datetime import date, datetime

import time_machine
from django.utils import timezone

from prospects import pipeline
from prospects.intake import ProspectData, update_prospect
from prospects.models import InteractionType, Prospect
from prospects.next_steps import add_next_step, complete_next_step
from prospects.timeline import add_note, record_interaction
from tests import factories

TODAY = date(2026, 6, 15)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def three_years_before(day: date) -> date:
    return day.replace(year=day.year - 3)


def collected_on(day: date, *, by, **fields) -> Prospect:
    fields.setdefault("source_type", "manual")
    with time_machine.travel(at(day), tick=False):
        return factories.prospect(by=by, **fields)


def exists(prospect: Prospect) -> bool:
    return Prospect.objects.filter(pk=prospect.pk).exists()


PERSON = {
    "first_name": "Zéphyrine",
    "last_name": "Quastorff",
    "email": "z.quastorff@acme-industries.fr",
    "phone": "+33 6 12 34 56 78",
    "linkedin_url": "https://www.linkedin.com/in/zephyrine-quastorff",
}


def logged_with_everything(*, by, person: dict, on: date) -> Prospect:
    """A prospect with a LinkedIn source, a note, interactions, next steps, a stage change and a
    twice edited record."""
    with time_machine.travel(at(on), tick=False):
        prospect = factories.prospect(
            by=by,
            source_type="linkedin_connection",
            evidence={"profile_url": person["linkedin_url"]},
            **person,
        )
        note = add_note(
            prospect, text=f"{person['first_name']} {person['last_name']} asked for prices", by=by
        )
        note.text += " (again)"
        note.save()
        record_interaction(
            prospect, type=InteractionType.EMAIL_SENT, summary=f"Brochure sent to {person['email']}", by=by
        )
        # Two next steps, one done with the interaction it was for: both hold the person's name.
        add_next_step(prospect, what=f"Call {person['first_name']} back", due_at=at(on, 15), by=by)
        called = add_next_step(prospect, what=f"Call {person['last_name']}", due_at=at(on, 11), by=by)
        # Our own call: it leaves the retention clock (and the record's history) as it was.
        complete_next_step(called, by=by, interaction_type=InteractionType.CALL_OUTBOUND, summary="No answer")
        pipeline.move(prospect, pipeline.stages()[1], by=by)
        data = ProspectData(**{**person, "job_title": "CFO"})
        update_prospect(prospect, data, by=by)
    return prospect
