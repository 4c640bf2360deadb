"""What an Art. 15 answer tells the person besides the copy of their data (GDPR 15(1)(a)-(h), 15(2)).

It is drawn from the register's stored records, so that it cannot say what the register does
not. The recipients are named where their identity is known (15(1)(c); CJEU C-154/21): the
organisation's processors and each broker that was sent the person's objection. Fingerprints
of the person's identifiers on the suppression list are personal data too (GDPR recital 26);
they are explained in plain words (12(1)), and a person with no record but such fingerprints
gets that explanation rather than an answer that no data are held. The same fingerprints sit
in the Art. 19 entries that tell the recipients of the person's objection or erasure
(prospects/propagation.py); those entries are listed too, with whom they were sent to and when.
"""

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from consent.channels import Channel
from org.dates import shown_date
from org.models import Organisation
from prospects.models import Propagation, Prospect, Recipient, Suppression
from prospects.review import evidence_rows
from prospects.suppression import digests_of
from registry import art30, notice, records
from registry.fiche import Text

ART15 = {
    "a": Text("(a) Purposes and legal basis", "(a) Finalités et base légale"),
    "b": Text("(b) Categories of data", "(b) Catégories de données"),
    "c": Text("(c) Recipients", "(c) Destinataires"),
    "d": Text("(d) Retention", "(d) Durée de conservation"),
    "g": Text("(g) Where your data come from", "(g) Origine de vos données"),
    "transfers": Text("Transfers outside the EU (15(2))", "Transferts hors de l'UE (15(2))"),
    "suppression": Text(
        "Your fingerprints on our suppression list", "Vos empreintes sur notre liste d'opposition"
    ),
    "propagation": Text(
        "What the recipients of your data are told (GDPR 19)",
        "Ce qui est notifié aux destinataires de vos données (RGPD 19)",
    ),
}
PROPAGATED = Text(
    "{event} of {date}, with the fingerprints of your identifiers only{broker}: {recipients}",
    "{event} du {date}, avec les seules empreintes de vos identifiants{broker} : {recipients}",
)
BROKER_LIST = Text(" and the reference of {broker}'s list", " et la référence de la liste de {broker}")
TOLD_ON = Text("{recipient}, told on {date}", "{recipient}, informé le {date}")
NOT_YET = Text("{recipient}, to be told", "{recipient}, à informer")
KEPT_UNTIL = Text(
    "Your record is kept until {date} unless you contact us.",
    "Votre fiche est conservée jusqu'au {date} sauf si vous nous contactez.",
)
RECIPIENTS = Text(
    "Each organisation that receives your data or will receive them, by its name (GDPR 15(1)(c); CJEU "
    "C-154/21):",
    "Chaque organisme qui reçoit ou recevra vos données, désigné par son nom (RGPD 15(1)(c) ; CJUE "
    "C-154/21) :",
)
PROCESSOR = Text("{name}, our processor ({role})", "{name}, notre sous-traitant ({role})")
BROKER_TOLD = Text(
    "{broker}, the broker who supplied your data, received your objection on {date} so that it stops "
    "passing your data on",
    "{broker}, le courtier qui nous a fourni vos données, a reçu votre opposition le {date} afin de "
    "cesser de les transmettre",
)
STAFF_RECIPIENTS = Text(
    "Inside our organisation, on a need-to-know basis: {who}",
    "Au sein de notre organisme, selon le besoin d'en connaître : {who}",
)
HASHES = Text(
    "We keep no readable copy of the identifiers below. For each, we keep a fingerprint: a code computed "
    "from it with a secret key (HMAC-SHA-256), from which it cannot be read back. Its only use is to "
    "recognise it if it ever reaches us again, in a list we import for instance, so that you are never "
    "contacted or recorded again (GDPR 21(3); CNIL, liste repoussoir). A fingerprint still counts as "
    "personal data (GDPR recital 26), which is why it is listed here. It is kept at least {years} years "
    "from your objection, and the need for it is reviewed every year.",
    "Nous ne gardons aucune copie lisible des identifiants ci-dessous. Pour chacun, nous gardons une "
    "empreinte : un code calculé à partir de lui avec une clé secrète (HMAC-SHA-256), qui ne permet pas "
    "de le retrouver. Sa seule utilité est de le reconnaître s'il nous parvient de nouveau, dans un "
    "fichier importé par exemple, afin que vous ne soyez plus jamais contacté ni enregistré (RGPD 21(3) ; "
    "CNIL, liste repoussoir). Une empreinte reste une donnée personnelle (RGPD considérant 26), c'est "
    "pourquoi elle figure ici. Elle est conservée au moins {years} ans à compter de votre opposition, et "
    "sa nécessité est revue chaque année.",
)
HASH_ENTRY = Text(
    "{kind}: fingerprint kept since {date} (origin: {origin}; scope: {scope})",
    "{kind} : empreinte conservée depuis le {date} (origine : {origin} ; portée : {scope})",
)
EVERY_CHANNEL = Text("every channel", "tous les canaux")
NO_RECORD = Text(
    "We hold no record about you: no name, no contact details, no history. Only the fingerprints below "
    "remain, because you objected to our prospecting or asked us to erase your data.",
    "Nous ne détenons aucune fiche à votre sujet : ni nom, ni coordonnées, ni historique. Seules les "
    "empreintes ci-dessous subsistent, parce que vous vous êtes opposé à notre prospection ou avez "
    "demandé l'effacement de vos données.",
)


