"""What a rep can do about each decision of the gate: one short "how to fix" per reason code."""

from django.utils.translation import gettext_lazy as _

from outreach.policy import Reason

HOW_TO_FIX = {
    Reason.OK_LEGAL_PERSON: _("Nothing to fix: a company's role address may be written to."),
    Reason.OK_CONSENT: _("Nothing to fix: the person consented on this channel."),
    Reason.OK_B2B_LI: _("Nothing to fix: a related offer to an informed professional who can object."),
    Reason.OK_SOFT_OPTIN: _("Nothing to fix: a similar offer to a customer, within three years."),
    Reason.OK_OPTOUT_CHANNEL: _("Nothing to fix: the person was informed and did not object."),
    Reason.NOTICE_ART13_LATE: _(
        "Allowed: the message carries the privacy notice. Next time, give the notice when collecting "
        "the card (a QR code on the stand)."
    ),
    Reason.NOTICE_ART14: _("Allowed: the first message carries the privacy notice naming the source."),
    Reason.REF_RETENTION_EXPIRED: _(
        "The record is past its retention period and will be purged. Only a voluntary contact from the "
        "person before the deadline would have kept it."
    ),
    Reason.REF_RESTRICTED: _(
        "The person asked to restrict the processing (GDPR art. 18): nothing but storage until an "
        "administrator lifts the restriction."
    ),
    Reason.REF_OBJECTION: _(
        "The person objected: nothing fixes this. Never contact them on this channel again."
    ),
    Reason.REF_SCRAPED_SOURCE: _(
        "Scraped data can never be used: delete the record and meet the person otherwise."
    ),
    Reason.REF_BROKER_NO_PROOF: _(
        "Complete the broker evidence (contract, list, proof that the person was told and could object), "
        "or record where the details really come from."
    ),
    Reason.REF_CONSENT_WITHDRAWN: _(
        "The person withdrew consent on this channel: only a new consent from them, with its proof, "
        "allows it."
    ),
    Reason.REF_ART14_OVERDUE: _(
        "The person was not informed within a month of collection (GDPR art. 14). The Art. 14 job sends "
        "them the notice, or flags them for purge; once informed, they can be contacted."
    ),
    Reason.REF_TEMPLATE_NONCOMPLIANT: _(
        "Fill in the sender identity, and the subject and message in the person's language."
    ),
    Reason.REF_UNCLASSIFIED: _("Record the person's audience and where their details come from."),
    Reason.REF_B2B_UNRELATED: _(
        "The offer does not match the person's job: add their job function to the targets only if the "
        "offer really relates to it, or ask for their consent."
    ),
    Reason.REF_B2C_NO_CONSENT: _(
        "A private address needs consent: invite the person to give it (consent panel), or use their "
        "work address."
    ),
    Reason.REF_BLOCTEL: _(
        "Check the number against Bloctel (less than 30 days ago) before calling a private person."
    ),
    Reason.REF_HOURS: _(
        "Call a private person on weekdays that are not public holidays, 10:00 to 13:00 or 14:00 to "
        "20:00, at most 4 times in 30 days, and not within 60 days of a refusal (C. conso D223-9)."
    ),
    Reason.REF_B2C_PHONE_NO_CONSENT: _(
        "Since 11 August 2026 a private person may be called only with prior consent: collect it first."
    ),
    Reason.REF_FREQUENCY_CAP: _(
        "Too many contacts went unanswered lately: wait until the window passes or the person answers."
    ),
    Reason.REF_CONSENT_REQUEST_REPEATED: _("This person was already asked for consent once: never again."),
    Reason.REF_UNDELIVERABLE: _(
        "The mail server reported this address as permanently failing: record the person's current "
        "address, or reach them on another channel."
    ),
    Reason.REF_SOFT_OPTIN_ENDED: _(
        "The customer relationship ended more than three years ago: only the person's consent allows "
        "this channel now."
    ),
    Reason.REF_SOFT_OPTIN_NOT_ANALOGOUS: _(
        "The offer is not like what the customer bought: choose a campaign category the same as or "
        "declared similar to their purchase, or ask for their consent."
    ),
    Reason.REF_SOFT_OPTIN_NO_OFFER_CATEGORY: _(
        "Give the campaign the product or service category it offers: without it the offer cannot be "
        "compared with the customer's purchase."
    ),
    Reason.REF_SOFT_OPTIN_NO_SALE_CATEGORY: _(
        "Record what the customer bought (product or service category) on their record."
    ),
    Reason.REF_SOFT_OPTIN_NO_OPT_OUT: _(
        "Record on the customer how and when a free refusal of prospecting was offered at the sale; "
        "if it was not, only their consent allows this channel."
    ),
}


def how_to_fix(reason: str) -> str:
    return str(HOW_TO_FIX.get(reason, ""))
