from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("sales", "dpo", "admin")

# Model permissions each role holds; the role check itself is the group (crm.roles).
PERMISSIONS = {
    "sales": [("crm", "view_codeofconduct")],
    "dpo": [("crm", "view_codeofconduct"), ("crm", "view_conductacknowledgement")],
    "admin": [
        ("crm", "view_codeofconduct"),
        ("crm", "add_codeofconduct"),
        ("crm", "view_conductacknowledgement"),
        ("auth", "view_user"),
        ("auth", "add_user"),
        ("auth", "change_user"),
    ],
}

CONDUCT_EN = """1. Log only professionals whose role relates to what we sell, with where you met them.
2. LinkedIn: copy the profile link only. Never use scraping tools, browser extensions or email finders.
3. Write factual, respectful notes: never health, religion, politics, union membership, private life or opinions about the person. Every note can be read by the person it is about.
4. At most one follow-up without an answer; never repeat connection requests. The product caps unanswered contacts.
5. Anyone who says no is never contacted again: record the objection at once, whatever the channel.
6. Never export or take the base with you: prospects belong to the company, not to the rep."""

CONDUCT_FR = """1. N'enregistrez que des professionnels dont la fonction est liée à notre offre, avec le lieu de la rencontre.
2. LinkedIn : copiez seulement le lien du profil. Jamais d'outil d'extraction, d'extension de navigateur ni de recherche d'e-mails.
3. Rédigez des notes factuelles et respectueuses : jamais de santé, religion, opinions politiques, appartenance syndicale, vie privée ni d'appréciation sur la personne. Toute note peut être lue par la personne concernée.
4. Au plus une relance sans réponse ; ne répétez jamais une demande de mise en relation. Le produit plafonne les contacts sans réponse.
5. Toute personne qui refuse n'est plus jamais contactée : enregistrez son opposition aussitôt, quel que soit le canal.
6. N'exportez jamais la base et ne l'emportez pas : les prospects appartiennent à l'entreprise, pas au commercial."""


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        for app_label, codename in PERMISSIONS[role]:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    CodeOfConduct = apps.get_model("crm", "CodeOfConduct")
    CodeOfConduct.objects.get_or_create(version=1, defaults={"text_en": CONDUCT_EN, "text_fr": CONDUCT_FR})


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