def information(prospect: Prospect, *, language: str) -> list[notice.Section]:
    organisation = Organisation.objects.current()
    register = art30.declared(language, organisation=organisation)
    fiches = [fiche for fiche in register["activities"] if fiche["code"] in notice.PUBLIC_ACTIVITIES]

    def section(key: str, items: list[str]) -> notice.Section:
        return notice.Section(ART15[key].in_language(language), list(dict.fromkeys(items)))

    kept = KEPT_UNTIL.format(date=day(prospect.retention_until, language)).in_language(language)
    hashes = suppression_lines(Suppression.objects.filter(digest__in=digests_of(prospect).values()), language)
    return [
        section(
            "a", [f"{f['name']}: {'; '.join(f['purposes'])} ({'; '.join(f['legal_basis'])})" for f in fiches]
        ),
        section("b", [item for f in fiches for item in f["data_categories"]]),
        section("c", recipients(prospect, organisation, language)),
        section("d", [kept, *(rule for f in fiches for rule in f["retention"])]),
        section("g", _sources(prospect, language)),
        section("transfers", organisation.transfer_lines(language)),
        *([section("suppression", hashes)] if hashes else []),
        *_propagation_sections(set(digests_of(prospect).values()), language),
        *notice.rights_sections(organisation, language),
    ]


def propagation_lines(digests: set[str], language: str) -> list[str]:
    """The Art. 19 entries holding these fingerprints: the change, its date, each recipient and its state."""
    digests = {digest for digest in digests if digest}
    if not digests:
        return []
    matching = Q(email_digest__in=digests) | Q(phone_digest__in=digests) | Q(linkedin_digest__in=digests)
    entries = (
        Propagation.objects.filter(matching).prefetch_related("recipients").order_by("occurred_at", "pk")
    )
    lines = []
    with translation.override(language):
        for entry in entries:
            told = [
                (TOLD_ON if r.status == Recipient.Status.SENT else NOT_YET)
                .format(
                    recipient=r.get_kind_display(),
                    date=r.sent_at and day(r.sent_at, language),
                )
                .in_language(language)
                for r in sorted(entry.recipients.all(), key=lambda r: r.kind)
            ]
            broker = BROKER_LIST.format(broker=entry.broker).in_language(language) if entry.broker else ""
            date = day(entry.occurred_at, language)
            lines.append(
                PROPAGATED.format(
                    event=capfirst(entry.get_event_display()),
                    date=date,
                    broker=broker,
                    recipients="; ".join(told),
                ).in_language(language)
            )
    return lines


