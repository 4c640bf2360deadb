"""What a person is told about the processing, drawn from the register (GDPR 13, 14, 15(1)).

The public privacy notice and the information part of a subject-access export both come
from the declared register, so that neither can say something the register does not.
"""

from dataclasses import dataclass

from org.models import Organisation
from registry import art30
from registry.fiche import Text, colon

# The activities that concern prospects; staff accounts are explained to staff elsewhere.
PUBLIC_ACTIVITIES = ("b2b_prospecting", "campaigns", "suppression_list", "subject_requests")

HEADINGS = {
    "title": Text("Privacy notice", "Politique de confidentialité"),
    "controller": Text("Who processes your data", "Qui traite vos données"),
    "purposes": Text("Purposes", "Finalités"),
    "legal_basis": Text("Legal basis", "Base légale"),
    "lia": Text("Legitimate interest assessment", "Analyse de l'intérêt légitime"),
    "data_categories": Text("Data concerned", "Données concernées"),
    "sources": Text("Where the data come from", "Origine des données"),
    "recipients": Text("Who receives them", "Destinataires"),
    "transfers": Text("Transfers outside the EU", "Transferts hors de l'UE"),
    "retention": Text("How long they are kept", "Durée de conservation"),
    "rights": Text("Your rights", "Vos droits"),
    "objection": Text("Your right to object (GDPR 21)", "Votre droit d'opposition (RGPD 21)"),
    "complaint": Text("Complaints", "Réclamation"),
    "automated": Text("Automated decisions", "Décisions automatisées"),
    "updated": Text("Register version", "Version du registre"),
    "other_language": Text("Version française", "English version"),
}
RIGHTS = Text(
    "You may ask for access to your data and a copy of them, their rectification, their erasure, the "
    "restriction of their processing and their portability; where processing rests on your consent, you "
    "may withdraw it at any time. Write to {email} or to our data protection officer, {dpo}. We answer "
    "within one month.",
    "Vous pouvez demander l'accès à vos données et leur copie, leur rectification, leur effacement, la "
    "limitation de leur traitement et leur portabilité ; lorsque le traitement repose sur votre "
    "consentement, vous pouvez le retirer à tout moment. Écrivez à {email} ou à notre délégué à la "
    "protection des données, {dpo}. Nous répondons sous un mois.",
)
# GDPR 21(4): the right to object is presented clearly and separately from any other information.
OBJECTION = Text(
    "You may object at any time, free of charge and without giving a reason, to all our prospecting, on "
    "every channel. Every message we send carries a one-click link that does it at once; you may also "
    "write to {email}. Your objection ends the prospecting for good (GDPR 21(2)-(3)).",
    "Vous pouvez vous opposer à tout moment, gratuitement et sans avoir à vous justifier, à toute notre "
    "prospection, sur tous les canaux. Chacun de nos messages comporte un lien qui le fait en un clic ; vous "
    "pouvez aussi écrire à {email}. Votre opposition met fin à la prospection pour de bon (RGPD 21(2)-(3)).",
)
COMPLAINT = Text(
    "You may lodge a complaint with the Commission nationale de l'informatique et des libertés (CNIL), "
    "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France, https://www.cnil.fr/en/plaintes.",
    "Vous pouvez introduire une réclamation auprès de la Commission nationale de l'informatique et des "
    "libertés (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, https://www.cnil.fr/fr/plaintes.",
)
AUTOMATED = Text(
    "None. The application only checks, against the rules of law, whether a message may be sent to you; "
    "no decision with legal or similarly significant effects is made about you, and there is no profiling "
    "or scoring (GDPR 22).",
    "Aucune. L'application vérifie seulement, au regard des règles de droit, si un message peut vous être "
    "envoyé ; aucune décision produisant des effets juridiques ou vous affectant de manière significative "
    "n'est prise, et il n'y a ni profilage ni notation (RGPD 22).",
)


@dataclass(frozen=True)
class Section:
    heading: str
    items: list[str]
    key: str = ""  # the anchor of a section set apart on the page


def heading(key: str, language: str) -> str:
    return HEADINGS[key].in_language(language)


def controller_lines(organisation: Organisation, language: str) -> list[str]:
    head = art30.controller(organisation, language)
    names = art30.labels(language)
    return [f"{names[f'controller.{key}']}{colon(language)}{value}" for key, value in head.items() if value]


def activity_sections(fiche: dict, language: str) -> list[Section]:
    """The Art. 13/14 information of one activity of the declared register."""
    recipients = [*fiche["recipients_internal"], *fiche["recipients_external"], *fiche["processors"]]
    parts = [
        ("purposes", fiche["purposes"]),
        ("legal_basis", fiche["legal_basis"]),
        ("data_categories", fiche["data_categories"]),
        ("sources", fiche["sources"]),
        ("recipients", recipients),
        ("transfers", fiche["transfers"]),
        ("retention", fiche["retention"]),
    ]
    return [Section(heading(key, language), items) for key, items in parts]


def rights_sections(organisation: Organisation, language: str) -> list[Section]:
    rights = RIGHTS.format(
        email=organisation.email, dpo=f"{organisation.dpo_name} <{organisation.dpo_email}>"
    )
    objection = OBJECTION.format(email=organisation.email)
    return [
        Section(heading("objection", language), [objection.in_language(language)], key="right-to-object"),
        Section(heading("rights", language), [rights.in_language(language)]),
        Section(heading("complaint", language), [COMPLAINT.in_language(language)]),
        Section(heading("automated", language), [AUTOMATED.in_language(language)]),
    ]


def privacy_notice(language: str) -> dict:
    """The public notice: controller, each activity that concerns prospects, rights."""
    organisation = Organisation.objects.current()
    register = art30.declared(language, organisation=organisation)
    activities = [fiche for fiche in register["activities"] if fiche["code"] in PUBLIC_ACTIVITIES]
    return {
        "language": language,
        "title": heading("title", language),
        "controller_heading": heading("controller", language),
        "controller": controller_lines(organisation, language),
        "activities": [(fiche["name"], activity_sections(fiche, language)) for fiche in activities],
        "rights": rights_sections(organisation, language),
    }
