"""The privacy notice owed to people whose data were not collected from them (GDPR 14; docs/rules.md §5).

The notice is in the person's language and names the precise source (KASPR,
SAN-2024-020: "publicly available sources" is too vague, English-only notices to
French people were criticised). It rides in the first message when the gate allows
with notice; otherwise the Art. 14 job sends it on its own, non-promotional, before
the month runs out (14(3)(a)), or flags the person for the purge when there is no
way to reach them. Each notice given is recorded on the source and as a
``NoticeRecord`` (who, when, which version, by which channel).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from consent import links
from consent.channels import Channel
from consent.models import ConsentState
from consent.state import DEFAULT_PURPOSE, states_of
from org.models import Organisation
from outreach.models import NoticeOutcome, NoticeRecord
from prospects import retention, suppression
from prospects.models import Language, Notice, Prospect, Source, SourceType
from prospects.provenance import indirect

logger = logging.getLogger(__name__)

# Bump when the notice changes, adding its templates as outreach/notices/<version>_<language>.txt:
# each record names the version the person got, and every version ever given stays renderable,
# so that the proof of a notice shows the text as it was (GDPR 5(2), docs/rules.md §2.1).
# art14-2026-2: the full GDPR 14(1)-(2) content (consent as the basis where it is, the
# retention from the setting, no automated decisions, the objection right set apart, 21(4)).
# art14-2026-3: each processor by its own text with its country, each transfer with its
# safeguard (org.models.Processor; GDPR 14(1)(e)-(f), CJEU C-154/21). The earlier versions
# name the same processors, on one line, as their text did.
NOTICE_VERSION = "art14-2026-3"
NOTICE_VERSIONS = ("art14-2026-1", "art14-2026-2", NOTICE_VERSION)
STANDALONE_SUBJECT = {
    Language.FR: "Information sur l'utilisation de vos données personnelles",
    Language.EN: "How we use your personal data",
}


def first_source(prospect: Prospect) -> Source | None:
    """The source the gate reads (contactability.situation_for), hence the one the notice names."""
    return prospect.sources.order_by("acquired_at", "pk").first()


def notice_text(
    prospect: Prospect,
    *,
    language: str,
    source: Source | None = None,
    standalone: bool = False,
    controller: Organisation | None = None,
    version: str = NOTICE_VERSION,
) -> str:
    """The Art. 13/14 notice of docs/rules.md §1.5 for ``prospect``, in ``language``, naming ``source``;
    ``version`` renders a notice given earlier, as its record names it."""
    if version not in NOTICE_VERSIONS:
        raise ValueError(f"Unknown notice version {version!r}.")
    source = source or first_source(prospect)
    controller = controller or Organisation.objects.current()
    processors = controller.processor_list()
    named = [processor.public_text(language) for processor in processors]
    transfers = controller.transfer_lines(language, processors)
    context = {
        "prospect": prospect,
        "source": source,
        "evidence": source.evidence if source else {},
        "controller": controller,
        "processors": named,
        "transfers": transfers,
        "legacy_processors": "; ".join(named) if language == "en" else " ; ".join(named),
        "legacy_transfers": "; ".join(transfers) if language == "en" else " ; ".join(transfers),
        "years": retention.prospect_years(),
        "standalone": standalone,
        "unsubscribe_url": links.unsubscribe_url(prospect, ""),
        "preferences_url": links.preferences_url(prospect),
        "version": version,
        "privacy_url": privacy_url(),
        "consent_based": consent_based(prospect, source),
    }
    return render_to_string(f"outreach/notices/{version}_{language}.txt", context).strip()


def consent_based(prospect: Prospect, source: Source | None) -> bool:
    """Whether consent is the basis to state (GDPR 14(1)(c), 14(2)(d)): collected with consent, or
    a valid consent on a channel; otherwise the legitimate interest is named (14(2)(b))."""
    if source is not None and source.type == SourceType.WEB_FORM_CONSENT:
        return True
    states = states_of(prospect)  # one query, every channel
    return any(
        current == ConsentState.VALID
        for (purpose, _channel), current in states.items()
        if purpose == DEFAULT_PURPOSE
    )


def privacy_url() -> str:
    """The full public privacy notice (the register's page), when the project serves one."""
    try:
        return settings.LOYAL_SITE_URL.rstrip("/") + reverse("privacy")
    except NoReverseMatch:
        return ""


def record_notice(
    prospect: Prospect,
    *,
    channel: str,
    language: str,
    source: Source | None = None,
    message=None,
    now: datetime | None = None,
) -> NoticeRecord:
    """The person has been informed: say so on the source named (by default the one the gate
    reads), and keep the proof."""
    now = now or timezone.now()
    source = source or first_source(prospect)
    if source is not None and source.notice != Notice.ART14_SENT:
        source.notice = Notice.ART14_SENT
        source.notice_sent_at = now
        source._change_reason = "privacy notice sent"
        source.save(update_fields=["notice", "notice_sent_at"])
    return NoticeRecord.objects.create(
        prospect=prospect,
        source=source,
        outcome=NoticeOutcome.SENT,
        channel=channel,
        language=language,
        template_version=NOTICE_VERSION,
        message=message,
        at=now,
    )


# --- The Art. 14 job -----------------------------------------------------------------------------


def notice_after() -> timedelta:
    return timedelta(days=int(settings.LOYAL_OUTREACH["art14_notice_after_days"]))


def pending_sources(*, now: datetime):
    """Indirect sources of natural persons never informed, acquired long enough ago, not flagged yet.

    The job waits a few weeks (setting ``art14_notice_after_days``, below the 30-day limit)
    so that a first campaign message can carry the notice instead; overdue ones are included.
    """
    flagged = NoticeRecord.objects.filter(source=OuterRef("pk"), outcome=NoticeOutcome.PURGE_FLAGGED)
    return (
        Source.objects.filter(indirect(), acquired_at__lte=now - notice_after())
        # GDPR 14 informs persons: a company record names none (docs/rules.md §1.2).
        .filter(prospect__company_only=False)
        .exclude(notice=Notice.ART14_SENT)
        .exclude(Exists(flagged))
        .order_by("pk")
    )


def send_art14_notices(*, now: datetime | None = None) -> dict[str, int]:
    """Inform every indirectly sourced person in time, or flag them for the purge. Returns counts."""
    now = now or timezone.now()
    counts = {"sent": 0, "purge_flagged": 0, "skipped": 0}
    connection = get_connection()
    for source_id in pending_sources(now=now).values_list("pk", flat=True).iterator():
        counts[_inform(source_id, now=now, connection=connection)] += 1
    logger.info("art14 notices: %s", counts)
    return counts


def _inform(source_id: int, *, now: datetime, connection) -> str:
    with transaction.atomic():
        source = (
            Source.objects.select_for_update(skip_locked=True)
            .select_related("prospect")
            .filter(pk=source_id)
            .exclude(notice=Notice.ART14_SENT)
            .first()
        )
        if source is None:
            return "skipped"
        prospect = source.prospect
        if prospect.is_restricted or retention.is_expired(prospect):
            # Art. 18 allows storage only; an expired record is the purge's, not ours.
            return "skipped"
        if not prospect.email or suppression.is_suppressed(prospect, channel=Channel.EMAIL):
            NoticeRecord.objects.create(
                prospect=prospect, source=source, outcome=NoticeOutcome.PURGE_FLAGGED, at=now
            )
            return "purge_flagged"
        language = Language.EN if prospect.language == Language.EN else Language.FR
        record_notice(prospect, channel=Channel.EMAIL, language=language, source=source, now=now)
        _standalone_email(prospect, source, language=language, connection=connection).send()
    return "sent"


def _standalone_email(prospect: Prospect, source: Source, *, language: str, connection) -> EmailMessage:
    controller = Organisation.objects.current()
    return EmailMessage(
        subject=STANDALONE_SUBJECT[language],
        body=notice_text(prospect, language=language, source=source, standalone=True, controller=controller),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[prospect.email],
        reply_to=[controller.dpo_email or controller.email],
        headers={"Content-Language": language},
        connection=connection,
    )


def purge_flagged() -> QuerySet:
    """People who could not be informed in time: what the DPO reviews and the purge removes."""
    return NoticeRecord.objects.filter(outcome=NoticeOutcome.PURGE_FLAGGED, prospect__isnull=False)
