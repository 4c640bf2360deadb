"""Provenance: the evidence each source type requires, and what the outreach gate reads from it.

A prospect cannot exist without a source (GDPR 5(2) accountability, 14(2)(f) source of
the data). Scraped data and e-mail finder results are refused at entry: the CNIL fined
KASPR (SAN-2024-020) for harvesting LinkedIn contact details with a browser extension.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prospects.identity import InvalidIdentifier, normalise_linkedin_url
from prospects.models import Notice, SourceType


@dataclass(frozen=True)
class EvidenceField:
    name: str
    label: str
    kind: str = "text"  # text, date, bool, url
    required: bool = True


def _f(name: str, label, kind: str = "text", required: bool = True) -> EvidenceField:
    return EvidenceField(name, label, kind, required)


EVIDENCE: dict[str, tuple[EvidenceField, ...]] = {
    SourceType.BUSINESS_CARD: (
        _f("event", gettext_lazy("Event or occasion")),
        _f("place", gettext_lazy("Place")),
        _f("date", gettext_lazy("Date received"), "date"),
        _f("collector", gettext_lazy("Collected by")),
        _f("notice_given", gettext_lazy("The person was told how their data would be used"), "bool", False),
    ),
    SourceType.LINKEDIN_CONNECTION: (_f("profile_url", gettext_lazy("LinkedIn profile link"), "url"),),
    SourceType.LINKEDIN_PUBLIC_PROFILE: (_f("profile_url", gettext_lazy("LinkedIn profile link"), "url"),),
    SourceType.WEB_FORM_NOTICE: (
        _f("form_id", gettext_lazy("Form identifier")),
        _f("notice_version", gettext_lazy("Notice version")),
        _f("wording_hash", gettext_lazy("Hash of the wording shown")),
        _f("ip", gettext_lazy("IP address")),
        _f("user_agent", gettext_lazy("Browser (user agent)")),
        # Written by the server from the Referer of a hosted form (webforms/submissions.py).
        _f("page_url", gettext_lazy("Page the form was on"), required=False),
    ),
    SourceType.BROKER: (
        _f("broker", gettext_lazy("Broker")),
        _f("contract_ref", gettext_lazy("Contract reference")),
        _f("list_id", gettext_lazy("List identifier")),
        _f("delivery_date", gettext_lazy("Delivery date"), "date"),
        _f("information_proof", gettext_lazy("Proof the person was told and could object"), required=False),
    ),
    SourceType.EVENT: (
        _f("event", gettext_lazy("Event")),
        _f("place", gettext_lazy("Place")),
        _f("date", gettext_lazy("Date of the scan"), "date"),
        _f(
            "notice_given",
            gettext_lazy("Attendees were told their badge data go to exhibitors"),
            "bool",
            False,
        ),
        # The organiser's notice does not discharge ours (GDPR 14): only our own, shown at
        # the scan, makes the scan a direct collection (14(5)(a)).
        _f(
            "our_notice_shown",
            gettext_lazy("Our own privacy notice was shown at the scan (sign, QR code)"),
            "bool",
            False,
        ),
    ),
    SourceType.INBOUND: (
        _f("channel", gettext_lazy("How the person reached us")),
        _f("date", gettext_lazy("Date"), "date"),
        _f("notice_given", gettext_lazy("Our privacy notice was given on that route"), "bool", False),
        _f("notice_version", gettext_lazy("Version of the notice given"), required=False),
    ),
    SourceType.CUSTOMER_SALE: (
        _f("order_ref", gettext_lazy("Order or contract reference")),
        _f("date", gettext_lazy("Date of the sale"), "date"),
    ),
    SourceType.MANUAL: (_f("description", gettext_lazy("Where the details come from")),),
}
EVIDENCE[SourceType.WEB_FORM_CONSENT] = EVIDENCE[SourceType.WEB_FORM_NOTICE]
LINKEDIN_TYPES = (SourceType.LINKEDIN_CONNECTION, SourceType.LINKEDIN_PUBLIC_PROFILE)

# Words that betray a harvesting tool (browser extensions, e-mail finders, scrapers).
TOOL_NAMES = re.compile(
    r"\b(kaspr|lusha|dropcontact|phantombuster|hunter\.io|snov|apollo\.io|rocketreach|waalaxy|"
    r"lemlist|surfe|captain ?data|scrap\w*|crawl\w*|e-?mail ?finder|extension)\b",
    re.IGNORECASE,
)
REFUSED_TYPES = {"scraping", "email_finder", "extension", "crawler"}


class ProvenanceError(ValueError):
    """Bad or refused provenance; ``field`` names the evidence field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def scraping_refusal() -> str:
    return _(
        "Data collected by scraping, browser extensions or e-mail finder tools cannot be recorded: "
        "the people were never told and cannot object (GDPR art. 5(1)(a), 6 and 14; CNIL, KASPR "
        "sanction SAN-2024-020, 2024)."
    )


def linkedin_file_refusal() -> str:
    return _(
        "LinkedIn contacts cannot be imported from a file: each one is recorded by hand, one by one, "
        "by the rep connected to the person (GDPR art. 5(1)(a), 6(1)(f) and 14; CNIL, KASPR sanction "
        "SAN-2024-020). A file of LinkedIn connections is a bulk export and is refused."
    )


def linkedin_connections_refusal() -> str:
    """docs/rules.md §1.7, for a file recognised as LinkedIn's own export of a member's network."""
    return (
        _(
            "This file is LinkedIn's export of your connections (Connections.csv, recognised by its "
            "“Notes:” preamble or its columns, “Connected On” among them), whatever source type was chosen."
        )
        + " "
        + linkedin_file_refusal()
    )


