"""The processing activities of the Art. 30 record as the code declares them (GDPR 30(1); docs/rules.md §3).

These declarations seed the stored records that the DPO edits (``registry.records``; the
data migration ``0003_seed_activities``); the register reads the stored records. Each
carries the fields of Art. 30(1)(a)-(g) and the extra fields of the CNIL's model register
(docs/rules.md §3.2) that the code can state. It never states a fact only the
organisation can attest: no LIA or DPIA reference, no backup test, no Art. 28 contract;
those are the DPO's to enter. The text is a legal document: it is written here in both
languages of the product side by side, so that a register version covers both and the
French text does not depend on a translation catalogue. A retention period tied to a
purge (``Period``) is read from ``settings.LOYAL_RETENTION`` when the register is built,
the same value the purge applies.
"""

from datetime import date

from django.conf import settings

from prospects import retention
from registry.fiche import Activity, DataCategory, Period, Retention, SecurityMeasure, Text

# INTERP (docs/rules.md §2.1): proofs of consent and notice are kept for the processing's lifetime
# plus the civil limitation period (C. civ. 2224).
CONSENT_PROOF_YEARS = 5
# INTERP (docs/rules.md §2.1): the log of rights requests is kept 5 years after the request is closed.
REQUEST_LOG_YEARS = 5


NO_SENSITIVE = Text(
    "None. Free-text notes are screened and refused when they hold health, religion, political, union, "
    "sex-life or ethnic data (GDPR 9) or insults.",
    "Aucune. Les notes libres sont filtrées et refusées si elles contiennent des données de santé, "
    "religieuses, politiques, syndicales, relatives à la vie sexuelle ou à l'origine ethnique (RGPD 9) "
    "ou des propos injurieux.",
)
DPIA_SCREENED = Text(
    "No scoring or profiling and no combination of data sets at scale in the application: fewer than two "
    "EDPB criteria as far as the software goes. To be reviewed if scoring is ever added.",
    "Ni notation ni profilage, ni croisement de fichiers à grande échelle dans l'application : moins de "
    "deux critères du CEPD pour ce qui relève du logiciel. À revoir en cas de notation.",
)
RIGHTS = Text(
    "Requests to the privacy address or the DPO are logged in the application with their one-month "
    "deadline; every message carries a one-click unsubscribe link; objections are applied at once.",
    "Les demandes adressées au contact vie privée ou au DPO sont enregistrées dans l'application avec leur "
    "délai d'un mois ; chaque message comporte un lien de désinscription en un clic ; les oppositions sont "
    "appliquées immédiatement.",
)
STAFF_NEED_TO_KNOW = Text(
    "The DPO and the administrators (need to know)", "Le DPO et les administrateurs (besoin d'en connaître)"
)
NO_EXTERNAL = Text(
    "None: data are never sold, rented or shared",
    "Aucun : les données ne sont ni vendues, ni louées, ni cédées",
)


