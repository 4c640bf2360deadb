"""Carrying out the rights that change a record: erasure (17), restriction (18), objection (21).

Access and portability are the export (subject_access.py); rectification is the normal
edit (prospects.intake.update_prospect), whose history keeps every version.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.models import Objection, Route
from consent.objections import REDUCED, record_objection, reduced
from prospects.models import Prospect, Suppression
from prospects.purge import erase_prospects
from prospects.suppression import digests_of
from registry import requests
from registry.models import Erasure, ErasureGround, RequestStatus, SubjectRequest

ERASED = gettext_lazy(
    "The record was erased; its identifiers are kept only as keyed hashes on the suppression list."
)
RESTRICTED = gettext_lazy("Processing of the record is restricted: it is kept, and used for nothing else.")
OBJECTED = gettext_lazy("The objection was recorded for every channel; the person is never contacted again.")


def erase(
    prospect: Prospect, *, by, ground: str = ErasureGround.REQUEST, request: SubjectRequest | None = None
) -> Erasure:
    """GDPR 17: delete the person and everything about them, history included, through the purge's
    deletion core; their keyed hashes go to the suppression list so that they are never re-created."""
    digests = list(digests_of(prospect).values())
    with transaction.atomic():
        listed = Suppression.objects.filter(digest__in=digests, channel=Suppression.ALL_CHANNELS).count()
        report = erase_prospects([prospect.pk], by=by, suppress=True)
        if report.purged != 1:
            raise ValidationError(_("This record no longer exists: it was already erased or purged."))
        added = (
            Suppression.objects.filter(digest__in=digests, channel=Suppression.ALL_CHANNELS).count() - listed
        )
        erasure = Erasure.objects.create(
            by=by, ground=ground, request=request, run_id=report.run_id, suppressed=added
        )
        if request is not None and request.is_open:
            requests.close(request, status=RequestStatus.DONE, outcome=str(ERASED), by=by)
    return erasure


def restrict(prospect: Prospect, *, by, request: SubjectRequest | None = None) -> Prospect:
    """GDPR 18: keep the record, stop every other use (no edit, campaign, or export but to the person)."""
    if prospect.is_restricted:
        raise ValidationError(_("Processing of this record is already restricted."))
    with transaction.atomic():
        prospect.restricted_at = timezone.now()
        _save_with_reason(prospect, by=by, reason="restriction (GDPR art. 18)")
        _answer(request, outcome=str(RESTRICTED), by=by)
    return prospect


def lift_restriction(prospect: Prospect, *, by) -> Prospect:
    """GDPR 18(3): the person is told before the restriction is lifted."""
    if not prospect.is_restricted:
        raise ValidationError(_("Processing of this record is not restricted."))
    prospect.restricted_at = None
    _save_with_reason(prospect, by=by, reason="restriction lifted (GDPR art. 18(3))")
    return prospect


def _save_with_reason(prospect: Prospect, *, by, reason: str) -> None:
    prospect._history_user = by
    prospect._change_reason = reason
    prospect.save(update_fields=["restricted_at", "updated_at"])


def object_to_prospecting(prospect: Prospect, *, by, request: SubjectRequest | None = None) -> Objection:
    """GDPR 21(2)-(3) through a rights request: every channel, for good."""
    with transaction.atomic():
        objection = record_objection(prospect, channel="", via=Route.REQUEST, by=by)
        _answer(request, outcome=str(REDUCED if reduced(objection) else OBJECTED), by=by)
    return objection


def _answer(request: SubjectRequest | None, *, outcome: str, by) -> None:
    if request is not None and request.is_open:
        requests.close(request, status=RequestStatus.DONE, outcome=outcome, by=by)
