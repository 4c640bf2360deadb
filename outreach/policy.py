"""Whether a prospect may be contacted on a channel: the outreach gate of docs/rules.md §1.

`decide()` is pure: it reads a `Situation` (the inputs of docs/rules.md §1.1, already computed
from the database by the caller) and returns a `Verdict` carrying the decision, the
reason code stored and shown with every decision, and the legal reference behind it.
Global guards run first in the rules' order (§1.3, first hit wins), then the
channel × audience × source matrix (§1.4). Anything the matrix does not explicitly
allow is refused (fail closed). Side effects named by the rules (enqueue a purge on
`REF_RETENTION_EXPIRED`, send the Art. 14 notice, log the call) belong to the caller.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from dateutil.easter import easter
from django.db import models
from django.utils.translation import gettext_lazy as _

from consent.channels import ELECTRONIC_CHANNELS, Channel
from consent.models import ConsentState
from prospects.audience import Audience
from prospects.models import Notice

# C. conso L223-1 as amended by loi 2025-594 art. 13: B2C phone prospecting becomes opt-in.
B2C_PHONE_OPT_IN_FROM = date(2026, 8, 11)
# GDPR 14(3)(a): the Art. 14 notice is due within one month of obtaining the data.
ART14_DEADLINE = timedelta(days=30)
# C. conso L223-1 (pre-reform): the number must have been cleaned against Bloctel within 30 days.
BLOCTEL_MAX_AGE = timedelta(days=30)
# C. conso D223-9 (décret 2022-1313): at most 4 calls or attempts to a consumer within 30 days,
B2C_CALL_WINDOW = timedelta(days=30)
MAX_B2C_CALLS_PER_30_DAYS = 4
# ... and none for 60 days after the consumer refused the offer during a call.
B2C_CALL_REFUSAL_WAIT = timedelta(days=60)
# D223-9: Monday to Friday, 10h-13h and 14h-20h, never on a public holiday.
B2C_CALL_WINDOWS = ((time(10), time(13)), (time(14), time(20)))
D223_9 = "C. conso D223-9 (décret 2022-1313)"
# CNIL référentiel [S10]: a customer's data serve prospecting 3 years after the relationship ends.
SOFT_OPT_IN_YEARS = 3


class PolicySource(models.TextChoices):
    BUSINESS_CARD = "business_card", _("Business card")
    LINKEDIN_CONNECTION = "linkedin_connection", _("LinkedIn connection")
    LINKEDIN_PUBLIC_PROFILE = "linkedin_public_profile", _("LinkedIn public profile")
    WEB_FORM_NOTICE = "web_form_notice", _("Web form with notice")
    WEB_FORM_CONSENT = "web_form_consent", _("Web form with consent")
    BROKER_WITH_PROOF = "broker_with_proof", _("Broker, with proof of information")
    BROKER_WITHOUT_PROOF = "broker_without_proof", _("Broker, without proof")
    SCRAPING = "scraping", _("Scraping")
    CUSTOMER_SALE = "customer_sale", _("Collected at a sale")
    INBOUND = "inbound", _("The person wrote or called first")
    EVENT_BADGE_SCAN = "event_badge_scan", _("Badge scan from the organiser's system")


# Sources where the data were not obtained from the person (GDPR 14).
INDIRECT_SOURCES = frozenset(
    {
        PolicySource.LINKEDIN_CONNECTION,
        PolicySource.LINKEDIN_PUBLIC_PROFILE,
        PolicySource.BROKER_WITH_PROOF,
        PolicySource.EVENT_BADGE_SCAN,
    }
)
# Direct sources where our notice may or may not have been given at collection (GDPR 13).
DIRECT_UNSURE_SOURCES = frozenset({PolicySource.BUSINESS_CARD, PolicySource.INBOUND})


class Decision(models.TextChoices):
    ALLOW = "allow", _("Allow")
    ALLOW_WITH_NOTICE = "allow_with_notice", _("Allow, with the notice in the first message")
    REFUSE = "refuse", _("Refuse")


class Reason(models.TextChoices):
    OK_LEGAL_PERSON = "OK_LEGAL_PERSON", _("Company role address")
    OK_CONSENT = "OK_CONSENT", _("Valid consent")
    OK_B2B_LI = "OK_B2B_LI", _("B2B legitimate interest")
    OK_SOFT_OPTIN = "OK_SOFT_OPTIN", _("Existing customer, similar offer")
    OK_OPTOUT_CHANNEL = "OK_OPTOUT_CHANNEL", _("Opt-out channel, not opposed")
    NOTICE_ART13_LATE = "NOTICE_ART13_LATE", _("Art. 13 notice late: include it in the first message")
    NOTICE_ART14 = "NOTICE_ART14", _("Art. 14 notice due in the first message")
    REF_RETENTION_EXPIRED = "REF_RETENTION_EXPIRED", _("Retention period expired")
    REF_OBJECTION = "REF_OBJECTION", _("The person objected")
    REF_SCRAPED_SOURCE = "REF_SCRAPED_SOURCE", _("Scraped source")
    REF_BROKER_NO_PROOF = "REF_BROKER_NO_PROOF", _("Broker without proof, or unknown source")
    REF_CONSENT_WITHDRAWN = "REF_CONSENT_WITHDRAWN", _("Consent withdrawn")
    REF_ART14_OVERDUE = "REF_ART14_OVERDUE", _("Art. 14 notice overdue")
    REF_TEMPLATE_NONCOMPLIANT = "REF_TEMPLATE_NONCOMPLIANT", _("Template lacks sender identity or opt-out")
    REF_UNCLASSIFIED = "REF_UNCLASSIFIED", _("Audience or source unknown")
    REF_B2B_UNRELATED = "REF_B2B_UNRELATED", _("Offer unrelated to the person's profession")
    REF_B2C_NO_CONSENT = "REF_B2C_NO_CONSENT", _("Private person without consent")
    REF_BLOCTEL = "REF_BLOCTEL", _("Number not cleaned against Bloctel within 30 days")
    REF_HOURS = "REF_HOURS", _("Outside legal calling days, hours or frequency")
    REF_B2C_PHONE_NO_CONSENT = "REF_B2C_PHONE_NO_CONSENT", _("Private person called without consent")
    REF_FREQUENCY_CAP = "REF_FREQUENCY_CAP", _("Too many unanswered contacts")
    REF_RESTRICTED = "REF_RESTRICTED", _("Processing restricted")
    REF_CONSENT_REQUEST_REPEATED = "REF_CONSENT_REQUEST_REPEATED", _("A consent request was already sent")
    REF_UNDELIVERABLE = "REF_UNDELIVERABLE", _("The e-mail address no longer receives mail")
    # The soft opt-in's conditions (L34-5 al.4) unmet, or a fact they need never recorded.
    REF_SOFT_OPTIN_ENDED = "REF_SOFT_OPTIN_ENDED", _("Customer relationship ended more than three years ago")
    REF_SOFT_OPTIN_NOT_ANALOGOUS = (
        "REF_SOFT_OPTIN_NOT_ANALOGOUS",
        _("Offer not analogous to what the customer bought"),
    )
    REF_SOFT_OPTIN_NO_OFFER_CATEGORY = (
        "REF_SOFT_OPTIN_NO_OFFER_CATEGORY",
        _("Missing fact: the campaign declares no offer category"),
    )
    REF_SOFT_OPTIN_NO_SALE_CATEGORY = (
        "REF_SOFT_OPTIN_NO_SALE_CATEGORY",
        _("Missing fact: what the customer bought was not recorded"),
    )
    REF_SOFT_OPTIN_NO_OPT_OUT = (
        "REF_SOFT_OPTIN_NO_OPT_OUT",
        _("Missing fact: no record that a free refusal was offered at the sale"),
    )


# Why the soft opt-in does not hold for a customer, and the law behind each (docs/rules.md §1.1).
SOFT_OPT_IN_GAPS = {
    Reason.REF_SOFT_OPTIN_NOT_ANALOGOUS: "CPCE L34-5 al.4; ePrivacy 13(2) (analogous products or services)",
    Reason.REF_SOFT_OPTIN_NO_OFFER_CATEGORY: "CPCE L34-5 al.4; GDPR 5(2) (fail closed: offer unknown)",
    Reason.REF_SOFT_OPTIN_NO_SALE_CATEGORY: "CPCE L34-5 al.4; GDPR 5(2) (fail closed: sale unknown)",
    Reason.REF_SOFT_OPTIN_NO_OPT_OUT: "CPCE L34-5 al.4; ePrivacy 13(2) (refusal offered at collection)",
}


@dataclass(frozen=True, kw_only=True)
class Situation:
    """The inputs of docs/rules.md §1.1 for one contact on one channel, at one moment.

    `audience` or `source` None means unknown. `objection` is already merged with the
    suppression-list match; `consent` is the state for this channel and purpose.
    `customer_similar` means every condition of L34-5 al.4 holds; otherwise `customer_gap`
    names, for a customer, the first that does not or the fact nobody recorded.
    `customer_relationship_ended_at` None means the relationship is ongoing.
    `call_time` is the wall-clock time at the called person's location when the call is
    made (logged); None while a campaign is only previewed, when no call happens (D223-9
    limits hours at call time; the 4 calls in 30 days and the 60 days' wait always apply).
    """

    channel: Channel
    audience: Audience | None
    source: PolicySource | None
    offer_related_to_profession: bool
    notice: Notice
    objection: bool
    consent: ConsentState
    customer_similar: bool
    retention_expired: bool
    template_ok: bool
    now: date
    acquired_at: date | None = None
    consent_by_named_broker: bool = False
    customer_relationship_ended_at: date | None = None
    restricted: bool = False
    frequency_capped: bool = False
    consent_request_repeated: bool = False
    bloctel_checked_at: date | None = None
    call_time: datetime | None = None
    calls_last_30_days: int = 0
    call_refused_within_60_days: bool = False
    has_ongoing_contract_related_offer: bool = False
    customer_gap: Reason | None = None
    # GDPR 4(1): the record names a person (false only for a company or department record).
    # A generic address exempts the channel rule alone; the person keeps Art. 13/14 and G6.
    natural_person: bool = True
    # A permanent delivery failure (RFC 3464) was reported for the prospect's e-mail address.
    undeliverable: bool = False

    def __post_init__(self) -> None:
        # Model fields hand back plain strings; coercing rejects unknown values early.
        object.__setattr__(self, "channel", Channel(self.channel))
        object.__setattr__(self, "notice", Notice(self.notice))
        object.__setattr__(self, "consent", ConsentState(self.consent))
        if self.audience is not None:
            object.__setattr__(self, "audience", Audience(self.audience))
        if self.source is not None:
            object.__setattr__(self, "source", PolicySource(self.source))
        if self.customer_gap is not None:
            object.__setattr__(self, "customer_gap", Reason(self.customer_gap))
            if self.customer_gap not in SOFT_OPT_IN_GAPS:
                raise ValueError(f"not a soft opt-in gap: {self.customer_gap}")


@dataclass(frozen=True)
class Verdict:
    """What the gate decided, the reason code stored with it, and the law behind it."""

    decision: Decision
    reason: Reason
    legal_reference: str

    @property
    def allowed(self) -> bool:
        return self.decision != Decision.REFUSE


@dataclass(frozen=True)
class _Guard:
    applies: Callable[[Situation], bool]
    reason: Reason
    legal_reference: str


def _art14_notice_pending(s: Situation) -> bool:
    # Notices are owed to every natural person whose data came from elsewhere, one reached
    # through a role address included (docs/rules.md §1.2; GDPR 4(1), 14).
    return s.natural_person and s.source in INDIRECT_SOURCES and s.notice != Notice.ART14_SENT


def _art14_overdue(s: Situation) -> bool:
    # GDPR 14(3)(a): one month at most, never extended by 14(3)(b)/(c) (WP260 rev.01).
    # An indirect source without an acquisition date cannot show it is in time (fail closed).
    if not _art14_notice_pending(s):
        return False
    return s.acquired_at is None or s.now - s.acquired_at > ART14_DEADLINE


# docs/rules.md §1.3, in order; the first guard that applies refuses the contact.
_GUARDS = (
    # G1 — GDPR 5(1)(e): data past their retention period may not be used at all.
    _Guard(
        lambda s: s.retention_expired,
        Reason.REF_RETENTION_EXPIRED,
        "GDPR 5(1)(e); CNIL référentiel gestion commerciale",
    ),
    # GDPR 18(2): restricted data may only be stored, not used for marketing.
    _Guard(lambda s: s.restricted, Reason.REF_RESTRICTED, "GDPR 18(2)"),
    # G2 — Art. 21(3): an objection to direct marketing ends it.
    _Guard(
        lambda s: s.objection,
        Reason.REF_OBJECTION,
        "GDPR 21(2)-(3); CPCE L34-5; CNIL liste repoussoir",
    ),
    # G2b — GDPR 5(1)(d): an address the mail server reported permanently failing no longer
    # reaches the person; writing to it again only repeats the failure (e-mail alone).
    _Guard(
        lambda s: s.undeliverable and s.channel == Channel.EMAIL,
        Reason.REF_UNDELIVERABLE,
        "GDPR 5(1)(d); RFC 3464 (permanent failure)",
    ),
    # G3 — GDPR 5(1)(a), 6: harvested data have no lawful basis (CNIL SAN-2024-020, KASPR).
    _Guard(
        lambda s: s.source == PolicySource.SCRAPING,
        Reason.REF_SCRAPED_SOURCE,
        "GDPR 5(1)(a), 6; CNIL SAN-2024-020",
    ),
    # G4 — GDPR 6, 7(1): no proof from the broker, or no source at all (fail closed).
    _Guard(
        lambda s: s.source in (None, PolicySource.BROKER_WITHOUT_PROOF),
        Reason.REF_BROKER_NO_PROOF,
        "GDPR 6, 7(1); CNIL SAN-2024-003, SAN-2025-001, SAN-2025-002",
    ),
    # G5 — GDPR 7(3): a withdrawn consent stops the processing it covered.
    _Guard(lambda s: s.consent == ConsentState.WITHDRAWN, Reason.REF_CONSENT_WITHDRAWN, "GDPR 7(3)"),
    # G6 — GDPR 14(3)(a).
    _Guard(_art14_overdue, Reason.REF_ART14_OVERDUE, "GDPR 14(3)(a); WP260 rev.01"),
    # G7 — L34-5: every message identifies the advertiser and offers a working opt-out.
    _Guard(lambda s: not s.template_ok, Reason.REF_TEMPLATE_NONCOMPLIANT, "CPCE L34-5; GDPR 21(4)"),
    # G8 — GDPR 5(2): what cannot be classified cannot be shown lawful (fail closed).
    # An unknown source already stops at G4, as the rules' preamble maps it there.
    _Guard(
        lambda s: s.audience is None or s.source is None,
        Reason.REF_UNCLASSIFIED,
        "GDPR 5(2)",
    ),
    # G9 — a product rule (INTERP), not a CNIL text: no CNIL social-selling guidance exists.
    # Repeated unanswered contacts are unfair (GDPR 5(1)(a)) and outweigh the legitimate
    # interest (6(1)(f)); silence is not an objection, so this is a cap, not a suppression.
    _Guard(
        lambda s: s.frequency_capped,
        Reason.REF_FREQUENCY_CAP,
        "Product rule (INTERP): GDPR 5(1)(a), 6(1)(f)",
    ),
    # G10 — a product rule (INTERP): one request for permission per person, ever; asking
    # again is pressure on a freely given consent (GDPR 4(11), 5(1)(a)).
    _Guard(
        lambda s: s.consent_request_repeated,
        Reason.REF_CONSENT_REQUEST_REPEATED,
        "Product rule (INTERP): GDPR 4(11), 5(1)(a)",
    ),
)


def decide(situation: Situation) -> Verdict:
    """Decide whether `situation.channel` may be used to contact the prospect now."""
    verdict = _first_guard_hit(situation) or _matrix(situation)
    return _with_pending_art14_notice(situation, verdict)


def _first_guard_hit(s: Situation) -> Verdict | None:
    for guard in _GUARDS:
        if guard.applies(s):
            return _refuse(guard.reason, guard.legal_reference)
    return None


def _matrix(s: Situation) -> Verdict:
    if s.channel in ELECTRONIC_CHANNELS:
        return _electronic(s)
    if s.channel == Channel.PHONE:
        return _phone(s)
    return _postal(s)


def _with_pending_art14_notice(s: Situation, verdict: Verdict) -> Verdict:
    # GDPR 14(3)(b): until the Art. 14 notice is sent, the first message must carry it.
    if verdict.decision == Decision.ALLOW and _art14_notice_pending(s):
        return replace(
            verdict,
            decision=Decision.ALLOW_WITH_NOTICE,
            legal_reference=f"{verdict.legal_reference}; GDPR 14(3)(b)",
        )
    return verdict


# --- Electronic channels: email, SMS, automated calls, LinkedIn messages (CPCE L34-5) ---


def _electronic(s: Situation) -> Verdict:
    if s.audience == Audience.B2B_GENERIC:
        # L34-5 al.1 protects natural persons only; a role address is a legal person's, so
        # neither consent nor relatedness is needed. The named person behind it is still
        # owed the notice (GDPR 13, 14(3)(b), 21(4)).
        reference = "CPCE L34-5 al.1; CNIL B2B doctrine"
        if _art14_notice_pending(s):
            return _allow_with_notice(Reason.NOTICE_ART14, f"{reference}; GDPR 14(3)(b), 21(4)")
        return _informed_or_late_notice(s, Reason.OK_LEGAL_PERSON, reference)
    if s.audience == Audience.B2B_NOMINATIVE:
        return _electronic_b2b(s)
    return _electronic_b2c(s)


def _electronic_b2b(s: Situation) -> Verdict:
    if s.consent == ConsentState.VALID:
        return _allow(Reason.OK_CONSENT, "CPCE L34-5 al.1-2; GDPR 6(1)(a)")
    if not s.offer_related_to_profession:
        # CNIL B2B rule: without consent, only offers related to the profession.
        return _refuse(Reason.REF_B2B_UNRELATED, "CNIL B2B doctrine; CNIL SAN-2020-018")
    if s.source in INDIRECT_SOURCES:
        return _electronic_b2b_indirect(s)
    if s.source == PolicySource.CUSTOMER_SALE:
        # The CNIL B2B rule, not L34-5 al.4 (the B2C exception): a customer never informed
        # at the sale gets the notice in the first message (GDPR 13).
        return _informed_or_late_notice(s, Reason.OK_B2B_LI, "GDPR 6(1)(f), 13; CNIL B2B doctrine")
    if s.source in DIRECT_UNSURE_SOURCES and s.notice == Notice.NONE:
        # GDPR 13: the notice was due at collection; the first message must carry it.
        return _allow_with_notice(Reason.NOTICE_ART13_LATE, "GDPR 13, 21(4)")
    if s.source in (*DIRECT_UNSURE_SOURCES, PolicySource.WEB_FORM_NOTICE, PolicySource.WEB_FORM_CONSENT):
        # GDPR 6(1)(f): informed at collection, able to object, offer related.
        return _allow(Reason.OK_B2B_LI, "GDPR 6(1)(f), 21; CNIL B2B doctrine")
    return _refuse(Reason.REF_UNCLASSIFIED, "GDPR 5(2)")


def _electronic_b2b_indirect(s: Situation) -> Verdict:
    if s.notice == Notice.ART14_SENT:
        return _allow(Reason.OK_B2B_LI, "GDPR 6(1)(f), 14, 21; CNIL B2B doctrine")
    if s.source == PolicySource.BROKER_WITH_PROOF:
        # GDPR 14(2)(f): the broker must be named as the source.
        return _allow_with_notice(Reason.NOTICE_ART14, "GDPR 14(2)(f), 14(3)(b); CNIL partner rules")
    if s.source == PolicySource.EVENT_BADGE_SCAN:
        # GDPR 14(1)-(3), 14(2)(f): name the event and its organiser as the source.
        return _allow_with_notice(Reason.NOTICE_ART14, "GDPR 14(1)-(3), 14(2)(f)")
    return _allow_with_notice(Reason.NOTICE_ART14, "GDPR 6(1)(f), 14(3)(b), 21(4)")


def _electronic_b2c(s: Situation) -> Verdict:
    if s.consent == ConsentState.VALID and (
        s.source != PolicySource.BROKER_WITH_PROOF or s.consent_by_named_broker
    ):
        # ePrivacy 13(1): a broker's consent counts only if its form named this controller.
        return _allow(Reason.OK_CONSENT, "CPCE L34-5 al.1-2; ePrivacy 13(1); CNIL partner transfers")
    if s.customer_similar:
        if _within_soft_opt_in(s):
            return _allow(Reason.OK_SOFT_OPTIN, "CPCE L34-5 al.4; ePrivacy 13(2)")
        # CNIL référentiel: a customer's data serve prospecting 3 years after the relationship ends.
        return _refuse(Reason.REF_SOFT_OPTIN_ENDED, "CPCE L34-5 al.4; CNIL référentiel gestion commerciale")
    if s.customer_gap is not None:
        # Fail closed: a condition of L34-5 al.4 unmet, or a fact it needs never recorded.
        return _refuse(s.customer_gap, SOFT_OPT_IN_GAPS[s.customer_gap])
    return _refuse(Reason.REF_B2C_NO_CONSENT, "CPCE L34-5 al.1; ePrivacy 13(1)")


def _within_soft_opt_in(s: Situation) -> bool:
    ended = s.customer_relationship_ended_at
    return ended is None or s.now <= _years_after(ended, SOFT_OPT_IN_YEARS)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap target year.
        return day.replace(year=day.year + years, day=28)


# --- Human phone calls ---


def _phone(s: Situation) -> Verdict:
    if s.audience != Audience.B2C:
        return _phone_b2b(s)
    if s.now < B2C_PHONE_OPT_IN_FROM:
        return _phone_b2c_opt_out(s)
    return _phone_b2c_opt_in(s)


def _phone_b2b(s: Situation) -> Verdict:
    # Bloctel does not cover professional numbers; GDPR 6(1)(f) with the right to object.
    if _art14_notice_pending(s):
        # GDPR 12(1), 14(3)(b): oral first layer at call start, written notice right after.
        return _allow_with_notice(Reason.NOTICE_ART14, "GDPR 12(1), 14(3)(b), 21(4)")
    return _informed_or_late_notice(s, Reason.OK_OPTOUT_CHANNEL, "GDPR 6(1)(f), 21")


def _phone_b2c_opt_out(s: Situation) -> Verdict:
    # C. conso L223-1 before loi 2025-594: opt-out via Bloctel, within the D223-9 limits.
    checked = s.bloctel_checked_at
    if checked is None or not (s.now - BLOCTEL_MAX_AGE <= checked <= s.now):
        return _refuse(Reason.REF_BLOCTEL, "C. conso L223-1 (Bloctel, 30 days)")
    return _d223_9_refusal(s) or _informed_or_late_notice(
        s, Reason.OK_OPTOUT_CHANNEL, f"C. conso L223-1; {D223_9}"
    )


def _phone_b2c_opt_in(s: Situation) -> Verdict:
    # C. conso L223-1 as amended by loi 2025-594 art. 13: prior consent, or a related offer
    # within an ongoing contract; the burden of proof lies on the professional.
    reference = "C. conso L223-1 (loi 2025-594 art. 13)"
    if s.consent == ConsentState.VALID:
        return _d223_9_refusal(s) or _allow(Reason.OK_CONSENT, f"{reference} al.1-3; {D223_9}")
    if s.has_ongoing_contract_related_offer:
        # An exception to the consent rule, not a consent (al.4-5).
        return _d223_9_refusal(s) or _allow(Reason.OK_SOFT_OPTIN, f"{reference} al.4-5; {D223_9}")
    return _refuse(Reason.REF_B2C_PHONE_NO_CONSENT, reference)


def _d223_9_refusal(s: Situation) -> Verdict | None:
    """C. conso D223-9: the days, hours and frequency of every call to a consumer, whatever
    its basis (consent and contract calls included). Hours are read at call time only."""
    if s.call_time is not None and not within_b2c_call_hours(s.call_time):
        return _refuse(Reason.REF_HOURS, f"{D223_9}: weekdays 10h-13h, 14h-20h, no public holiday")
    if s.calls_last_30_days >= MAX_B2C_CALLS_PER_30_DAYS:
        return _refuse(Reason.REF_HOURS, f"{D223_9}: 4 calls per 30 days")
    if s.call_refused_within_60_days:
        return _refuse(Reason.REF_HOURS, f"{D223_9}: 60 days after a refusal")
    return None


def within_b2c_call_hours(call_time: datetime) -> bool:
    """D223-9: a weekday that is not a French public holiday, 10h-13h or 14h-20h."""
    day = call_time.date()
    if day.weekday() >= 5 or is_public_holiday(day):
        return False
    moment = call_time.time()
    return any(start <= moment < end for start, end in B2C_CALL_WINDOWS)


def is_public_holiday(day: date) -> bool:
    """The public holidays of C. travail L3133-1: eight fixed days and three set by Easter."""
    fixed = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    if (day.month, day.day) in fixed:
        return True
    sunday = easter(day.year)
    # Easter Monday, Ascension Thursday, Whit Monday.
    return day in {sunday + timedelta(days=n) for n in (1, 39, 50)}


# --- Post ---


def _postal(s: Situation) -> Verdict:
    # GDPR 6(1)(f), 21: legitimate interest, provided the person is informed and not opposed.
    if _art14_notice_pending(s):
        # GDPR 14(3)(b): a letter to someone whose data came from elsewhere carries the notice.
        return _allow_with_notice(Reason.NOTICE_ART14, "GDPR 6(1)(f), 14(3)(b), 21; CNIL partner rules")
    return _informed_or_late_notice(s, Reason.OK_OPTOUT_CHANNEL, "GDPR 6(1)(f), 21")


# --- Shared pieces ---


def _informed_or_late_notice(s: Situation, reason: Reason, legal_reference: str) -> Verdict:
    # GDPR 13: a direct source never informed gets the notice in the first contact, flagged.
    late = s.notice == Notice.NONE and s.source not in INDIRECT_SOURCES
    if late and s.natural_person:
        return _allow_with_notice(Reason.NOTICE_ART13_LATE, f"{legal_reference}; GDPR 13")
    return _allow(reason, legal_reference)


def _allow(reason: Reason, legal_reference: str) -> Verdict:
    return Verdict(Decision.ALLOW, reason, legal_reference)


def _allow_with_notice(reason: Reason, legal_reference: str) -> Verdict:
    return Verdict(Decision.ALLOW_WITH_NOTICE, reason, legal_reference)


def _refuse(reason: Reason, legal_reference: str) -> Verdict:
    return Verdict(Decision.REFUSE, reason, legal_reference)