def security_measures() -> tuple[tuple[SecurityMeasure, Text], ...]:
    """Art. 30(1)(g) and the CNIL checkboxes, as far as the application itself applies them.

    Backups and the control of processors are the organisation's to attest
    (``fiche.ATTESTED_MEASURES``): the DPO enters them on each activity's page.
    """
    months = settings.LOYAL_RETENTION["access_log_months"]
    return (
        (
            SecurityMeasure.ACCESS_CONTROL,
            Text(
                "Roles (sales, DPO, administrator); reps see their team's prospects only; passwords of 12 "
                "characters or more, lockout after 5 failures, sessions closed after 30 idle minutes",
                "Rôles (commercial, DPO, administrateur) ; un commercial ne voit que les prospects de son "
                "équipe ; mots de passe d'au moins 12 caractères, blocage après 5 échecs, session fermée "
                "après "
                "30 minutes d'inactivité",
            ),
        ),
        (
            SecurityMeasure.TRACEABILITY,
            Text(
                f"Log of every read and export of a prospect, kept {months} months; history of every change",
                f"Journal de chaque consultation et export d'un prospect, conservé {months} mois ; "
                f"historique "
                "de chaque modification",
            ),
        ),
        (
            SecurityMeasure.SOFTWARE,
            Text(
                "Dependencies kept up to date; content security policy without inline script; CSRF "
                "protection; parameterised queries",
                "Dépendances tenues à jour ; politique de sécurité du contenu sans script en ligne ; "
                "protection CSRF ; requêtes paramétrées",
            ),
        ),
        (
            SecurityMeasure.ENCRYPTION,
            Text(
                "TLS with HSTS; email and phone encrypted at rest with key rotation; keyed blind index "
                "(HMAC-SHA-256) for lookups",
                "TLS avec HSTS ; e-mail et téléphone chiffrés au repos avec rotation des clés ; index "
                "aveugle "
                "à clé (HMAC-SHA-256) pour les recherches",
            ),
        ),
        (
            SecurityMeasure.OTHER,
            Text(
                "Automated retention purge with evidence; suppression list checked on every entry and send",
                "Purge automatique à échéance avec preuves ; liste d'opposition vérifiée à chaque saisie et "
                "chaque envoi",
            ),
        ),
    )


# docs/rules.md §2.7 (GDPR 5(1)(c), 5(1)(e)): an import file is kept only for its import.
IMPORT_FILES = Text(
    "Import lists of prospects in bulk (CSV or XLSX files): the uploaded file and its staged rows are "
    "kept only for the import, deleted when it ends and, for an import never finished, by an hourly "
    "clean-up once the delay shown in the figures has passed; each clean-up is recorded",
    "Importer des prospects en masse (fichiers CSV ou XLSX) : le fichier déposé et ses lignes en attente "
    "ne sont gardés que pour l'import, supprimés à sa fin et, pour un import jamais terminé, par un "
    "nettoyage horaire une fois passé le délai indiqué dans les chiffres ; chaque nettoyage est enregistré",
)
IMPORT_CLEANUP_MEASURE = Text(
    "uploaded import files and their staged rows deleted by an hourly clean-up when the import is not "
    "finished",
    "fichiers d'import déposés et lignes en attente supprimés par un nettoyage horaire quand l'import "
    "n'est pas terminé",
)


# docs/rules.md §2.2, §2.3 (GDPR 5(1)(c), 30(1)(c)): what the mailbox reader keeps of a message.
MAILBOX = Text(
    "Read the mailbox of replies, delivery reports and reps' copies of their own e-mails (BCC): a reply "
    "restarts the retention clock, an automatic reply never does, a permanent failure stops e-mail to "
    "the address, a reply asking to stop is honoured as an objection until a rep decides, and a rep's copy "
    "is logged as an e-mail sent",
    "Lire la boîte aux lettres des réponses, des avis de non-remise et des copies cachées des e-mails des "
    "commerciaux : une réponse relance la durée de conservation, une réponse automatique jamais, un échec "
    "définitif arrête l'envoi d'e-mails à l'adresse, une réponse demandant d'arrêter vaut opposition tant "
    "qu'un commercial n'a pas décidé, et la copie d'un commercial est inscrite comme e-mail envoyé",
)
MAILBOX_SOURCE = Text(
    "The mailbox Loyal reads: of each message, its kind, its date and a digest of its Message-ID; the sender "
    "and recipients matched to prospects through the keyed blind index, never kept in clear; of the person's "
    "own message, the subject and the first 280 characters of their words, encrypted, kept with the "
    "prospect's record and deleted with it. Never the body, an attachment, nor anything of an unknown sender",
    "La boîte aux lettres que lit Loyal : de chaque message, sa nature, sa date et une empreinte de son "
    "Message-ID ; l'expéditeur et les destinataires rapprochés des prospects par l'index aveugle à clé, "
    "jamais conservés en clair ; du message de la personne, l'objet et les 280 premiers caractères de ses "
    "mots, chiffrés, gardés avec la fiche du prospect et supprimés avec elle. Jamais le corps, une pièce "
    "jointe, ni rien d'un expéditeur inconnu",
)


