"""Who an address belongs to, which decides the rules that apply to contacting it.

docs/rules.md §1.2: a role address of a company is a legal person's coordinate
(`b2b_generic`); an address that an organisation gave to one of its people is
`b2b_nominative`; a free-mail or ISP address is a private person's (`b2c`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    B2B_GENERIC = "b2b_generic", _("Company role address")
    B2B_NOMINATIVE = "b2b_nominative", _("Named work address")
    B2C = "b2c", _("Private address")


GENERIC_LOCAL_PARTS = frozenset(
    {
        "accueil", "achats", "admin", "administration", "bonjour", "commandes",
        "commande", "commercial", "comptabilite", "compta", "contact", "contacts",
        "direction", "export", "facturation", "hello", "hr", "info", "infos",
        "information", "informations", "jobs", "marketing", "office", "orders",
        "presse", "press", "recrutement", "rh", "sales", "secretariat", "service",
        "serviceclient", "service-client", "support", "team", "equipe", "vente",
        "ventes", "welcome",
    }
)  # fmt: skip

FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com", "aliceadsl.fr", "bbox.fr", "club-internet.fr", "free.fr",
        "gmail.com", "googlemail.com", "gmx.com", "gmx.de", "gmx.fr", "hotmail.com",
        "hotmail.fr", "icloud.com", "laposte.net", "live.com", "live.fr", "mac.com",
        "me.com", "msn.com", "neuf.fr", "numericable.fr", "orange.fr", "outlook.com",
        "outlook.fr", "proton.me", "protonmail.com", "sfr.fr", "tutanota.com",
        "wanadoo.fr", "web.de", "yahoo.com", "yahoo.fr", "yandex.com", "ymail.com",
    }
)  # fmt: skip

# Free-mail families that exist under many country domains (outlook.de, yahoo.co.uk).
FREE_MAIL_FAMILIES = ("hotmail.", "outlook.", "yahoo.", "live.", "gmx.")


def automatic_audience(*, email: str, phone: str, sole_trader: bool = False) -> Audience:
    """The audience a prospect gets unless a person sets it with a reason (docs/rules.md §1.2).

    - From the e-mail address when there is one; a sole trader's address is theirs, so a
      one-person business's role address (contact@dupont-plomberie.fr) is named.
    - With no address but a phone number: a line of unknown kind is private, since calling
      a private person needs their consent (C. conso L223-1); a sole trader's is named.
    - With neither, a LinkedIn profile: a professional network's contact point.
    """
    if email:
        found = classify_email(email)
        return Audience.B2B_NOMINATIVE if sole_trader and found == Audience.B2B_GENERIC else found
    if phone:
        return Audience.B2B_NOMINATIVE if sole_trader else Audience.B2C
    return Audience.B2B_NOMINATIVE


def classify_email(email: str) -> Audience:
    """Classify a normalised (trimmed, lower-cased) email address."""
    local, _sep, domain = email.rpartition("@")
    if domain in FREE_MAIL_DOMAINS or domain.startswith(FREE_MAIL_FAMILIES):
        return Audience.B2C
    if local.split("+", 1)[0] in GENERIC_LOCAL_PARTS:
        return Audience.B2B_GENERIC
    return Audience.B2B_NOMINATIVE
