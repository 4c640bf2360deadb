"""A visitor's submission of a web form: the evidence written by the server, never typed.

The prospect's source is ``web_form_consent`` when a box was ticked, ``web_form_notice``
otherwise, with the form, the version, the hash of the text shown, the time, the client's
address (``org/clients.py``), the browser and the page the form was on (GDPR 5(2), 7(1);
docs/rules.md §2.4). A ticked box is a pending double opt-in grant that counts once the
person confirms it (``consent/recording.py``); its link expires after
``consent.links.CONFIRMATION_MAX_AGE``, and an unconfirmed grant never counts.

Whatever the address (new, known, or on the suppression list), the visitor gets the same
page: the form never tells who is in the base. A suppressed address creates nothing
(GDPR 21(3)); a known one gets the submission logged as a contact from the prospect.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from consent.invitations import asked_recently
from consent.models import Method
from consent.recording import Proof, record_consent, send_confirmation
from prospects import intake, provenance, suppression
from prospects.identity import indexes_of, normalise_identifiers
from prospects.models import InteractionType, Prospect, Source, SourceType
from prospects.timeline import record_interaction
from webforms.definitions import boxes, public_url
from webforms.models import FormTally, FormVersion, Outcome, WebForm

logger = logging.getLogger(__name__)

TOKEN_SALT = "webforms.page"  # noqa: S105 (a signing salt, not a secret)
TOKEN_MAX_AGE = timedelta(hours=12)


@dataclass(frozen=True, kw_only=True)
class Visit:
    """What the server itself knows of the submission, and what the visitor typed and ticked."""

    values: dict
    ticked: frozenset[str]
    ip: str | None
    user_agent: str
    page_url: str


# --- The page's signed token: which version was shown, and when ---------------------------------


def page_token(version: FormVersion, *, page_url: str = "") -> str:
    """Signed into the page: the version shown, the time it was shown, the page it was shown on."""
    payload = {"f": version.form_id, "v": version.pk, "t": time.time(), "p": page_url[:500]}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def read_token(form: WebForm, token: str) -> tuple[FormVersion, float, str] | None:
    """The version, the seconds since the page was shown, and its page; None if not genuine."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("f") != form.pk:
        return None
    version = form.versions.filter(pk=payload.get("v")).first()
    if version is None:
        return None
    return version, time.time() - float(payload.get("t", 0)), str(payload.get("p", ""))


def too_fast(elapsed: float) -> bool:
    """Faster than a person fills a form in (``LOYAL_WEBFORM_MIN_SECONDS``): a robot."""
    return elapsed < settings.LOYAL_WEBFORM_MIN_SECONDS


# --- Counting, without people ----------------------------------------------------------------------


def count(form: WebForm, outcome: str) -> None:
    """One more submission of ``outcome`` today; nothing about who sent it is kept."""
    day = timezone.localdate()
    rows = FormTally.objects.filter(form=form, day=day, outcome=outcome)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            FormTally.objects.create(form=form, day=day, outcome=outcome, count=1)
    except IntegrityError:
        rows.update(count=F("count") + 1)


# --- The submission ----------------------------------------------------------------------------------


def _evidence(form: WebForm, version: FormVersion, visit: Visit) -> dict:
    return {
        "form_id": form.slug,
        "notice_version": version.label,
        "wording_hash": version.sha256,
        "ip": visit.ip or "unknown",
        "user_agent": visit.user_agent.strip()[:500] or "(none sent)",
        "page_url": visit.page_url.strip()[:500],
    }


def _known(indexes: dict) -> Prospect | None:
    for column in ("email_index", "phone_index"):
        if indexes[column] and (found := Prospect.objects.filter(**{column: indexes[column]}).first()):
            return found
    return None


def submit(form: WebForm, version: FormVersion, visit: Visit) -> str:
    """Record a submission; answers "new", "known", "suppressed" or "refused" (for the tests and logs).

    The view answers the visitor the same page whatever this returns.
    """
    ids, _errors = normalise_identifiers(
        {"email": visit.values["email"], "phone": visit.values.get("phone", "")}
    )
    indexes = indexes_of(ids)
    count(form, Outcome.RECEIVED)
    if suppression.suppressed_digests(value for value in indexes.values() if value):
        return "suppressed"  # Art. 21(3): never recorded again; the page says nothing of it
    picked = [box for box in boxes(version) if box["name"] in visit.ticked]
    source_type = SourceType.WEB_FORM_CONSENT if picked else SourceType.WEB_FORM_NOTICE
    source = intake.SourceData(source_type, _evidence(form, version, visit))
    try:
        with transaction.atomic():
            prospect = _known(indexes)
            outcome = "known" if prospect else "new"
            if prospect is None:
                prospect = intake.create_prospect(_data(form, visit), source=source, by=form.owner)
            else:
                _add_source(prospect, source)
            # docs/rules.md §2.2: a web form submitted is a contact from the person; it moves retention.
            record_interaction(
                prospect, type=InteractionType.FORM_SUBMISSION, summary=visit.values.get("message", "")
            )
            _ask_consents(form, version, prospect, picked, visit)
    except ValidationError as error:
        # A race with another submission, or evidence the provenance rules refuse (a harvesting
        # tool's user agent): nothing is stored, and the visitor is not told why.
        logger.warning("web form %s: submission refused (%s)", form.pk, ", ".join(error.message_dict))
        return "refused"
    logger.info("web form %s: submission recorded for prospect %s (%s)", form.pk, prospect.pk, outcome)
    return outcome


def _data(form: WebForm, visit: Visit) -> intake.ProspectData:
    values = visit.values
    return intake.ProspectData(
        first_name=values["first_name"],
        last_name=values["last_name"],
        job_title=values.get("job_title", ""),
        company_name=values.get("company", ""),
        email=values["email"],
        phone=values.get("phone", ""),
        language=form.language,
    )


def _add_source(prospect: Prospect, source: intake.SourceData) -> None:
    """A known person's new submission is one more provenance, with its own evidence."""
    try:
        evidence = provenance.clean_evidence(source.type, source.evidence)
    except provenance.ProvenanceError as error:
        raise ValidationError({f"source.{error.field}": [error.message]}) from error
    Source.objects.create(
        prospect=prospect,
        type=source.type,
        evidence=evidence,
        acquired_at=timezone.now(),
        notice=provenance.initial_notice(source.type, evidence),
    )


def _ask_consents(
    form: WebForm, version: FormVersion, prospect: Prospect, picked: list, visit: Visit
) -> None:
    """Each ticked box is a pending double opt-in grant; one confirmation e-mail in the form's language.

    A channel the person objected to, or already asked about within a day, is not asked
    again: the public form must not become a way to flood someone's mailbox.
    """
    reachable = {"email": bool(prospect.email), "phone": bool(prospect.phone), "sms": bool(prospect.phone)}
    picked = [
        box
        for box in picked
        if reachable.get(box["channel"]) and not suppression.is_suppressed(prospect, channel=box["channel"])
    ]
    asked = asked_recently(prospect, channels={box["channel"] for box in picked})
    consents = [
        record_consent(
            prospect,
            purpose_code=box["purpose"],
            channel=box["channel"],
            proof=Proof(
                method=Method.DOUBLE_OPT_IN,
                wording=box["wording"],
                wording_version=version.label,
                ip=visit.ip,
                user_agent=visit.user_agent or "(none sent)",
                evidence_ref=public_url(form),
                collected_by=form.owner,
            ),
            ask_confirmation=False,
        )
        for box in picked
        if box["channel"] not in asked
    ]
    if consents:
        send_confirmation(prospect, consents, language=form.language)
