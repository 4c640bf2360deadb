"""The Art. 30 record of processing activities, built from the declarations and the database.

``declared`` is what the controller states: the organisation and the activities, in one
language. ``build_register`` adds what the database knows: the version and its sign-off,
each activity's date of last update, and the live figures. Building the register records
a new version whenever the declared content changed (Art. 30(3); docs/rules.md §3).
"""

from dataclasses import dataclass

from django.utils import timezone

from org.models import Organisation
from registry import figures, versions
from registry.activities import activities
from registry.fiche import CATEGORY_LABELS, MEASURE_LABELS, Activity, Text, colon

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Field:
    key: str
    label: Text
    article: str = ""  # the letter of Art. 30(1) the field answers, if any


FIELDS = (
    Field("name", Text("Activity", "Activité")),
    Field("created_on", Text("Created on", "Date de création")),
    Field("updated_on", Text("Last updated", "Dernière mise à jour")),
    Field("software", Text("Software", "Logiciel")),
    Field("controller", Text("Controller, representative and DPO", "Responsable, représentant et DPO"), "a"),
    Field("joint_controller", Text("Joint controller", "Responsable conjoint")),
    Field("purposes", Text("Purposes", "Finalités"), "b"),
    Field("legal_basis", Text("Legal basis", "Base légale")),
    Field("lia", Text("Legitimate interest assessment", "Analyse de l'intérêt légitime")),
    Field("data_subjects", Text("Categories of data subjects", "Catégories de personnes concernées"), "c"),
    Field("data_categories", Text("Categories of personal data", "Catégories de données personnelles"), "c"),
    Field("sensitive_data", Text("Sensitive data", "Données sensibles")),
    Field("sources", Text("Sources of the data", "Sources des données")),
    Field("recipients_internal", Text("Internal recipients", "Destinataires internes"), "d"),
    Field("recipients_external", Text("External organisations", "Organismes externes"), "d"),
    Field("processors", Text("Processors", "Sous-traitants"), "d"),
    Field("transfers", Text("Transfers outside the EU", "Transferts hors de l'UE"), "e"),
    Field("retention", Text("Retention periods", "Durées de conservation"), "f"),
    Field("security", Text("Security measures", "Mesures de sécurité"), "g"),
    Field("dpia", Text("Data protection impact assessment", "Analyse d'impact (AIPD)")),
    Field("rights", Text("Exercise of rights", "Exercice des droits")),
)
CONTROLLER_FIELDS = (
    ("name", Text("Controller", "Responsable du traitement")),
    ("address", Text("Address", "Adresse")),
    ("email", Text("Privacy contact", "Contact vie privée")),
    ("legal_representative", Text("Legal representative", "Représentant légal")),
    ("eu_representative", Text("Representative in the EU", "Représentant dans l'UE")),
    ("dpo", Text("Data protection officer", "Délégué à la protection des données")),
)
TITLE = Text("Record of processing activities", "Registre des activités de traitement")
PROCESSOR_ROLES = {"hosting": Text("Hosting", "Hébergement"), "emailing": Text("Emailing", "E-mailing")}


def labels(language: str) -> dict[str, str]:
    """Every field's label in ``language``; the controller's fields as ``controller.<name>``."""
    named = {field.key: field.label for field in FIELDS}
    named |= {f"controller.{key}": label for key, label in CONTROLLER_FIELDS}
    return {key: label.in_language(language) for key, label in named.items()}


def controller(organisation: Organisation, language: str) -> dict[str, str]:
    dpo = f"{organisation.dpo_name} <{organisation.dpo_email}>"
    if organisation.dpo_address:
        dpo += f", {organisation.dpo_address}"
    return {
        "name": organisation.name,
        "address": organisation.address,
        "email": organisation.email,
        "legal_representative": organisation.legal_representative,
        "eu_representative": organisation.eu_representative
        or Text("Not needed", "Sans objet").in_language(language),
        "dpo": dpo,
    }


def fiche(activity: Activity, organisation: Organisation, language: str) -> dict:
    """One activity's fields in ``language``; list values are one item per line."""

    def texts(items) -> list[str]:
        return [item.in_language(language) for item in items]

    head = controller(organisation, language)
    return {
        "code": activity.code,
        "name": activity.name.in_language(language),
        "created_on": activity.created_on.isoformat(),
        "software": activity.software,
        "controller": f"{head['name']}, {head['address']}, {head['email']}; {head['legal_representative']}; "
        f"DPO{colon(language)}{head['dpo']}",
        "joint_controller": activity.joint_controller.in_language(language),
        "purposes": texts((activity.purpose, *activity.sub_purposes)),
        "legal_basis": texts(activity.legal_basis),
        "lia": activity.lia.in_language(language),
        "data_subjects": texts(activity.data_subjects),
        "data_categories": [
            f"{CATEGORY_LABELS[category].in_language(language)}{colon(language)}{text.in_language(language)}"
            for category, text in activity.data_categories
        ],
        "sensitive_data": activity.sensitive_data.in_language(language),
        "sources": texts(activity.sources),
        "recipients_internal": texts(activity.recipients_internal),
        "recipients_external": texts(activity.recipients_external),
        "processors": [
            f"{PROCESSOR_ROLES[role].in_language(language)}{colon(language)}{getattr(organisation, role)}"
            for role in activity.processors
        ],
        "transfers": organisation.transfers,
        "retention": [rule.describe(language) for rule in activity.retention],
        "security": [
            f"{MEASURE_LABELS[measure].in_language(language)}{colon(language)}{text.in_language(language)}"
            for measure, text in activity.security
        ],
        "dpia": activity.dpia.in_language(language),
        "rights": activity.rights.in_language(language),
    }


def declared(language: str, *, organisation: Organisation | None = None) -> dict:
    """The register as the controller declares it, in one language: no figures, no dates of change."""
    organisation = organisation or Organisation.objects.current()
    return {
        "title": TITLE.in_language(language),
        "controller": controller(organisation, language),
        "activities": [fiche(activity, organisation, language) for activity in activities()],
    }


def content() -> dict:
    """What a register version holds: the declared register in every language of the product."""
    organisation = Organisation.objects.current()
    return {language: declared(language, organisation=organisation) for language in LANGUAGES}


def build_register(*, language: str = "en", live: bool = True) -> dict:
    """The register in ``language``, with its version, dates of update and (``live``) figures.

    Records a new version first if the declared content changed since the last one.
    """
    language = language if language in LANGUAGES else "en"
    version = versions.record(content())
    register = dict(version.content[language])
    register["language"] = language
    register["version"] = version.number
    register["signed_off_at"] = version.signed_at.isoformat() if version.signed_at else None
    register["generated_at"] = timezone.now().isoformat(timespec="seconds")
    updates = versions.activity_updates()
    numbers = figures.live_figures() if live else {}
    register["activities"] = [
        {
            **activity,
            "updated_on": timezone.localdate(updates[activity["code"]]).isoformat(),
            **({"figures": [f.as_dict(language) for f in numbers.get(activity["code"], [])]} if live else {}),
        }
        for activity in register["activities"]
    ]
    return register