def prospecting_security() -> tuple[tuple[SecurityMeasure, Text], ...]:
    """The common measures; the "other" one also states the clean-up of import files."""
    return tuple(
        (measure, Text(f"{text.en}; {IMPORT_CLEANUP_MEASURE.en}", f"{text.fr} ; {IMPORT_CLEANUP_MEASURE.fr}"))
        if measure == SecurityMeasure.OTHER
        else (measure, text)
        for measure, text in security_measures()
    )


def activities() -> tuple[Activity, ...]:
    """Every processing activity, with retention read from the settings now."""
    return (prospecting(), campaigns(), suppression_list(), user_accounts(), subject_requests())


def prospect_retention() -> tuple[Retention, ...]:
    """docs/rules.md §2.1: the prospect clock, and the customer clock, as the purge applies them."""
    return (
        Retention(
            data=Text("Prospect record, interactions and notes", "Fiche prospect, interactions et notes"),
            years=retention.prospect_years(),
            period=Period.PROSPECT,
            start=Text(
                "from the later of collection and the last contact from the person (reply, click, call, "
                "meeting; opens excluded)",
                "à compter de la collecte ou du dernier contact émanant de la personne, le plus tardif "
                "(réponse, clic, appel, rendez-vous ; ouvertures exclues)",
            ),
            then=Text("then deleted by the purge", "puis suppression par la purge"),
        ),
        Retention(
            data=Text("Customers, for prospecting", "Clients, pour la prospection"),
            years=retention.customer_years(),
            period=Period.CUSTOMER,
            start=Text(
                "from the end of the commercial relationship",
                "à compter de la fin de la relation commerciale",
            ),
            then=Text("then deleted by the purge", "puis suppression par la purge"),
        ),
    )


def consent_proof_retention() -> Retention:
    return Retention(
        data=Text("Proofs of consent and of notice", "Preuves du consentement et de l'information"),
        years=CONSENT_PROOF_YEARS,
        start=Text(
            "after the end of the consent-based processing",
            "après la fin du traitement fondé sur le consentement",
        ),
        then=Text("then deleted", "puis suppression"),
    )


IDENTITY = (DataCategory.IDENTITY, Text("First and last name", "Prénom et nom"))
PROFESSIONAL = (
    DataCategory.PROFESSIONAL_LIFE,
    Text(
        "Employer, job title, work email, work phone, LinkedIn profile address, language",
        "Employeur, fonction, e-mail et téléphone professionnels, adresse du profil LinkedIn, langue",
    ),
)


