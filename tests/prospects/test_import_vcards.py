"""Business cards from .vcf files through the import pipeline (prospects/import_vcards.py)."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from prospects.models import ImportJob, ImportRejection, Prospect, Source
from tests import factories

CARD_EVIDENCE = {f"evidence_{key}": value for key, value in factories.EVIDENCE["business_card"].items()}
FIRST_NAMES = ("Élodie", "Jérôme", "Françoise", "Zoë", "Anaïs", "Loïc", "Gaëlle", "Mattéo")
LAST_NAMES = ("Dupré", "Lefèvre", "Müller", "Núñez", "Østergaard", "Ćosić", "Baptiste", "Gérard")


def card(number: int, *, version: str = "4.0", photo: bool = False, note: bool = False) -> str:
    """A card with accents, two e-mails (private first) and two phones (mobile first)."""
    given, family = FIRST_NAMES[number % 8], f"{LAST_NAMES[number % 8]}-{number}"
    lines = [
        "BEGIN:VCARD",
        f"VERSION:{version}",
        f"N:{family};{given};;;",
        f"FN:{given} {family}",
        f"ORG:Société Générale d'Études {number % 7};Achats",
        "TITLE:Directrice des achats",
        f"EMAIL;TYPE=home:perso{number}@gmail.com",
        f"EMAIL;TYPE=work:card{number}@etudes{number % 7}.fr",
        f"TEL;TYPE=cell:+33 6 12 {number // 100:02d} {number % 100:02d} 00",
        f"TEL;TYPE=work:+33 1 42 {number // 100:02d} {number % 100:02d} 11",
    ]
    if version == "4.0":
        lines.append("LANG:en-GB" if number % 3 == 0 else "LANG:fr-FR")
    if photo:
        lines.append("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgK")
    if note:
        lines.append("NOTE:Rencontrée au stand\\, veut un devis")
    return "\r\n".join([*lines, "END:VCARD"]) + "\r\n"


def broken(number: int) -> str:
    """Twenty ways cards arrive broken: a line that is not a property, a card cut short, no name."""
    kind = number % 3
    if kind == 0:
        garbage = "this line is not a property"
        return f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Broken;Card{number}\r\n{garbage}\r\nEND:VCARD\r\n"
    if kind == 1:
        return f"BEGIN:VCARD\r\nVERSION:4.0\r\nN:Cut;Short{number}\r\nEMAIL:cut{number}@acme.fr\r\n"
    return f"BEGIN:VCARD\r\nVERSION:4.0\r\nORG:Nameless\r\nEMAIL:nameless{number}@acme.fr\r\nEND:VCARD\r\n"


def vcf(text: str, name: str = "cards.vcf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/vcard")


def upload(client, file, **fields):
    """Post the file; the worker reads it, then loads it (fixed mapping), eagerly after commit."""
    data = {"file": file, "source_type": "business_card", **CARD_EVIDENCE, **fields}
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True), TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("prospects:import"), data)


def test_500_mixed_cards_with_20_broken_load_480_and_report_each_broken_card(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    broken_at = set(range(7, 500, 25))  # positions 8, 33, ... 483: twenty cards
    cards = [
        broken(position) if position in broken_at else card(position, version=("3.0", "4.0")[position % 2])
        for position in range(500)
    ]

    response = upload(rep_client, vcf("".join(cards)))
    job = ImportJob.objects.get()
    rejections = list(job.rejections.order_by("line"))
    report = rep_client.get(reverse("prospects:import_report_csv", args=[job.pk]))
    page = rep_client.get(response["Location"]).content.decode()
    report_rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))

    assert response.status_code == 302
    assert job.status == ImportJob.Status.DONE, job.error
    assert (job.loaded, job.rejected) == (480, 20)
    assert Prospect.objects.count() == 480
    assert set(Source.objects.values_list("type", flat=True)) == {"business_card"}
    assert [rejection.line - 1 for rejection in rejections] == [
        position + 1 for position in sorted(broken_at)
    ]
    reasons = {rejection.line - 1: rejection.reason for rejection in rejections}
    assert reasons[8] == ImportRejection.Reason.UNREADABLE_CARD  # cut short by the next BEGIN
    assert reasons[33] == ImportRejection.Reason.MISSING_NAME
    assert reasons[58] == ImportRejection.Reason.UNREADABLE_CARD  # a line that is not a property
    assert '<th scope="col">Card</th>' in page and "<tr><td>8</td><td>Not a readable vCard" in page
    assert report_rows[0] == ["card", "reason", "column", "duplicate_of"]
    assert report_rows[1][:2] == ["8", "unreadable_card"]
    assert report_rows[2][:3] == ["33", "missing_name", "N (given)"]


def test_a_card_maps_names_organisation_title_work_email_work_phone_and_language(
    rep_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path

    upload(rep_client, vcf(card(3, version="4.0")))
    prospect = Prospect.objects.get()

    assert (prospect.first_name, prospect.last_name) == ("Zoë", "Núñez-3")
    assert prospect.company.name == "Société Générale d'Études 3"
    assert prospect.job_title == "Directrice des achats"
    assert prospect.email == "card3@etudes3.fr"  # the work address, not the private one
    assert prospect.phone == "+33142000311"  # the work line, not the mobile
    assert prospect.language == "en"
    assert prospect.sources.get().evidence == factories.EVIDENCE["business_card"] | {"notice_given": False}


def test_photos_and_notes_are_dropped_and_the_report_says_so(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    text = card(1, photo=True, note=True) + card(2, photo=True) + card(4, version="3.0")

    response = upload(rep_client, vcf(text))
    job = ImportJob.objects.get()
    page = rep_client.get(response["Location"]).content.decode()

    assert (job.loaded, job.dropped_photos, job.dropped_notes) == (3, 2, 1)
    assert "Photos on 2 cards and notes on 1 cards were not imported" in page
    assert not any("stand" in str(value) for value in Prospect.objects.values_list("job_title", flat=True))


def test_a_vcf_file_with_another_source_is_refused_naming_the_field(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = {f"evidence_{key}": value for key, value in factories.EVIDENCE["broker"].items()}

    response = upload(rep_client, vcf(card(1)), source_type="broker", **evidence)

    assert response.status_code == 400
    assert "choose the source “Business card”" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_beyond_the_card_limit_is_refused_naming_the_limit(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "max_cards": 5}

    upload(rep_client, vcf("".join(card(number) for number in range(6))))
    job = ImportJob.objects.get()

    assert job.status == ImportJob.Status.FAILED
    assert job.error == "The file holds more than 5 cards, the most one import reads."
    assert not Prospect.objects.exists()
    assert list(tmp_path.joinpath("imports").iterdir()) == []


def test_a_line_beyond_the_length_limit_is_refused_naming_the_limit(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "max_row_chars": 1000}
    photo = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Long;Line\r\nPHOTO;ENCODING=b:" + "A" * 5000 + "\r\nEND:VCARD\r\n"
    )

    upload(rep_client, vcf(card(1) + photo))
    job = ImportJob.objects.get()

    assert job.status == ImportJob.Status.FAILED
    assert job.error == "Line 16 is longer than 1000 characters, the limit for one line."
    assert not Prospect.objects.exists()


def test_a_file_without_any_card_is_refused(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    upload(rep_client, vcf("Just some text\r\n"))
    job = ImportJob.objects.get()

    assert job.status == ImportJob.Status.FAILED
    assert "holds no business card" in job.error


def test_a_card_repeating_an_earlier_one_is_named_by_both_positions(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = upload(rep_client, vcf(card(1) + card(2) + card(1, version="3.0")))
    job = ImportJob.objects.get()
    page = rep_client.get(response["Location"]).content.decode()
    report = rep_client.get(reverse("prospects:import_report_csv", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))

    assert (job.loaded, job.rejected) == (2, 1)
    assert "<tr><td>3</td>" in page and "same person as card 1" in page
    assert rows[1] == ["3", "duplicate_in_file", "EMAIL", "1"]


def test_a_card_beyond_the_card_size_limit_is_rejected_and_the_others_load(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LOYAL_IMPORT = {**settings.LOYAL_IMPORT, "max_card_chars": 2000}
    photo = "".join(f" {'A' * 74}\r\n" for _ in range(100))  # a folded photo of 7,500 characters
    huge = card(2).replace("END:VCARD", "PHOTO;ENCODING=b;TYPE=JPEG:\r\n" + photo + "END:VCARD")

    upload(rep_client, vcf(card(1) + huge + card(3)))
    job = ImportJob.objects.get()
    rejection = job.rejections.get()

    assert job.status == ImportJob.Status.DONE
    assert (job.loaded, job.rejected) == (2, 1)
    assert (rejection.line - 1, rejection.reason, rejection.field) == (2, "too_long", "card_error")


def test_the_import_command_loads_a_vcf_file_without_a_mapping(rep, tmp_path, capsys):
    path = tmp_path / "cards.vcf"
    path.write_text(card(1) + broken(2) + card(3, version="3.0"), encoding="utf-8")
    evidence = [f"{key}={value}" for key, value in factories.EVIDENCE["business_card"].items()]

    call_command(
        "import_prospects", str(path), "--source", "business_card", "--evidence", *evidence, "--owner", "rep"
    )

    assert "2 prospects loaded, 1 rows rejected" in capsys.readouterr().out
    assert set(Source.objects.values_list("type", flat=True)) == {"business_card"}


def test_a_vcf_file_cannot_be_a_file_of_company_records(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = upload(rep_client, vcf(card(1)), company_only="on")

    assert response.status_code == 400
    assert "a .vcf file cannot be a file of company records" in response.content.decode()
    assert not ImportJob.objects.exists()
