"""Recording consent: a grant with its proof, its double opt-in confirmation, a withdrawal.

Every change is a new row (GDPR 7(1) proof, 7(3) withdrawal), written by one of the
functions here. A grant is refused without its proof (docs/rules.md §2.4: who, when, how, the
wording shown and its version, the collector or the broker); "a correct website
configuration" is not proof (EDPB 05/2020 §108). A double opt-in grant counts only
once the person has clicked the confirmation link emailed to them.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consent import links
from consent.channels import Channel
from consent.models import ONLINE_METHODS, Action, Confirmation, Consent, Method, Purpose, Route
from org.conflicts import StateConflict
from org.dates import shown_date
from prospects import webhooks
from prospects.models import InteractionType, Prospect
from prospects.timeline import record_interaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Proof:
    """What shows the person consented: how, to which wording, when, where, through whom."""

    method: str
    wording: str
    wording_version: str
    given_at: datetime | None = None
    ip: str | None = None
    user_agent: str = ""
    evidence_ref: str = ""
    collected_by: object = None
    broker: str = ""
    broker_contract_ref: str = ""
    broker_named_us: bool = False


def wording_hash(wording: str) -> str:
    """SHA-256 of the exact text shown, so that a later edit of the text cannot go unnoticed."""
    return hashlib.sha256(wording.encode("utf-8")).hexdigest()


def _purpose(code: str, errors: dict) -> Purpose | None:
    purpose = Purpose.objects.filter(code=code, is_active=True).first()
    if purpose is None:
        errors["purpose"] = [_("Choose a declared purpose.")]
    return purpose


def _proof_errors(proof: Proof, prospect: Prospect) -> dict:
    errors: dict[str, list[str]] = {}
    if proof.method not in Method.values:
        errors["method"] = [
            _("Say how the consent was given: ticked box, double opt-in, signed form or oral.")
        ]
    if not proof.wording.strip():
        errors["wording"] = [_("Record the exact wording the person agreed to (GDPR art. 7(1)).")]
    if not proof.wording_version.strip():
        errors["wording_version"] = [_("Record the version of the wording shown.")]
    if proof.given_at and proof.given_at > timezone.now():
        errors["given_at"] = [_("This date is in the future.")]
    if proof.broker.strip():
        if not proof.broker_contract_ref.strip():
            errors["broker_contract_ref"] = [
                _("A consent collected by a broker needs the contract reference.")
            ]
    elif proof.method in ONLINE_METHODS:
        # EDPB 05/2020 §108: for an online consent, the trace of the session that gave it.
        if not proof.ip:
            errors["ip"] = [_("An online consent needs the IP address it was given from.")]
        if not proof.user_agent.strip():
            errors["user_agent"] = [_("An online consent needs the browser (user agent) it was given from.")]
    if proof.method == Method.SIGNED_FORM and not proof.evidence_ref.strip():
        errors["evidence_ref"] = [_("Say where the signed form is kept.")]
    if proof.method == Method.DOUBLE_OPT_IN and not prospect.email:
        errors["method"] = [_("A double opt-in needs the person's email address, to send the confirmation.")]
    return errors


def record_consent(
    prospect: Prospect,
    *,
    purpose_code: str,
    channel: str,
    proof: Proof,
    by=None,
    ask_confirmation: bool = True,
) -> Consent:
    """Record a grant with its proof; a double opt-in grant is pending until confirmed.

    ``by`` is the user recording it (None when the person used the sign-up page); the
    collector defaults to ``by`` unless a broker collected it. With ``ask_confirmation``
    a double opt-in grant immediately emails its confirmation link.
    """
    errors = _proof_errors(proof, prospect)
    purpose = _purpose(purpose_code, errors)
    if channel not in Channel.values:
        errors["channel"] = [_("Choose a known channel.")]
    broker = proof.broker.strip()
    collector = proof.collected_by or (None if broker else by)
    if not broker and collector is None:
        errors["collected_by"] = [_("Say who collected the consent, or which broker did.")]
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        prospect=prospect,
        purpose=purpose,
        channel=channel,
        action=Action.GRANT,
        given_at=proof.given_at or timezone.now(),
        method=proof.method,
        wording=proof.wording.strip(),
        wording_version=proof.wording_version.strip(),
        wording_sha256=wording_hash(proof.wording.strip()),
        ip=proof.ip or None,
        user_agent=proof.user_agent.strip()[:500],
        evidence_ref=proof.evidence_ref.strip(),
        collected_by=collector,
        broker=broker,
        broker_contract_ref=proof.broker_contract_ref.strip() if broker else "",
        broker_named_us=bool(broker and proof.broker_named_us),
        recorded_by=by,
    )
    logger.info("consent %s recorded for prospect %s (%s)", consent.pk, prospect.pk, consent.method)
    if consent.method != Method.DOUBLE_OPT_IN:
        # A double opt-in grant counts once confirmed: its event goes out then (confirm_consents).
        webhooks.emit_consent(webhooks.EventType.CONSENT_GRANTED, consent)
    if ask_confirmation and consent.method == Method.DOUBLE_OPT_IN:
        send_confirmation(prospect, [consent])
    return consent


def withdraw_consent(
    prospect: Prospect,
    *,
    purpose_code: str,
    channel: str,
    via: str,
    by=None,
    given_at: datetime | None = None,
) -> Consent:
    """GDPR 7(3): a withdrawal is a new row; from then on the consent never counts again."""
    errors: dict = {}
    purpose = Purpose.objects.filter(code=purpose_code).first()
    if purpose is None:
        errors["purpose"] = [_("Choose a declared purpose.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose a known channel.")]
    if via not in Route.values:
        errors["received_via"] = [_("Say how the withdrawal reached us.")]
    if given_at and given_at > timezone.now():
        errors["given_at"] = [_("This date is in the future.")]
    if errors:
        raise ValidationError(errors)
    _check_not_withdrawn(prospect, purpose=purpose, channel=channel)
    consent = Consent.objects.create(
        prospect=prospect,
        purpose=purpose,
        channel=channel,
        action=Action.WITHDRAW,
        given_at=given_at or timezone.now(),
        received_via=via,
        recorded_by=by,
    )
    logger.info("consent withdrawal %s recorded for prospect %s via %s", consent.pk, prospect.pk, via)
    webhooks.emit_consent(webhooks.EventType.CONSENT_WITHDRAWN, consent)
    return consent


def _check_not_withdrawn(prospect: Prospect, *, purpose: Purpose, channel: str) -> None:
    """A second withdrawal of the same consent is a state conflict (org/conflicts.py), not new input:
    the consent already does not count, and a second row would blur when it ended (GDPR 7(3))."""
    latest = (
        Consent.objects.filter(prospect=prospect, purpose=purpose, channel=channel)
        .order_by("-given_at", "-pk")
        .first()
    )
    if latest is not None and latest.action == Action.WITHDRAW:
        raise StateConflict(
            _("This consent was already withdrawn on %(date)s: it no longer counts.")
            % {"date": shown_date(latest.given_at)}
        )


def send_confirmation(prospect: Prospect, consents: list[Consent], *, language: str = "") -> None:
    """Email the double opt-in link, in the person's language (or ``language``: a web form's)."""
    with translation.override(language or prospect.language):
        context = {
            "prospect": prospect,
            "consents": consents,
            "url": links.confirmation_url(prospect, [consent.pk for consent in consents]),
        }
        subject = _("Please confirm your choices")
        body = render_to_string("consent/email_confirmation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [prospect.email])


@transaction.atomic
def confirm_consents(
    prospect: Prospect, *, consent_ids: list[int], ip: str | None, user_agent: str
) -> list[Confirmation]:
    """The second step of a double opt-in; idempotent.

    A grant that a later withdrawal superseded is not revived by an old link (GDPR 7(3)).
    A first confirmation is the person's own "yes, keep me informed": it restarts the
    retention clock (docs/rules.md §2.2, explicit re-permission).
    """
    now = timezone.now()
    grants = Consent.objects.filter(
        prospect=prospect, pk__in=consent_ids, action=Action.GRANT, method=Method.DOUBLE_OPT_IN
    ).select_for_update(of=("self",))
    confirmations, confirmed_now = [], 0
    for grant in grants:
        withdrawn = Consent.objects.filter(
            prospect=prospect,
            purpose_id=grant.purpose_id,
            channel=grant.channel,
            action=Action.WITHDRAW,
            given_at__gte=grant.given_at,
        ).exists()
        if withdrawn:
            continue
        confirmation, created = Confirmation.objects.get_or_create(
            consent=grant, defaults={"confirmed_at": now, "ip": ip or None, "user_agent": user_agent[:500]}
        )
        confirmations.append(confirmation)
        confirmed_now += created
        if created:
            webhooks.emit_consent(webhooks.EventType.CONSENT_GRANTED, grant)
    if confirmed_now:
        record_interaction(prospect, type=InteractionType.REPERMISSION_YES, occurred_at=now)
    logger.info("double opt-in: %s consents confirmed for prospect %s", confirmed_now, prospect.pk)
    return confirmations