def prospecting() -> Activity:
    return Activity(
        code="b2b_prospecting",
        name=Text("B2B prospecting by social selling", "Prospection commerciale B2B (social selling)"),
        created_on=date(2026, 11, 23),
        purpose=Text(
            "Identify professionals whose function relates to our offer, and contact them about it",
            "Identifier des professionnels dont la fonction est en rapport avec notre offre, et les "
            "contacter "
            "à ce sujet",
        ),
        sub_purposes=(
            Text(
                "Log the people met (LinkedIn, business cards, events, web forms, rented lists) with where "
                "they come from",
                "Enregistrer les personnes rencontrées (LinkedIn, cartes de visite, salons, formulaires, "
                "fichiers loués) avec leur provenance",
            ),
            Text(
                "Follow up contacts, meetings and opportunities",
                "Suivre les contacts, rendez-vous et opportunités",
            ),
            Text(
                "Decide, channel by channel, whether a contact is lawful, and say why",
                "Décider, canal par canal, si un contact est licite, et pourquoi",
            ),
            IMPORT_FILES,
            MAILBOX,
        ),
        legal_bases=("f", "a"),
        legal_basis=(
            Text(
                "Art. 6(1)(f) legitimate interest: prospecting professionals about offers related to their "
                "function, with a right to object",
                "Art. 6(1)(f) intérêt légitime : prospection de professionnels pour des offres en rapport "
                "avec "
                "leur fonction, avec droit d'opposition",
            ),
            Text(
                "Art. 6(1)(a) consent: web-form opt-ins, and any electronic contact of a private address "
                "(CPCE L34-5)",
                "Art. 6(1)(a) consentement : inscriptions par formulaire, et tout contact électronique d'une "
                "adresse personnelle (CPCE L34-5)",
            ),
        ),
        data_subjects=(
            Text(
                "Employees and executives of target companies",
                "Salariés et dirigeants des entreprises ciblées",
            ),
            Text("Contacts at customers", "Contacts chez les clients"),
            Text(
                "No minors; no consumers without their consent",
                "Aucun mineur ; aucun consommateur sans son consentement",
            ),
        ),
        data_categories=(
            IDENTITY,
            PROFESSIONAL,
            (
                DataCategory.OTHER,
                Text(
                    "Provenance (type, evidence, date, notice sent); interactions (date, channel, summary); "
                    "factual notes; consents and objections with their proof",
                    "Provenance (type, preuves, date, information délivrée) ; interactions (date, canal, "
                    "résumé) ; notes factuelles ; consentements et oppositions avec leurs preuves",
                ),
            ),
            (
                DataCategory.CONNECTION,
                Text(
                    "For web forms: IP address and browser of the submission",
                    "Pour les formulaires : adresse IP et navigateur de l'envoi",
                ),
            ),
        ),
        sensitive_data=NO_SENSITIVE,
        sources=(
            Text(
                "Business cards and events; LinkedIn profiles, the address only, copied by hand; our web "
                "forms; the person's own contact; customer sales; lists rented from brokers under a contract "
                "with proof that the people were informed and could object",
                "Cartes de visite et salons ; profils LinkedIn, l'adresse seule, copiée à la main ; nos "
                "formulaires ; le contact de la personne elle-même ; ventes aux clients ; fichiers loués à "
                "des "
                "courtiers sous contrat avec preuve de l'information et de la possibilité de s'opposer",
            ),
            Text(
                "Never scraping, browser extensions or email finders: refused at entry",
                "Jamais d'extraction automatisée, d'extension de navigateur ni de recherche d'e-mails : "
                "refusés "
                "à la saisie",
            ),
            MAILBOX_SOURCE,
        ),
        retention=(*prospect_retention(), consent_proof_retention()),
        recipients_internal=(
            Text(
                "Sales reps, for their team's prospects", "Les commerciaux, pour les prospects de leur équipe"
            ),
            STAFF_NEED_TO_KNOW,
        ),
        recipients_external=(NO_EXTERNAL,),
        processors=("hosting", "emailing"),
        dpia_notes=DPIA_SCREENED,
        rights=RIGHTS,
        security=prospecting_security(),
        joint_controller=Text(
            "None (LinkedIn is an independent controller of its platform)",
            "Aucun (LinkedIn est responsable indépendant de sa plateforme)",
        ),
        consent_purposes=("b2b_prospecting",),
    )


