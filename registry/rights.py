"""Carrying out the rights that change a record: erasure (17), restriction (18), objection (21).

Access and portability are the export (subject_access.py); rectification is the normal
edit (prospects.intake.update_prospect), whose history keeps every version. Each change
is queued for the recipients of the data (GDPR 19, prospects/propagation.py).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.models import Objection, Route
from consent.objections import REDUCED, record_objection, reduced
from prospects import deletion, propagation
from prospects.models import LegalHoldScope, Propagation, Prospect, RestrictionGround, Suppression
from prospects.purge import erase_outside_hold, erase_prospects
from prospects.suppression import digests_of
from registry import requests
from registry.models import (
    Erasure,
    ErasureGround,
    ErasureOutcome,
    InformedBy,
    RequestStatus,
    RestrictionLift,
    SubjectRequest,
)

ERASED = gettext_lazy(
    "The record was erased; its identifiers are kept only as keyed hashes on the suppression list."
)
RESTRICTED = gettext_lazy("Processing of the record is restricted: it is kept, and used for nothing else.")
OBJECTED = gettext_lazy("The objection was recorded for every channel; the person is never contacted again.")
LIFT_TEXT_MAX = 5000


def erase(
    prospect: Prospect, *, by, ground: str = ErasureGround.REQUEST, request: SubjectRequest | None = None
) -> Erasure:
    """GDPR 17: delete the person and everything about them, history included, through the purge's
    deletion core; their keyed hashes go to the suppression list so that they are never re-created.

    Under a running legal hold, 17(3) applies: only the hold's scope is kept (``_erase_under_hold``).
    """
    scope = prospect.hold_scope(today=timezone.localdate())
    if scope:
        return _erase_under_hold(prospect, scope=scope, by=by, ground=ground, request=request)
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


def _erase_under_hold(prospect: Prospect, *, scope: str, by, ground: str, request) -> Erasure:
    """GDPR 17(3)(b), (e) and 12(4) (docs/rules.md §2.6): keep the held scope only, restrict access to
    it, suppress the identifiers, and tell the person what is kept, why and until when."""
    with transaction.atomic():
        kept = kept_text(prospect, scope=scope)
        if scope == LegalHoldScope.EXCHANGES:
            report = erase_outside_hold([prospect.pk], by=by, kept=deletion.EXCHANGE_MODELS)
            run_id, added, outcome = report.run_id, report.suppressed, ErasureOutcome.PARTIAL
        else:
            run_id, added, outcome = None, deletion.suppress([prospect.pk]), ErasureOutcome.REFUSED
        held = Prospect.objects.select_for_update().get(pk=prospect.pk)
        if not held.is_restricted:
            _restrict(held, ground=RestrictionGround.LEGAL_HOLD, by=by)
        erasure = Erasure.objects.create(
            by=by, ground=ground, request=request, run_id=run_id, suppressed=added, outcome=outcome, kept=kept
        )
        if request is not None and request.is_open:
            requests.close(request, status=RequestStatus.REFUSED, outcome=kept, remedies_told=True, by=by)
    return erasure


def kept_text(prospect: Prospect, *, scope: str) -> str:
    """What the person is told is kept, why and until when, with the routes of complaint (GDPR 12(4)),
    in their language."""
    language = prospect.language if prospect.language in ("fr", "en") else "fr"
    with translation.override(language):
        context = {
            "until": date_format(prospect.legal_hold_until, "DATE_FORMAT"),
            "reason": prospect.legal_hold_reason,
        }
        if scope == LegalHoldScope.EXCHANGES:
            what = _(
                "Your erasure request is refused in part (GDPR art. 17(3)): the record of our exchanges "
                "with you (timeline, messages, notes) and your name are kept until %(until)s, because: "
                "%(reason)s. Everything else was erased."
            )
        else:
            what = _(
                "Your erasure request is refused for now (GDPR art. 17(3)): your whole record is kept until "
                "%(until)s, because: %(reason)s."
            )
        rest = _(
            "What is kept serves that purpose alone, with access restricted (GDPR art. 18), and is erased "
            "when it ends. Your identifiers are on our suppression list as keyed hashes, so that you are "
            "never contacted again."
        )
        remedies = requests.REMEDIES.fr if language == "fr" else requests.REMEDIES.en
        return " ".join((what % context, str(rest), remedies))


def restrict(prospect: Prospect, *, by, ground: str, request: SubjectRequest | None = None) -> Prospect:
    """GDPR 18: keep the record, stop every other use (no edit, campaign, or export but to the person)."""
    if ground not in RestrictionGround.values or ground == RestrictionGround.LEGAL_HOLD:
        raise ValidationError(
            {"ground": [_("Say on which ground of GDPR art. 18(1) processing is restricted.")]}
        )
    if prospect.is_restricted:
        raise ValidationError(_("Processing of this record is already restricted."))
    with transaction.atomic():
        _restrict(prospect, ground=ground, by=by)
        _answer(request, outcome=str(RESTRICTED), by=by)
    return prospect


def _restrict(prospect: Prospect, *, ground: str, by) -> None:
    prospect.restricted_at = timezone.now()
    prospect.restriction_ground = ground
    # GDPR 19: the recipients restrict their copies too, told in the same transaction.
    propagation.queue([prospect.pk], event=Propagation.Event.RESTRICTION)
    _save_with_reason(prospect, by=by, reason="restriction (GDPR art. 18)")


def lift_restriction(
    prospect: Prospect,
    *,
    by,
    informed_on: date | None,
    informed_by: str,
    text: str,
    today: date | None = None,
) -> RestrictionLift:
    """GDPR 18(3): the person is told before the restriction is lifted; when, how and what is recorded."""
    refusal = lift_refusal(prospect, informed_on=informed_on, informed_by=informed_by, text=text, today=today)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        lift = RestrictionLift.objects.create(
            prospect=prospect,
            ground=prospect.restriction_ground,
            restricted_at=prospect.restricted_at,
            informed_on=informed_on,
            informed_by=informed_by,
            text=text.strip(),
            lifted_by=by,
        )
        prospect.restricted_at = None
        prospect.restriction_ground = ""
        propagation.queue([prospect.pk], event=Propagation.Event.RESTRICTION_LIFTED)
        _save_with_reason(prospect, by=by, reason="restriction lifted (GDPR art. 18(3))")
    return lift


def lift_refusal(
    prospect: Prospect, *, informed_on: date | None, informed_by: str, text: str, today: date | None = None
) -> ValidationError | None:
    """Why ``lift_restriction`` would refuse these facts, or None: the page asks to confirm only a
    lift that would be carried out."""
    today = today or timezone.localdate()
    if not prospect.is_restricted:
        return ValidationError(_("Processing of this record is not restricted."))
    if prospect.restriction_ground == RestrictionGround.LEGAL_HOLD and prospect.hold_scope(today=today):
        return ValidationError(
            _("A legal hold keeps this record restricted until %(date)s.")
            % {"date": date_format(prospect.legal_hold_until, "DATE_FORMAT")}
        )
    errors = _lift_errors(prospect, informed_on=informed_on, informed_by=informed_by, text=text, today=today)
    return ValidationError(errors) if errors else None


def _lift_errors(prospect: Prospect, *, informed_on, informed_by: str, text: str, today: date) -> dict:
    errors: dict[str, list[str]] = {}
    restricted_on = timezone.localdate(prospect.restricted_at)
    if informed_on is None:
        errors["informed_on"] = [_("Give the date the person was told the restriction would be lifted.")]
    elif not restricted_on <= informed_on <= today:
        errors["informed_on"] = [
            _("The person is told before the restriction is lifted, after it was placed (GDPR art. 18(3)).")
        ]
    if informed_by not in InformedBy.values:
        errors["informed_by"] = [_("Say how the person was told.")]
    if not text.strip():
        errors["text"] = [_("Copy what the person was told (GDPR art. 18(3)).")]
    for check in (MaxLengthValidator(LIFT_TEXT_MAX), ProhibitNullCharactersValidator()):
        try:
            check(text)
        except ValidationError as error:
            errors.setdefault("text", []).extend(error.messages)
    return errors


def _save_with_reason(prospect: Prospect, *, by, reason: str) -> None:
    prospect._history_user = by
    prospect._change_reason = reason
    prospect.save(update_fields=["restricted_at", "restriction_ground", "updated_at"])


def object_to_prospecting(prospect: Prospect, *, by, request: SubjectRequest | None = None) -> Objection:
    """GDPR 21(2)-(3) through a rights request: every channel, for good."""
    with transaction.atomic():
        objection = record_objection(prospect, channel="", via=Route.REQUEST, by=by)
        _answer(request, outcome=str(REDUCED if reduced(objection) else OBJECTED), by=by)
    return objection


def _answer(request: SubjectRequest | None, *, outcome: str, by) -> None:
    if request is not None and request.is_open:
        requests.close(request, status=RequestStatus.DONE, outcome=outcome, by=by)
