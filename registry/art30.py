"""The Art. 30 record of processing activities, built from the stored records and the database.

``declared`` is what the controller states: the organisation and the activities as the
DPO keeps them (``registry.records``), in one language. ``build_register`` adds what the
database knows: the version and its sign-off, each activity's date of last update, and
the live figures. Building the register records a new version whenever the declared
content changed (Art. 30(3); docs/rules.md §3). A fact only the organisation can attest
and not entered yet is written as such, never filled in.
"""

from dataclasses import dataclass

from django.utils import timezone

from org.models import Organisation
from registry import figures, records, versions
from registry.fiche import (
    CATEGORY_LABELS,
    MEASURE_LABELS,
    SOFTWARE,
    DataCategory,
    SecurityMeasure,
    Text,
    colon,
)
from registry.models import DpiaStatus, LegalBasis, ProcessingActivity

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
PROCESSOR_ROLES = {
    "hosting": Text("Hosting", "Hébergement"),
    "emailing": Text("Emailing", "E-mailing"),
    "other": Text("Other processors", "Autres sous-traitants"),
}
NOT_DOCUMENTED = Text(
    "Not documented yet: to be entered by the DPO", "Non documenté : à renseigner par le DPO"
)
NOT_APPLICABLE = Text(
    "Not applicable: no legitimate interest basis", "Sans objet : aucun fondement sur l'intérêt légitime"
)
DPIA_STATUSES = {
    DpiaStatus.NOT_REQUIRED: Text("Screened: no DPIA required", "Analyse préalable faite : AIPD non requise"),
    DpiaStatus.IN_PROGRESS: Text("DPIA in progress", "AIPD en cours"),
    DpiaStatus.DONE: Text("DPIA carried out", "AIPD réalisée"),
}
DPIA_UNKNOWN = Text("DPIA status not recorded yet", "Statut de l'AIPD non renseigné")
REFERENCE = Text("Reference: {reference}", "Référence : {reference}")
NO_REFERENCE = Text(
    "Reference not documented yet: to be entered by the DPO",
    "Référence non documentée : à renseigner par le DPO",
)


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


def fiche(record: ProcessingActivity, organisation: Organisation, language: str) -> dict:
    """One activity's fields in ``language``; list values are one item per line."""
    head = controller(organisation, language)

    def text(name: str) -> str:
        return records.text(record, name, language)

    def lines(name: str) -> list[str]:
        return records.lines(record, name, language)

    return {
        "code": record.code,
        "name": record.name(language),
        "created_on": record.created_on.isoformat(),
        "software": SOFTWARE,
        "controller": f"{head['name']}, {head['address']}, {head['email']}; {head['legal_representative']}; "
        f"DPO{colon(language)}{head['dpo']}",
        "joint_controller": text("joint_controller"),
        "purposes": [text("purpose"), *lines("sub_purposes")],
        "legal_basis": lines("legal_basis"),
        "lia": _lia(record, language),
        "data_subjects": lines("data_subjects"),
        "data_categories": _described(record.data_categories, DataCategory, CATEGORY_LABELS, language),
        "sensitive_data": text("sensitive_data"),
        "sources": lines("sources"),
        "recipients_internal": lines("recipients_internal"),
        "recipients_external": lines("recipients_external"),
        "processors": processors(record, organisation, language),
        "transfers": transfers(record, organisation, language),
        "retention": [rule.describe(language) for rule in records.retention_of(record)],
        "security": _security(record, language),
        "dpia": _dpia(record, language),
        "rights": text("rights"),
    }


def used_processors(record: ProcessingActivity, organisation: Organisation) -> list:
    """The organisation's processors whose role the activity uses (org.models.Processor)."""
    return [processor for processor in organisation.processor_list() if processor.role in record.processors]


def processors(record: ProcessingActivity, organisation: Organisation, language: str) -> list[str]:
    """Each processor by its role, name, country and safeguard (GDPR 30(1)(d)-(e); CJEU C-154/21)."""
    named = [processor.register_line(language) for processor in used_processors(record, organisation)]
    return named + [line.strip() for line in record.other_processors.splitlines() if line.strip()]


def transfers(record: ProcessingActivity, organisation: Organisation, language: str) -> list[str]:
    """Each transfer of the activity's processors with its safeguard, then the activity's own statement
    or, without one, the organisation's (GDPR 30(1)(e), 44-46)."""
    own = records.text(record, "transfers", language)
    if own:
        used = used_processors(record, organisation)
        return [processor.transfer_line(language) for processor in used if processor.is_transfer] + [own]
    return organisation.transfer_lines(language, used_processors(record, organisation))


def _described(described: dict, codes, names: dict, language: str) -> list[str]:
    """A map of {code: {"en", "fr"}} as labelled lines, in the order of the CNIL model's fiche."""
    language = "fr" if language.startswith("fr") else "en"
    return [
        f"{names[code].in_language(language)}{colon(language)}{described[code][language]}"
        for code in codes
        if code in described
    ]


def _lia(record: ProcessingActivity, language: str) -> str:
    if record.lia_reference.strip():
        return record.lia_reference.strip()
    needed = LegalBasis.LEGITIMATE_INTEREST in record.legal_bases
    return (NOT_DOCUMENTED if needed else NOT_APPLICABLE).in_language(language)


def _security(record: ProcessingActivity, language: str) -> list[str]:
    """The measures the application applies, then those the organisation attests (or their gap)."""
    attested = {
        SecurityMeasure.BACKUP: record.backup_measures,
        SecurityMeasure.PROCESSORS: record.processor_contracts,
    }
    lines = []
    for measure in SecurityMeasure:
        if measure in attested:
            value = attested[measure].strip() or NOT_DOCUMENTED.in_language(language)
        elif measure in record.security:
            value = record.security[measure]["fr" if language.startswith("fr") else "en"]
        else:
            continue
        lines.append(f"{MEASURE_LABELS[measure].in_language(language)}{colon(language)}{value}")
    return lines


def _dpia(record: ProcessingActivity, language: str) -> str:
    status = DPIA_STATUSES.get(record.dpia_status, DPIA_UNKNOWN).in_language(language)
    reference = record.dpia_reference.strip()
    reference = (REFERENCE.format(reference=reference) if reference else NO_REFERENCE).in_language(language)
    notes = records.text(record, "dpia_notes", language)
    return ". ".join(part.rstrip(".") for part in (status, reference, notes) if part) + "."


def declared(language: str, *, organisation: Organisation | None = None) -> dict:
    """The register as the controller declares it, in one language: no figures, no dates of change."""
    organisation = organisation or Organisation.objects.current()
    return {
        "title": TITLE.in_language(language),
        "controller": controller(organisation, language),
        "activities": [fiche(record, organisation, language) for record in records.stored()],
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
