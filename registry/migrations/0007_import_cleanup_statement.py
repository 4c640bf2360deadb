"""The stored prospecting record states the clean-up of import files (docs/rules.md §2.7).

A database seeded before the declaration changed (0003 seeds from the code as it is when it
runs) gets the new sub-purpose, and the "other" security measure with the clean-up, in both
languages, with a history row saying where the change came from. A sub-purpose already there
is not added twice, and a measure the DPO has edited is left as the DPO wrote it. The texts
are copied here, so that a later change of the declarations cannot change this step.
"""

from django.db import migrations
from django.utils import timezone

CODE = "b2b_prospecting"
REASON = "updated from the code's declarations: the clean-up of import files"
SUB_PURPOSE = {
    "en": "Import lists of prospects in bulk (CSV or XLSX files): the uploaded file and its staged rows are "
    "kept only for the import, deleted when it ends and, for an import never finished, by an hourly "
    "clean-up once the delay shown in the figures has passed; each clean-up is recorded",
    "fr": "Importer des prospects en masse (fichiers CSV ou XLSX) : le fichier déposé et ses lignes en attente "
    "ne sont gardés que pour l'import, supprimés à sa fin et, pour un import jamais terminé, par un "
    "nettoyage horaire une fois passé le délai indiqué dans les chiffres ; chaque nettoyage est enregistré",
}
OTHER_BEFORE = {
    "en": "Automated retention purge with evidence; suppression list checked on every entry and send",
    "fr": "Purge automatique à échéance avec preuves ; liste d'opposition vérifiée à chaque saisie et "
    "chaque envoi",
}
OTHER_AFTER = {
    "en": OTHER_BEFORE["en"] + "; uploaded import files and their staged rows deleted by an hourly clean-up "
    "when the import is not finished",
    "fr": OTHER_BEFORE["fr"] + " ; fichiers d'import déposés et lignes en attente supprimés par un nettoyage "
    "horaire quand l'import n'est pas terminé",
}


def state_the_cleanup(apps, schema_editor):
    activity_model = apps.get_model("registry", "ProcessingActivity")
    history = apps.get_model("registry", "HistoricalProcessingActivity")
    record = activity_model.objects.filter(code=CODE).first()
    if record is None:
        return
    changed = False
    for language in ("en", "fr"):
        name = f"sub_purposes_{language}"
        lines = getattr(record, name).splitlines()
        if SUB_PURPOSE[language] not in lines:
            setattr(record, name, "\n".join([*lines, SUB_PURPOSE[language]]))
            changed = True
    other = dict(record.security.get("other") or {})
    if other == OTHER_BEFORE:
        record.security = {**record.security, "other": dict(OTHER_AFTER)}
        changed = True
    if not changed:
        return
    # An update, not save(): the history row below is the only one, with its reason.
    changes = {name: getattr(record, name) for name in ("sub_purposes_en", "sub_purposes_fr", "security")}
    activity_model.objects.filter(pk=record.pk).update(**changes)
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
    dependencies = [("registry", "0006_holds")]

    operations = [migrations.RunPython(state_the_cleanup, migrations.RunPython.noop)]
