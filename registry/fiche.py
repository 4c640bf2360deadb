"""The shape of a fiche of the Art. 30 record: one processing activity (docs/rules.md §3.1-3.2).

The fields are those of GDPR 30(1)(a)-(g) and of the CNIL's model register. A text of
the register is a legal text written in both languages of the product side by side.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import models

SOFTWARE = "Loyal (Django application)"


def colon(language: str) -> str:
    """French typography puts a space before the colon."""
    return " : " if language.startswith("fr") else ": "


@dataclass(frozen=True)
class Text:
    """A text of the register in English and in French."""

    en: str
    fr: str

    def in_language(self, language: str) -> str:
        return self.fr if language.startswith("fr") else self.en

    def format(self, **values) -> "Text":
        return Text(self.en.format(**values), self.fr.format(**values))


class DataCategory(models.TextChoices):
    """The data categories of the CNIL model register's fiche."""

    IDENTITY = "identity"
    PERSONAL_LIFE = "personal_life"
    PROFESSIONAL_LIFE = "professional_life"
    ECONOMIC = "economic"
    CONNECTION = "connection"
    LOCATION = "location"
    INTERNET = "internet"
    OTHER = "other"


CATEGORY_LABELS = {
    DataCategory.IDENTITY: Text("Identity", "État civil, identité, données d'identification"),
    DataCategory.PERSONAL_LIFE: Text("Personal life", "Vie personnelle"),
    DataCategory.PROFESSIONAL_LIFE: Text("Professional life", "Vie professionnelle"),
    DataCategory.ECONOMIC: Text(
        "Economic and financial information", "Informations d'ordre économique et financier"
    ),
    DataCategory.CONNECTION: Text("Connection data", "Données de connexion"),
    DataCategory.LOCATION: Text("Location data", "Données de localisation"),
    DataCategory.INTERNET: Text("Internet (cookies, tracers)", "Internet (cookies, traceurs)"),
    DataCategory.OTHER: Text("Other", "Autres"),
}


class SecurityMeasure(models.TextChoices):
    """The security checkboxes of the CNIL model register's fiche."""

    ACCESS_CONTROL = "access_control"
    TRACEABILITY = "traceability"
    SOFTWARE = "software"
    BACKUP = "backup"
    ENCRYPTION = "encryption"
    PROCESSORS = "processors"
    OTHER = "other"


# Measures only the organisation can attest (GDPR 28, 32(1)(c)-(d)): the DPO enters them on the
# activity's page; the code declares none of them.
ATTESTED_MEASURES = (SecurityMeasure.BACKUP, SecurityMeasure.PROCESSORS)

MEASURE_LABELS = {
    SecurityMeasure.ACCESS_CONTROL: Text("User access control", "Contrôle d'accès des utilisateurs"),
    SecurityMeasure.TRACEABILITY: Text("Traceability", "Mesures de traçabilité"),
    SecurityMeasure.SOFTWARE: Text("Software protection", "Mesures de protection des logiciels"),
    SecurityMeasure.BACKUP: Text("Backups", "Sauvegarde des données"),
    SecurityMeasure.ENCRYPTION: Text("Encryption", "Chiffrement des données"),
    SecurityMeasure.PROCESSORS: Text("Control of processors", "Contrôle des sous-traitants"),
    SecurityMeasure.OTHER: Text("Other measures", "Autres mesures"),
}


class Period(models.TextChoices):
    """Where a retention period comes from: typed by the DPO, or the value a purge applies."""

    FIXED = "fixed"
    PROSPECT = "prospect_years"
    CUSTOMER = "customer_years"
    SUPPRESSION = "suppression_years"
    ACCESS_LOG = "access_log_months"
    REQUEST_LOG = "request_log_years"


@dataclass(frozen=True)
class Retention:
    """How long one category of data is kept (Art. 30(1)(f)), from which event, and what then.

    ``period`` other than ``FIXED`` ties the duration to the setting or constant a purge
    applies, so that the register can never state another duration than the one enforced.
    """

    data: Text
    start: Text
    then: Text
    years: int = 0
    months: int = 0
    period: str = Period.FIXED

    def duration(self, language: str) -> str:
        if self.years:
            unit = ("an", "ans") if language.startswith("fr") else ("year", "years")
            return f"{self.years} {unit[self.years != 1]}"
        unit = "mois" if language.startswith("fr") else ("month" if self.months == 1 else "months")
        return f"{self.months} {unit}"

    def describe(self, language: str) -> str:
        semicolon = " ; " if language.startswith("fr") else "; "
        return (
            f"{self.data.in_language(language)}{colon(language)}{self.duration(language)} "
            f"{self.start.in_language(language)}{semicolon}{self.then.in_language(language)}"
        )


@dataclass(frozen=True)
class Activity:
    """One processing activity as the code declares it: the seed of its stored record.

    It holds what the code itself does or knows. Facts only the organisation can attest
    (the LIA and DPIA references, backups and their restore tests, the Art. 28 contracts)
    are not declared here: the DPO enters them on the activity's page
    (``registry.records``), and the register shows them as missing until then.
    """

    code: str
    name: Text
    created_on: date
    purpose: Text
    sub_purposes: tuple[Text, ...]
    legal_bases: tuple[str, ...]  # the letters of GDPR 6(1): "a" to "f"
    legal_basis: tuple[Text, ...]
    data_subjects: tuple[Text, ...]
    data_categories: tuple[tuple[DataCategory, Text], ...]
    sensitive_data: Text
    sources: tuple[Text, ...]
    retention: tuple[Retention, ...]
    recipients_internal: tuple[Text, ...]
    recipients_external: tuple[Text, ...]
    processors: tuple[str, ...]  # roles of org.models.Processor: "hosting", "emailing", "other"
    dpia_notes: Text  # why a DPIA is or is not needed, as far as the code knows
    rights: Text
    security: tuple[tuple[SecurityMeasure, Text], ...]
    joint_controller: Text = Text("None", "Aucun")
    software: str = SOFTWARE
    # The consent purposes (consent.Purpose codes) that fall under this activity.
    consent_purposes: tuple[str, ...] = field(default=())