def campaigns() -> Activity:
    return Activity(
        code="campaigns",
        name=Text("Campaigns and newsletters", "Campagnes et lettres d'information"),
        created_on=date(2026, 11, 23),
        purpose=Text(
            "Send campaigns by email, SMS, phone, post and LinkedIn message, only to people the law allows",
            "Envoyer des campagnes par e-mail, SMS, téléphone, courrier et message LinkedIn, aux seules "
            "personnes que la loi permet de contacter",
        ),
        sub_purposes=(
            Text(
                "Check every recipient against the outreach rules and record each refusal with its reason",
                "Vérifier chaque destinataire selon les règles de prospection et consigner chaque refus avec "
                "son motif",
            ),
            Text(
                "Send the Art. 14 notice to people whose data were not collected from them",
                "Envoyer l'information de l'article 14 aux personnes dont les données n'ont pas été "
                "collectées "
                "auprès d'elles",
            ),
            Text(
                "Newsletters and event invitations, by consent",
                "Lettres d'information et invitations, sur consentement",
            ),
        ),
        legal_bases=("f", "a"),
        legal_basis=(
            Text(
                "Art. 6(1)(f) legitimate interest (B2B offers)", "Art. 6(1)(f) intérêt légitime (offres B2B)"
            ),
            Text(
                "Art. 6(1)(a) consent (newsletters, invitations, private addresses)",
                "Art. 6(1)(a) consentement (lettres, invitations, adresses personnelles)",
            ),
        ),
        data_subjects=(
            Text(
                "Prospects and customers chosen for a campaign",
                "Prospects et clients retenus pour une campagne",
            ),
        ),
        data_categories=(
            IDENTITY,
            PROFESSIONAL,
            (
                DataCategory.OTHER,
                Text(
                    "Messages: content, decision, reason code and legal reference, sending status",
                    "Messages : contenu, décision, code motif et référence juridique, statut d'envoi",
                ),
            ),
            (
                DataCategory.INTERNET,
                Text("Clicks on links in our emails", "Clics sur les liens de nos e-mails"),
            ),
        ),
        sensitive_data=NO_SENSITIVE,
        sources=(
            Text(
                "The prospect records of the B2B prospecting activity",
                "Les fiches de l'activité de prospection B2B",
            ),
        ),
        retention=(
            Retention(
                data=Text("Messages and their decisions", "Messages et leurs décisions"),
                years=retention.prospect_years(),
                period=Period.PROSPECT,
                start=Text(
                    "with the prospect record they belong to",
                    "avec la fiche prospect à laquelle ils se rattachent",
                ),
                then=Text("then deleted with it", "puis supprimés avec elle"),
            ),
            consent_proof_retention(),
        ),
        recipients_internal=(
            Text(
                "Sales reps and marketing, for their campaigns",
                "Commerciaux et marketing, pour leurs campagnes",
            ),
            STAFF_NEED_TO_KNOW,
        ),
        recipients_external=(NO_EXTERNAL,),
        processors=("hosting", "emailing"),
        dpia_notes=DPIA_SCREENED,
        rights=RIGHTS,
        security=security_measures(),
        consent_purposes=("newsletter", "events"),
    )


