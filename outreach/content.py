"""What a message says: the campaign's text for the person, the sender, the opt-out, the notice.

CPCE L34-5: every message identifies the advertiser and carries a free, working
opt-out; e-mails also carry the one-click ``List-Unsubscribe`` headers (RFC 8058).
When the gate allows with notice, the privacy notice rides in the first message
(GDPR 13, 14(3)(b), 21(4)), in the person's language (notices.py). A consent request
carries the link where the person gives permission themselves, and nothing else to sell.
"""

import re
from dataclasses import dataclass
from email.utils import formataddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import escape, urlize
from django.utils.translation import gettext as _

from consent import links
from org.models import Organisation, Processor
from outreach import notices
from outreach.models import Campaign, Message
from prospects.models import Language, Prospect, Source

# Placeholders a rep may use in a template; anything else is left as typed.
PLACEHOLDER = re.compile(r"\{(first_name|last_name|company|job_title)\}")


@dataclass(frozen=True)
class Content:
    language: str
    subject: str
    body: str
    carries_notice: bool
    unsubscribe_url: str


# The mark of a default the organisation page has not replaced yet (crm/settings.py).
UNNAMED = "(to be named)"
# What every message and notice must name: the advertiser (CPCE L34-5), the controller and its
# contact, the DPO (GDPR 13(1), 14(1)); the recipients and transfers are the processors below.
REQUIRED_FACTS = ("name", "address", "email", "dpo_email")
# The processors every campaign uses: where the data are kept, and who sends the e-mails.
REQUIRED_PROCESSORS = (Processor.Role.HOSTING, Processor.Role.EMAILING)


def missing_facts(controller: Organisation | None = None) -> list[str]:
    """The labels of the organisation's facts still empty or "(to be named)": while any is missing,
    no campaign starts (sending.start_sending), as its messages and notices could not be complete.
    A processor counts once named with its country and its safeguard (GDPR 13(1)(e)-(f), 14(1)(e)-(f))."""
    controller = controller or Organisation.objects.current()
    missing = [
        str(Organisation._meta.get_field(name).verbose_name)
        for name in REQUIRED_FACTS
        if not str(getattr(controller, name)).strip() or UNNAMED in str(getattr(controller, name))
    ]
    processors = controller.processor_list()
    for role in REQUIRED_PROCESSORS:
        if not any(processor.role == role for processor in processors):
            missing.append(_("a processor for %(role)s") % {"role": role.label})
    for processor in processors:
        if not processor.country:
            missing.append(_("the country of the processor %(name)s") % {"name": processor.name})
        if not processor.safeguard:
            missing.append(_("the transfer safeguard of the processor %(name)s") % {"name": processor.name})
    return missing


def language_of(prospect: Prospect) -> str:
    return Language.EN if prospect.language == Language.EN else Language.FR


def personalise(text: str, prospect: Prospect) -> str:
    values = {
        "first_name": prospect.first_name,
        "last_name": prospect.last_name,
        "company": prospect.company_name,
        "job_title": prospect.job_title,
    }
    return PLACEHOLDER.sub(lambda match: values[match[1]], text)


def compose(campaign: Campaign, prospect: Prospect, *, with_notice: bool) -> Content:
    """The text the person receives (or the rep says, writes, posts) on the campaign's channel."""
    # L34-5: the advertiser's identity, as the administrator saved it (org.models.Organisation).
    return _compose(campaign, prospect, with_notice=with_notice, controller=Organisation.objects.current())


def composer(campaign: Campaign):
    """``compose`` for a chunk of ``campaign``'s messages: the controller read once, and each
    notice naming the first source given (the caller reads them all in one query)."""
    controller = Organisation.objects.current()

    def compose_one(prospect: Prospect, *, with_notice: bool, source: Source | None = None) -> Content:
        return _compose(campaign, prospect, with_notice=with_notice, controller=controller, source=source)

    return compose_one


def _compose(
    campaign: Campaign, prospect: Prospect, *, with_notice: bool, controller: Organisation, source=None
) -> Content:
    language = language_of(prospect)
    subject, body = campaign.template(language)
    # G2 (docs/rules.md §1.4): the footer link objects to all direct marketing, not to this
    # channel only (GDPR 21(2)-(3); CALOGA, SAN-2025-002: a partial opt-out breached 7(3)).
    # Its page offers the preference page, where the person may keep chosen channels.
    unsubscribe = links.unsubscribe_url(prospect, "")
    context = {
        "body": personalise(body, prospect),
        "campaign": campaign,
        "controller": controller,
        "unsubscribe_url": unsubscribe,
        "preferences_url": links.preferences_url(prospect),
        "invitation_url": (
            links.invitation_url(prospect, issued_by=campaign.created_by)
            if campaign.is_consent_request
            else ""
        ),
        "notice": notices.notice_text(prospect, language=language, source=source, controller=controller)
        if with_notice
        else "",
    }
    text = render_to_string(f"outreach/message_{language}.txt", context)
    return Content(language, personalise(subject, prospect), text, with_notice, unsubscribe)


def email_for(message: Message, prospect: Prospect, content: Content, *, connection=None) -> EmailMessage:
    """The e-mail of one message: text and the same text as HTML (multipart/alternative).

    The envelope sender (Return-Path, where bounces go) is the configured bounce address; the
    From is the campaign's sender, in a verified domain (campaigns.sends_from_verified_domain).
    """
    campaign = message.campaign
    domain = site_domain()
    email = EmailMultiAlternatives(
        subject=content.subject,
        body=content.body,
        from_email=settings.LOYAL_BOUNCE_ADDRESS,
        to=[prospect.email],
        reply_to=[campaign.sender_email],
        headers={
            "From": formataddr((campaign.sender_name, campaign.sender_email)),
            "List-Unsubscribe": f"<{content.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 2919: one list per purpose, so a mailbox can sort and the person can tell them apart.
            "List-Id": f"<{campaign.purpose.code.replace('_', '-')}.{domain}>",
            # Stable per campaign: mailbox providers' feedback loops report complaints by it.
            "Feedback-ID": f"{campaign.pk}:{campaign.purpose.code}:loyal:{domain}",
            # Deterministic: a retried hand-off can be recognised downstream.
            "Message-ID": f"<loyal.{campaign.pk}.{message.pk}@{domain}>",
            "Content-Language": content.language,
        },
        connection=connection,
    )
    email.attach_alternative(as_html(content), "text/html")
    return email


def as_html(content: Content) -> str:
    """The text part as simple HTML: every character escaped, links clickable, the same footer."""
    paragraphs = [
        "<br>\n".join(urlize(line, nofollow=True, autoescape=True) for line in block.split("\n"))
        for block in re.split(r"\n\s*\n", content.body.strip())
    ]
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(content.language)}">\n<head><meta charset="utf-8">'
        f"<title>{escape(content.subject)}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def site_domain() -> str:
    return urlsplit(settings.LOYAL_SITE_URL).hostname or "localhost"
