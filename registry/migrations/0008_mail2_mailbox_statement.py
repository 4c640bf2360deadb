"""The stored prospecting record names the mailbox Loyal reads (docs/rules.md §2.2, §2.3).

As 0007 did for the clean-up of import files: a database seeded before the declaration
changed (0003 seeds from the code as it is when it runs) gets the mailbox as a sub-purpose
and as a source, with what is kept of each message, in both languages, and a history row
saying where the change came from. A line already there (a fresh seed, or the DPO's own
copy) is not added twice; the rest of what the DPO wrote is left as written. The texts are
copied here, so that a later change of the declarations cannot change this step.
"""

from django.db import migrations
from django.utils import timezone

CODE = "b2b_prospecting"
REASON = "updated from the code's declarations: the mailbox of replies and reps' copies"
SUB_PURPOSE = {
    "en": "Read the mailbox of replies, delivery reports and reps' copies of their own e-mails (BCC): a reply "
    "restarts the retention clock, an automatic reply never does, a permanent failure stops e-mail to "
    "the address, a reply asking to stop is honoured as an objection until a rep decides, and a rep's copy "
    "is logged as an e-mail sent",
    "fr": "Lire la boîte aux lettres des réponses, des avis de non-remise et des copies cachées des e-mails des "
    "commerciaux : une réponse relance la durée de conservation, une réponse automatique jamais, un échec "
    "définitif arrête l'envoi d'e-mails à l'adresse, une réponse demandant d'arrêter vaut opposition tant "
    "qu'un commercial n'a pas décidé, et la copie d'un commercial est inscrite comme e-mail envoyé",
}
SOURCE = {
    "en": "The mailbox Loyal reads: of each message, its kind, its date and a digest of its Message-ID; the "
    "sender and recipients matched to prospects through the keyed blind index, never kept in clear; of the "
    "person's own message, the subject and the first 280 characters of their words, encrypted, kept with the "
    "prospect's record and deleted with it. Never the body, an attachment, nor anything of an unknown sender",
    "fr": "La boîte aux lettres que lit Loyal : de chaque message, sa nature, sa date et une empreinte de son "
    "Message-ID ; l'expéditeur et les destinataires rapprochés des prospects par l'index aveugle à clé, "
    "jamais conservés en clair ; du message de la personne, l'objet et les 280 premiers caractères de ses "
    "mots, chiffrés, gardés avec la fiche du prospect et supprimés avec elle. Jamais le corps, une pièce "
    "jointe, ni rien d'un expéditeur inconnu",
}
ADDED = {"sub_purposes": SUB_PURPOSE, "sources": SOURCE}


def state_the_mailbox(apps, schema_editor):
    activity_model = apps.get_model("registry", "ProcessingActivity")
    history = apps.get_model("registry", "HistoricalProcessingActivity")
    record = activity_model.objects.filter(code=CODE).first()
    if record is None:
        return
    changed = set()
    for field, texts in ADDED.items():
        for language in ("en", "fr"):
            name = f"{field}_{language}"
            lines = getattr(record, name).splitlines()
            if texts[language] not in lines:
                setattr(record, name, "\n".join([*lines, texts[language]]))
                changed.add(name)
    if not changed:
        return
    # An update, not save(): the history row below is the only one, with its reason.
    activity_model.objects.filter(pk=record.pk).update(**{name: getattr(record, name) for name in changed})
    fields = {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}
    names = {field.attname for field in history._meta.concrete_fields}
    history.objects.create(
        **{name: value for name, value in fields.items() if name in names},
        history_date=timezone.now(),
        history_type="~",
        history_change_reason=REASON,
        history_user=None,
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_import_cleanup_statement")]

    operations = [migrations.RunPython(state_the_mailbox, migrations.RunPython.noop)]