def suppression_list() -> Activity:
    return Activity(
        code="suppression_list",
        name=Text("Objections and suppression list", "Oppositions et liste repoussoir"),
        created_on=date(2026, 11, 23),
        purpose=Text(
            "Make sure that nobody who objected is contacted or recorded again (GDPR 21(3))",
            "Garantir qu'aucune personne opposée ne soit recontactée ni réenregistrée (RGPD 21(3))",
        ),
        sub_purposes=(
            Text("Block sends and re-imports", "Bloquer les envois et les réimports"),
            Text(
                "Forward objections to the broker who supplied the person",
                "Transmettre les oppositions au courtier qui a fourni la personne",
            ),
        ),
        legal_bases=("c", "f"),
        legal_basis=(
            Text(
                "Art. 6(1)(c) legal obligation to honour objections (GDPR 21(3)); INTERP, with 6(1)(f)",
                "Art. 6(1)(c) obligation légale de respecter l'opposition (RGPD 21(3)) ; INTERP, avec "
                "6(1)(f)",
            ),
        ),
        data_subjects=(
            Text(
                "People who objected to prospecting or had their record erased",
                "Personnes opposées à la prospection ou dont la fiche a été effacée",
            ),
        ),
        data_categories=(
            (
                DataCategory.IDENTITY,
                Text(
                    "Keyed hashes (HMAC-SHA-256) of the email, phone and LinkedIn address: pseudonymised "
                    "data, "
                    "never the identifiers in clear",
                    "Empreintes à clé (HMAC-SHA-256) de l'e-mail, du téléphone et de l'adresse LinkedIn : "
                    "données pseudonymisées, jamais les identifiants en clair",
                ),
            ),
            (
                DataCategory.OTHER,
                Text(
                    "Scope (channel), date and origin of the objection",
                    "Portée (canal), date et origine de l'opposition",
                ),
            ),
        ),
        sensitive_data=Text("None", "Aucune"),
        sources=(
            Text(
                "The person: unsubscribe link, reply, phone, letter, preference page, rights request; "
                "brokers",
                "La personne : lien de désinscription, réponse, téléphone, courrier, page de préférences, "
                "demande d'exercice de droits ; les courtiers",
            ),
        ),
        retention=(
            Retention(
                data=Text("Keyed hashes", "Empreintes"),
                years=settings.LOYAL_RETENTION["suppression_years"],
                period=Period.SUPPRESSION,
                start=Text(
                    "at least, from the objection (CNIL minimum), reviewed every year",
                    "au moins, à compter de l'opposition (minimum CNIL), revu chaque année",
                ),
                then=Text(
                    "then deleted once lists are no longer imported",
                    "puis supprimées quand plus aucun fichier n'est importé",
                ),
            ),
        ),
        recipients_internal=(
            Text(
                "The application's automatic checks; the DPO sees counts only",
                "Les contrôles automatiques de l'application ; le DPO n'en voit que les totaux",
            ),
        ),
        recipients_external=(
            Text(
                "The broker who supplied the person, for their objection",
                "Le courtier qui a fourni la personne, pour son opposition",
            ),
        ),
        processors=("hosting",),
        dpia_notes=Text(
            "Pseudonymised data (keyed hashes), no profiling",
            "Données pseudonymisées (empreintes à clé), sans profilage",
        ),
        rights=RIGHTS,
        security=security_measures(),
    )


def user_accounts() -> Activity:
    return Activity(
        code="crm_users",
        name=Text("CRM user accounts and logs", "Comptes des utilisateurs du CRM et journaux"),
        created_on=date(2026, 11, 23),
        purpose=Text(
            "Manage the staff's accounts and roles, and trace who read or exported which record",
            "Gérer les comptes et rôles du personnel, et tracer qui a consulté ou exporté quelle fiche",
        ),
        sub_purposes=(
            Text(
                "Authentication and lockout after failed logins", "Authentification et blocage après échecs"
            ),
            Text("Access log of prospect records", "Journal des accès aux fiches prospects"),
            Text(
                "Acknowledgement of the social-selling code of conduct",
                "Acceptation de la charte de prospection sur les réseaux sociaux",
            ),
        ),
        legal_bases=("c", "f"),
        legal_basis=(
            Text(
                "Art. 6(1)(c) and 32: security of the processing; Art. 6(1)(f) legitimate interest in a "
                "secure CRM",
                "Art. 6(1)(c) et 32 : sécurité du traitement ; art. 6(1)(f) intérêt légitime à sécuriser le "
                "CRM",
            ),
        ),
        data_subjects=(
            Text(
                "Employees using the CRM: sales reps, DPO, administrators",
                "Salariés utilisateurs du CRM : commerciaux, DPO, administrateurs",
            ),
        ),
        data_categories=(
            (
                DataCategory.IDENTITY,
                Text(
                    "Name, username, work email, role, team",
                    "Nom, identifiant, e-mail professionnel, rôle, équipe",
                ),
            ),
            (
                DataCategory.CONNECTION,
                Text(
                    "Failed logins with IP address; access log (who, when, which record, which action)",
                    "Échecs de connexion avec adresse IP ; journal des accès (qui, quand, quelle fiche, "
                    "quelle action)",
                ),
            ),
        ),
        sensitive_data=Text("None", "Aucune"),
        sources=(
            Text(
                "The administrators and the application itself",
                "Les administrateurs et l'application elle-même",
            ),
        ),
        retention=(
            Retention(
                data=Text("Access log", "Journal des accès"),
                months=settings.LOYAL_RETENTION["access_log_months"],
                period=Period.ACCESS_LOG,
                start=Text("from each entry", "à compter de chaque entrée"),
                then=Text("then deleted by a daily job", "puis suppression par une tâche quotidienne"),
            ),
        ),
        recipients_internal=(STAFF_NEED_TO_KNOW,),
        recipients_external=(Text("None", "Aucun"),),
        processors=("hosting",),
        dpia_notes=Text(
            "No evaluation or profiling of staff; the access log serves the security of the processing only "
            "(CNIL délib. 2021-122)",
            "Ni évaluation ni profilage du personnel ; le journal des accès ne sert qu'à la sécurité du "
            "traitement (CNIL délib. 2021-122)",
        ),
        rights=Text(
            "Staff exercise their rights with the DPO; accounts are deactivated on departure",
            "Le personnel exerce ses droits auprès du DPO ; les comptes sont désactivés au départ",
        ),
        security=security_measures(),
    )