def clean_evidence(source_type: str, raw: dict) -> dict:
    """Check a source's evidence and return it normalised; raise ProvenanceError naming the field."""
    if source_type in REFUSED_TYPES:
        raise ProvenanceError("type", scraping_refusal())
    if source_type not in EVIDENCE:
        raise ProvenanceError("type", _("Unknown source type “%(type)s”.") % {"type": source_type})
    allowed = {spec.name for spec in EVIDENCE[source_type]}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        message = _("“%(field)s” is not kept for this source type.") % {"field": unknown[0]}
        if source_type in LINKEDIN_TYPES:
            # The profile link only, never content copied from the profile (CNIL, KASPR 2024).
            message += " " + _("Keep the profile link only, never content copied from the profile.")
        raise ProvenanceError(unknown[0], message)
    cleaned = {spec.name: _clean_field(spec, raw.get(spec.name)) for spec in EVIDENCE[source_type]}
    if source_type == SourceType.INBOUND and cleaned["notice_given"] and not cleaned["notice_version"]:
        # GDPR 13(1), 5(2): a notice given is one whose wording can be shown: name its version.
        raise ProvenanceError("notice_version", _("Name the version of the notice that was given."))
    return cleaned


def _clean_field(spec: EvidenceField, value):
    if spec.kind == "bool":
        return value in (True, "true", "True", "on", "1", 1)
    text = value.isoformat() if isinstance(value, date) else str(value or "").strip()
    if not text:
        if spec.required:
            raise ProvenanceError(
                spec.name, _("%(label)s is required for this source type.") % {"label": spec.label}
            )
        return ""
    if "\x00" in text:  # PostgreSQL stores no NUL character, in text or in JSON.
        raise ProvenanceError(spec.name, str(ProhibitNullCharactersValidator.message))
    if TOOL_NAMES.search(text):
        raise ProvenanceError(spec.name, scraping_refusal())
    return _clean_typed(spec, text)


def _clean_typed(spec: EvidenceField, text: str) -> str:
    if spec.kind == "date":
        parsed = parse_date(text)
        if parsed is None:
            raise ProvenanceError(spec.name, _("Enter a date as YYYY-MM-DD."))
        if parsed > timezone.localdate():
            raise ProvenanceError(spec.name, _("This date is in the future."))
        return parsed.isoformat()
    if spec.kind == "url":
        try:
            return normalise_linkedin_url(text)
        except InvalidIdentifier as error:
            raise ProvenanceError(spec.name, str(error.message)) from error
    return text[:500]


def initial_notice(source_type: str, evidence: dict) -> str:
    """Whether the person was informed when the data were collected (Art. 13)."""
    if source_type in (SourceType.WEB_FORM_NOTICE, SourceType.WEB_FORM_CONSENT):
        return Notice.AT_COLLECTION
    # Someone who wrote or called first is a direct source, informed only if our notice was
    # given on that route (GDPR 13(1)); a badge scan only if our own notice was shown there.
    if source_type in (SourceType.BUSINESS_CARD, SourceType.INBOUND) and evidence.get("notice_given"):
        return Notice.AT_COLLECTION
    if source_type == SourceType.EVENT and evidence.get("our_notice_shown"):
        return Notice.AT_COLLECTION
    return Notice.NONE


def broker_has_proof(evidence: dict) -> bool:
    """Rules preamble: a broker source is usable only with complete evidence of information."""
    keys = ("broker", "contract_ref", "list_id", "delivery_date", "information_proof")
    return all(str(evidence.get(key) or "").strip() for key in keys)


def policy_source(source_type: str | None, evidence: dict) -> str:
    """Map stored provenance to the gate's `source` input (docs/rules.md, preamble); unknown fails closed."""
    direct = {
        SourceType.BUSINESS_CARD: "business_card",
        SourceType.LINKEDIN_CONNECTION: "linkedin_connection",
        SourceType.LINKEDIN_PUBLIC_PROFILE: "linkedin_public_profile",
        SourceType.WEB_FORM_NOTICE: "web_form_notice",
        SourceType.INBOUND: "inbound",
        SourceType.WEB_FORM_CONSENT: "web_form_consent",
        SourceType.CUSTOMER_SALE: "customer_sale",
    }
    if source_type in direct:
        return direct[source_type]
    if source_type == SourceType.EVENT:
        # The organiser's system is an indirect source (GDPR 14) unless our own notice was
        # shown at the scan: then it is a direct collection, as a business card is.
        return "business_card" if evidence.get("our_notice_shown") else "event_badge_scan"
    if source_type == SourceType.BROKER and broker_has_proof(evidence):
        return "broker_with_proof"
    if source_type in REFUSED_TYPES:
        return "scraping"
    return "broker_without_proof"


# GDPR 14: the data were obtained from someone else than the person.
INDIRECT_TYPES = (SourceType.LINKEDIN_CONNECTION, SourceType.LINKEDIN_PUBLIC_PROFILE, SourceType.BROKER)


def is_indirect(source) -> bool:
    """Python form of ``indirect``, for one source."""
    if source.type == SourceType.EVENT:
        return not source.evidence.get("our_notice_shown")
    return source.type in INDIRECT_TYPES


def indirect() -> Q:
    """Sources of data not obtained from the person (GDPR 14), as ``policy_source`` maps them.

    A badge scan is indirect unless the controller's own notice was shown at the scan (14(5)(a)).
    The Art. 14 job (outreach/notices.py) and the day-30 purge (retention.py) read it.
    """
    without_our_notice = Q(evidence__our_notice_shown=False) | Q(evidence__our_notice_shown__isnull=True)
    return Q(type__in=INDIRECT_TYPES) | (Q(type=SourceType.EVENT) & without_our_notice)