def _propagation_sections(digests: set[str], language: str) -> list[notice.Section]:
    lines = propagation_lines(digests, language)
    return [notice.Section(ART15["propagation"].in_language(language), lines)] if lines else []


def recipients(prospect: Prospect, organisation: Organisation, language: str) -> list[str]:
    """Who receives the person's data, each by name where one is known (CJEU C-154/21).

    The organisation's processors named in the activities that concern prospects, each broker
    that was sent the person's objection, then the internal and external categories of the
    register; staff are never named (CJEU C-579/21).
    """
    public = [record for record in records.stored() if record.code in notice.PUBLIC_ACTIVITIES]
    lines = [RECIPIENTS.in_language(language)]
    used = {role for record in public for role in record.processors}
    for processor in organisation.processor_list():
        if processor.role in used:
            lines.append(
                PROCESSOR.format(
                    name=processor.public_text(language), role=processor.role_text(language).lower()
                ).in_language(language)
            )
    lines += [
        line.strip() for record in public for line in record.other_processors.splitlines() if line.strip()
    ]
    told = prospect.objections.filter(forwarded_in__isnull=False).select_related("forwarded_in")
    for objection in told.order_by("forwarded_in__exported_at"):
        date = day(objection.forwarded_in.exported_at, language)
        lines.append(
            BROKER_TOLD.format(broker=objection.forwarded_in.broker, date=date).in_language(language)
        )
    staff = [line for record in public for line in records.lines(record, "recipients_internal", language)]
    lines.append(STAFF_RECIPIENTS.format(who="; ".join(dict.fromkeys(staff))).in_language(language))
    lines += [line for record in public for line in records.lines(record, "recipients_external", language)]
    return lines


def suppression_lines(entries, language: str) -> list[str]:
    """The suppression entries in plain words: what a fingerprint is, then one line per entry."""
    entries = list(entries.order_by("created_at", "pk"))
    if not entries:
        return []
    with translation.override(language):
        channels = dict(Channel.choices)
        lines = [HASHES.format(years=settings.LOYAL_RETENTION["suppression_years"]).in_language(language)]
        for entry in entries:
            every = entry.channel == Suppression.ALL_CHANNELS
            scope = (
                EVERY_CHANNEL.in_language(language)
                if every
                else str(channels.get(entry.channel, entry.channel))
            )
            date = day(entry.created_at, language)
            kind, origin = capfirst(entry.get_kind_display()), entry.get_origin_display()
            lines.append(
                HASH_ENTRY.format(kind=kind, date=date, origin=origin, scope=scope).in_language(language)
            )
    return lines


def _sources(prospect: Prospect, language: str) -> list[str]:
    lines = []
    with translation.override(language):
        for source in prospect.sources.order_by("acquired_at", "pk"):
            evidence = ", ".join(
                f"{label}: {_shown_value(value)}" for label, value in evidence_rows(source) if value != ""
            )
            lines.append(f"{source.get_type_display()} ({day(source.acquired_at, language)}) {evidence}")
    return lines


def _shown_value(value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def day(value, language: str) -> str:
    """A day as the person reads it in the letter's language (org/dates.py)."""
    with translation.override(language):
        return shown_date(value)


def suppression_information(entries, language: str) -> list[notice.Section]:
    organisation = Organisation.objects.current()
    record = records.stored().filter(code="suppression_list").first()
    fiche = art30.fiche(record, organisation, language) if record else None
    sections = [
        notice.Section(
            ART15["suppression"].in_language(language),
            [NO_RECORD.in_language(language), *suppression_lines(entries, language)],
        ),
        *_propagation_sections(set(entries.values_list("digest", flat=True)), language),
    ]
    if fiche:
        sections += [
            notice.Section(
                ART15["a"].in_language(language),
                [f"{'; '.join(fiche['purposes'])} ({'; '.join(fiche['legal_basis'])})"],
            ),
            notice.Section(
                ART15["c"].in_language(language), [RECIPIENTS.in_language(language), *fiche["processors"]]
            ),
            notice.Section(ART15["d"].in_language(language), fiche["retention"]),
        ]
    return [*sections, *notice.rights_sections(organisation, language)]
