"""The Art. 15 export: every table's data about the person, nobody else's, in a ZIP of HTML, JSON, CSV."""

import csv
import html
import io
import json
import re
import zipfile

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone, translation

from consent.brokers import export_for_broker
from consent.objections import record_objection
from org.dates import shown_date, shown_moment
from org.models import AccessAction, AccessLog
from prospects.identity import InvalidIdentifier
from prospects.models import Prospect, Suppression
from prospects.suppression import digests_of
from registry.rights import erase
from registry.subject_access import export_subject_data, find_person
from tests import factories
from tests.registry.conftest import full_person

pytestmark = pytest.mark.django_db

# The tables the test person has rows in: the check below must not pass by having few tables.
EVERY_KIND_OF_ROW = {
    "outreach.Message", "consent.Consent", "consent.Objection", "org.AccessLog", "registry.SubjectRequest",
    "prospects.Interaction", "prospects.HistoricalNote", "prospects.HistoricalSource", "prospects.NextStep",
}  # fmt: skip


def open_package(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def rows_about(prospect: Prospect) -> dict[str, int]:
    """Rows of every table that point at the prospect, found from the models, not from the export code."""
    counts = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Prospect:
                count = model._default_manager.filter(**{field.attname: prospect.pk}).count()
                if count:
                    counts[model._meta.label] = counts.get(model._meta.label, 0) + count
    counts["prospects.HistoricalProspect"] = Prospect.history.filter(id=prospect.pk).count()
    counts["prospects.Suppression"] = Suppression.objects.filter(
        digest__in=digests_of(prospect).values()
    ).count()
    return counts


def test_the_zip_holds_every_table_about_the_person_and_nothing_about_a_namesake(
    rep, admin_user, person, namesake
):
    package = export_subject_data(person, by=admin_user)
    files = open_package(package.content)
    data = json.loads(files["data.json"])["data"]

    expected = rows_about(person)
    assert set(expected) >= EVERY_KIND_OF_ROW
    assert {label: len(data.get(label, [])) for label in expected} == expected
    everything = "\n".join(files.values())
    for leak in ("bravo", "Martine", "jeanne.martine@acme.fr", "+33698765432", "98 76 54 32"):
        assert leak not in everything
    assert "jeanne.martin@acme.fr" in everything and "alpha" in everything


def test_the_export_shows_every_stored_field_of_the_record_decrypted(admin_user, person):
    data = json.loads(open_package(export_subject_data(person, by=admin_user).content)["data.json"])

    record = data["data"]["prospects.Prospect"][0]

    hashes = {"email_index", "phone_index", "linkedin_index"}
    assert {f.name for f in Prospect._meta.concrete_fields} - hashes == set(record)
    assert record["email"] == "jeanne.martin@acme.fr" and record["phone"] == "+33612345678"
    assert record["owner"] == "staff"


def test_the_export_gives_the_art15_information_in_the_persons_language(admin_user, person):
    files = open_package(export_subject_data(person, by=admin_user).content)

    page = html.unescape(files["index.html"])
    headings = [item["heading"] for item in json.loads(files["data.json"])["information"]]

    assert '<html lang="fr">' in page
    assert headings[:5] == [
        "(a) Finalités et base légale", "(b) Catégories de données", "(c) Destinataires",
        "(d) Durée de conservation", "(g) Origine de vos données",
    ]  # fmt: skip
    assert "ListCo" in page  # the broker named as the source (15(1)(g))
    assert "CNIL" in page and "Aucune. L'application" in page  # complaint (f), automated decisions (h)


def test_the_csv_has_a_header_and_one_line_per_field(admin_user, person):
    files = open_package(export_subject_data(person, by=admin_user).content)

    rows = list(csv.reader(io.StringIO(files["data.csv"])))

    # In the person's language (French here), by label, never by code or model name.
    assert rows[0] == ["table", "ligne", "champ", "valeur"]
    assert ["Prospect", "1", "Nom", "Martin"] in rows
    assert ["Prospect", "1", "Langue", "Français"] in rows


def test_a_thousand_interactions_are_all_exported(rep, admin_user):
    prospect = full_person(
        by=rep, first_name="Paul", last_name="Durand", email="paul.durand@acme.fr",
        phone="+33 6 11 22 33 44", marker="charlie", interactions=1000,
    )  # fmt: skip

    data = json.loads(open_package(export_subject_data(prospect, by=admin_user).content)["data.json"])["data"]

    assert len(data["prospects.Interaction"]) == 1000
    assert len({row["id"] for row in data["prospects.Interaction"]}) == 1000


def test_each_export_is_logged_and_listed_in_the_next_one(admin_user, person):
    first = export_subject_data(person, by=admin_user)

    second = json.loads(open_package(export_subject_data(person, by=admin_user).content)["data.json"])

    assert (
        AccessLog.objects.filter(prospect=person, action=AccessAction.SUBJECT_ACCESS, user=admin_user).count()
        == 2
    )
    actions = [row["action"] for row in second["data"]["org.AccessLog"]]
    assert actions.count(AccessAction.SUBJECT_ACCESS) == 2
    assert first.sha256 != ""


def test_the_person_is_found_by_email_phone_or_linkedin_whatever_the_spelling(person, namesake):
    assert find_person(email="  Jeanne.Martin@ACME.fr ") == person
    assert find_person(phone="06 12 34 56 78") == person
    assert find_person(linkedin_url="linkedin.com/in/jeanne-martin-alpha/") == person
    assert find_person(email="nobody@acme.fr") is None
    with pytest.raises(InvalidIdentifier):
        find_person(email="not an address")


def test_the_admin_downloads_the_zip_from_the_page_and_a_dpo_cannot(client, admin_user, dpo, person):
    factories.log_in(client, dpo)
    refused = client.post("/registry/subject-access/", {"email": "jeanne.martin@acme.fr"})
    factories.log_in(client, admin_user)

    response = client.post("/registry/subject-access/", {"email": "jeanne.martin@acme.fr"})

    assert refused.status_code == 403
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "data.json" in open_package(response.content)


def test_the_command_writes_the_zip(tmp_path, person):
    output = tmp_path / "export.zip"

    call_command(
        "export_subject_access",
        "--email",
        "jeanne.martin@acme.fr",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )

    assert set(open_package(output.read_bytes())) == {"index.html", "data.json", "data.csv"}
    assert AccessLog.objects.filter(prospect=person, action=AccessAction.SUBJECT_ACCESS, user=None).exists()


def information_of(files: dict[str, str]) -> dict[str, list[str]]:
    return {item["heading"]: item["items"] for item in json.loads(files["data.json"])["information"]}


def test_the_answer_names_the_processors_and_the_broker_told_of_the_objection(admin_user, person, settings):
    settings.LOYAL_PROCESSORS = [
        {"role": "hosting", "name": "EuroHost SAS", "country": "FR", "safeguard": "eu_eea",
         "public_description_fr": "EuroHost SAS, Roubaix, France"},
        {"role": "emailing", "name": "EuroMail Inc.", "country": "US", "safeguard": "scc",
         "public_description_fr": "EuroMail Inc., New York, États-Unis"},
    ]  # fmt: skip
    export_for_broker("ListCo", by=admin_user)

    files = open_package(export_subject_data(person, by=admin_user).content)

    recipients = information_of(files)["(c) Destinataires"]
    with translation.override("fr"):
        told = shown_date(timezone.localdate())  # the letter's dates read as French dates
    assert recipients[0].startswith("Chaque organisme qui reçoit ou recevra vos données, désigné par son nom")
    assert "EuroHost SAS, Roubaix, France (FR), notre sous-traitant (hébergement)" in recipients
    assert "EuroMail Inc., New York, États-Unis (US), notre sous-traitant (e-mailing)" in recipients
    transfers = information_of(files)["Transferts hors de l'UE (15(2))"]
    assert transfers == ["EuroMail Inc. (E-mailing), US : Clauses contractuelles types (art. 46(2)(c))"]
    broker = f"ListCo, le courtier qui nous a fourni vos données, a reçu votre opposition le {told}"
    assert broker + " afin de cesser de les transmettre" in recipients
    assert "CJUE C-154/21" in html.unescape(files["index.html"])


def test_the_persons_fingerprints_on_the_suppression_list_are_explained_in_plain_words(admin_user, person):
    files = open_package(export_subject_data(person, by=admin_user).content)

    lines = information_of(files)["Vos empreintes sur notre liste d'opposition"]

    assert lines[0].startswith("Nous ne gardons aucune copie lisible des identifiants ci-dessous.")
    assert "qui ne permet pas de le retrouver" in lines[0] and "au moins 3 ans" in lines[0]
    stored = Suppression.objects.filter(digest__in=digests_of(person).values())
    assert len(lines) == 1 + stored.count() == 4
    assert [line.split(" : ")[0] for line in lines[1:]] == ["E-mail", "Téléphone", "Profil LinkedIn"]
    assert all("empreinte conservée depuis le" in line and "origine : Courrier" in line for line in lines[1:])


def test_an_erased_person_is_told_what_their_fingerprints_are_instead_of_that_no_data_are_held(
    client, admin_user, rep
):
    prospect = factories.prospect(by=rep, email="paul.leroy@acme.fr", first_name="Paul", last_name="Leroy")
    erase(prospect, by=admin_user)
    factories.log_in(client, admin_user)

    response = client.post("/registry/subject-access/", {"email": "Paul.Leroy@acme.fr"})
    unknown = client.post("/registry/subject-access/", {"email": "nobody@acme.fr"})

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    files = open_package(response.content)
    lines = information_of(files)["Your fingerprints on our suppression list"]
    assert lines[0].startswith("We hold no record about you: no name, no contact details, no history.")
    assert lines[1].startswith("We keep no readable copy of the identifiers below.")
    assert lines[2].startswith("Email: fingerprint kept since") and "scope: every channel" in lines[2]
    data = json.loads(files["data.json"])["data"]
    assert list(data) == ["prospects.Suppression"] and "Leroy" not in files["index.html"]
    assert unknown.status_code == 400
    assert "no fingerprint of it is on the suppression list: the answer is that no data are held" in (
        html.unescape(unknown.content.decode())
    )


def test_an_erased_person_is_told_what_the_recipients_were_sent_and_when(client, admin_user, rep):
    prospect = factories.prospect(by=rep, email="lea.broker@acme.fr", source_type="broker", language="en")
    record_objection(prospect, channel="email", via="letter", by=rep)
    erase(prospect, by=admin_user)
    export_for_broker("ListCo", by=admin_user)
    factories.log_in(client, admin_user)

    response = client.post("/registry/subject-access/", {"email": "lea.broker@acme.fr"})

    lines = information_of(open_package(response.content))[
        "What the recipients of your data are told (GDPR 19)"
    ]
    with translation.override("en"):
        today = shown_date(timezone.localdate())
    told = (
        f" of {today}, with the fingerprints of your identifiers only and the reference of ListCo's list: "
        f"Source broker, told on {today}; Our other systems, to be told"
    )
    assert lines == [f"Objection (GDPR art. 21){told}", f"Erasure (GDPR art. 17){told}"]


def test_the_export_shows_the_stage_history_and_the_customer_status(rep, admin_user, person):
    from prospects import customers, pipeline

    software = pipeline.save_category(name="Software")
    won = next(stage for stage in pipeline.stages() if stage.outcome == "won")
    pipeline.move(person, won, by=rep, category=software)
    customers.end_relationship(person, on=timezone.localdate(), by=rep)

    data = json.loads(open_package(export_subject_data(person, by=admin_user).content)["data.json"])["data"]

    record = data["prospects.Prospect"][0]
    assert (record["stage"], record["is_customer"], record["customer_category"]) == ("won", True, "Software")
    assert (
        record["customer_since"]
        == record["customer_relationship_ended_at"]
        == timezone.localdate().isoformat()
    )
    [change] = data["prospects.StageChange"]
    assert (change["to_stage"], change["changed_by"]) == ("won", "staff")


def test_the_readable_copy_has_labels_and_no_keyed_hash(admin_user, person):
    files = open_package(export_subject_data(person, by=admin_user).content)
    page = html.unescape(files["index.html"])
    everything = "\n".join(files.values())

    stored = [person.email_index, person.phone_index, *digests_of(person).values()]
    assert stored and not [digest for digest in stored if digest and digest in everything]
    assert '<th scope="col">Nom</th>' in page and "last_name" not in page
    assert "@media print" in page and "table-layout: fixed" in page


ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def test_the_readable_copy_shows_dates_as_the_person_reads_them_and_the_json_keeps_iso(admin_user, person):
    files = open_package(export_subject_data(person, by=admin_user).content)
    page = html.unescape(re.sub(r"<[^>]+>", " ", files["index.html"]))
    created = timezone.localtime(person.created_at)

    assert ISO_MOMENT.findall(page) == [] and ISO_MOMENT.findall(files["data.csv"]) == []
    with translation.override("fr"):  # the person's language (full_person's prospects are French)
        assert shown_moment(created) in page and shown_moment(created) in files["data.csv"]
    record = json.loads(files["data.json"])["data"]["prospects.Prospect"][0]
    assert record["created_at"] == person.created_at.isoformat()
