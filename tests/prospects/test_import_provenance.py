"""What an import may come from and what each row must hold: no scraped file or email finder, no
file of LinkedIn contacts (docs/rules.md §1.7: one by one, never in bulk), no value longer than
its field, the audience classified from the address (§1.2)."""

import csv

import pytest
from django.core.exceptions import ValidationError

from prospects import importing
from prospects.models import ImportJob, Prospect, Source
from tests.prospects.broker_files import BROKER, MAPPING, Reason, import_file, person, rejections, write_csv


def test_refuses_a_file_collected_by_scraping(rep, tmp_path):
    path = write_csv(tmp_path / "scraped.csv", [person(1)])

    with pytest.raises(ValidationError) as error:
        importing.create_job(
            path=str(path), filename=path.name, source_type="scraping", evidence={}, owner=rep, by=rep
        )

    assert "KASPR" in str(error.value.message_dict["source.type"])
    assert not ImportJob.objects.exists()


def test_refuses_broker_evidence_naming_an_email_finder(rep, tmp_path):
    path = write_csv(tmp_path / "finder.csv", [person(1)])

    with pytest.raises(ValidationError) as error:
        importing.create_job(
            path=str(path),
            filename=path.name,
            source_type="broker",
            evidence={**BROKER, "list_id": "Lusha export"},
            owner=rep,
            by=rep,
        )

    assert "source.list_id" in error.value.message_dict


@pytest.mark.parametrize("source_type", ["linkedin_connection", "linkedin_public_profile"])
def test_refuses_a_file_of_linkedin_contacts_naming_the_one_by_one_rule(rep, tmp_path, source_type):
    path = write_csv(tmp_path / "connections.csv", [person(1)])

    with pytest.raises(ValidationError) as error:
        importing.create_job(
            path=str(path), filename=path.name, source_type=source_type, evidence={}, owner=rep, by=rep
        )

    message = " ".join(error.value.message_dict["source.type"])
    assert "one by one" in message and "KASPR" in message
    assert not ImportJob.objects.exists()


def test_a_linkedin_job_queued_before_the_rule_fails_without_loading_anyone(rep, tmp_path):
    path = write_csv(tmp_path / "connections.csv", [person(1), person(2)])
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=BROKER, owner=rep, by=rep
    )
    importing.inspect(job)
    importing.begin(job, mapping=MAPPING, language="fr")
    ImportJob.objects.filter(pk=job.pk).update(source_type="linkedin_connection", evidence={})
    job.refresh_from_db()

    importing.run(job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "one by one" in job.error
    assert not Prospect.objects.exists() and not Source.objects.exists()


def test_rejects_a_row_whose_origin_names_a_harvesting_tool_as_scraping(rep, tmp_path):
    path = tmp_path / "origin.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["first", "last", "email", "origin"])
        writer.writerow(["Ada", "Lovelace", "ada@analytical.co.uk", "Trade show 2026"])
        writer.writerow(["Alan", "Turing", "alan@bletchley.co.uk", "Kaspr extension"])
    mapping = {"first_name": "first", "last_name": "last", "email": "email", "origin": "origin"}

    job = import_file(path, by=rep, mapping=mapping)

    assert rejections(job) == {3: Reason.SCRAPING}
    assert Prospect.objects.count() == 1


def test_rejects_a_value_longer_than_its_field(rep, tmp_path):
    rows = [person(1)]
    rows[0][0] = "x" * 101
    path = write_csv(tmp_path / "long.csv", rows)

    job = import_file(path, by=rep)

    assert rejections(job) == {2: Reason.TOO_LONG}
    assert job.rejections.get().field == "first_name"


def test_classifies_the_audience_from_the_address(rep, tmp_path):
    rows = [person(1), person(2)]
    rows[0][4], rows[1][4] = "contact@company1.fr", "someone@gmail.com"
    path = write_csv(tmp_path / "audience.csv", rows)

    import_file(path, by=rep)

    assert dict(Prospect.objects.values_list("last_name", "audience")) == {
        "Nom1": "b2b_generic",
        "Nom2": "b2c",
    }