def subject_requests() -> Activity:
    return Activity(
        code="subject_requests",
        name=Text("Data-subject requests", "Demandes d'exercice des droits"),
        created_on=date(2026, 11, 23),
        purpose=Text(
            "Receive, track and answer requests exercising the GDPR rights within the deadline",
            "Recevoir, suivre et traiter dans les délais les demandes d'exercice des droits RGPD",
        ),
        sub_purposes=(
            Text(
                "Access, rectification, erasure, restriction, objection, portability",
                "Accès, rectification, effacement, limitation, opposition, portabilité",
            ),
            Text(
                "Keep evidence of the answer, and an erasure log holding no personal data",
                "Garder la preuve de la réponse, et un journal des effacements sans donnée personnelle",
            ),
        ),
        legal_bases=("c",),
        legal_basis=(
            Text(
                "Art. 6(1)(c) legal obligation (GDPR 12, 15 to 22)",
                "Art. 6(1)(c) obligation légale (RGPD 12, 15 à 22)",
            ),
        ),
        data_subjects=(Text("People exercising their rights", "Personnes exerçant leurs droits"),),
        data_categories=(
            (
                DataCategory.OTHER,
                Text(
                    "The right exercised, dates, channel, how the identity was checked, the link to the "
                    "record, "
                    "the outcome and the fingerprint of the answer",
                    "Le droit exercé, les dates, le canal, la vérification d'identité, le lien vers la "
                    "fiche, la "
                    "suite donnée et l'empreinte de la réponse",
                ),
            ),
        ),
        sensitive_data=Text(
            "None; no copy of an identity document", "Aucune ; aucune copie de pièce d'identité"
        ),
        sources=(Text("The person making the request", "La personne qui fait la demande"),),
        retention=(
            Retention(
                data=Text("Request log", "Registre des demandes"),
                years=REQUEST_LOG_YEARS,
                period=Period.REQUEST_LOG,
                start=Text("after the request is closed", "après la clôture de la demande"),
                then=Text("then deleted by a daily job", "puis suppression par une tâche quotidienne"),
            ),
        ),
        recipients_internal=(STAFF_NEED_TO_KNOW,),
        recipients_external=(Text("The CNIL, on request", "La CNIL, sur demande"),),
        processors=("hosting",),
        dpia_notes=Text(
            "No profiling; one record per request, holding no copy of an identity document",
            "Aucun profilage ; une fiche par demande, sans copie de pièce d'identité",
        ),
        rights=RIGHTS,
        security=security_measures(),
    )
