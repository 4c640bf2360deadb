"""The import pages: upload with provenance, column mapping, progress and report."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from prospects.models import ImportJob, Prospect
from tests import factories

BROKER = {f"evidence_{key}": value for key, value in factories.EVIDENCE["broker"].items()}


def broker_file(*rows: tuple[str, str, str]) -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["First name", "Last name", "Work email"])
    writer.writerows(rows)
    return SimpleUploadedFile("delivery.csv", text.getvalue().encode(), content_type="text/csv")


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def map_columns(eager, django_capture_on_commit_callbacks):
    """Post the mapping; the import task runs eagerly once the request's transaction commits."""

    def post(client, url: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                url,
                {
                    "first_name": "First name",
                    "last_name": "Last name",
                    "email": "Work email",
                    "file_language": "en",
                },
            )

    return post


def upload(client, file, **fields):
    """Post the file; the worker's reading task runs eagerly once the request commits."""
    data = {"file": file, "source_type": "broker", **BROKER, **fields}
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True), TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("prospects:import"), data)


def test_a_rep_uploads_a_file_maps_its_columns_and_reads_the_report(
    rep_client, map_columns, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    file = broker_file(("Ada", "Lovelace", "ada@analytical.fr"), ("Alan", "Turing", "not-an-email"))

    uploaded = upload(rep_client, file)
    job = ImportJob.objects.get()
    job_page = rep_client.get(uploaded["Location"]).content.decode()
    mapping_page = rep_client.get(reverse("prospects:import_mapping", args=[job.pk]))
    mapped = map_columns(rep_client, mapping_page.request["PATH_INFO"])
    report = rep_client.get(mapped["Location"])

    assert uploaded.status_code == 302 and uploaded["Location"] == job.get_absolute_url()
    assert "The file has 2 rows and 3 columns." in job_page
    assert reverse("prospects:import_mapping", args=[job.pk]) in job_page
    assert "ada@analytical.fr" in mapping_page.content.decode()
    assert "selected>First name</option>" in mapping_page.content.decode().replace('"First name" ', "")
    assert mapped["Location"] == job.get_absolute_url()
    page = report.content.decode()
    assert 'value="100"' in page and "1 prospects loaded, 1 rows rejected" in page
    assert "Malformed email address" in page and "<td>3</td>" in page
    assert Prospect.objects.get().owner.username == "rep"
    assert list(tmp_path.joinpath("imports").iterdir()) == []


def test_the_progress_fragment_polls_every_second_until_the_import_ends(rep_client, rep, tmp_path):
    job = ImportJob.objects.create(
        filename="x.csv", path=str(tmp_path / "x.csv"), file_format="csv", source_type="broker",
        owner=rep, created_by=rep, status=ImportJob.Status.RUNNING, progress=42,
    )  # fmt: skip

    running = rep_client.get(reverse("prospects:import_progress", args=[job.pk])).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, progress=100)
    done = rep_client.get(reverse("prospects:import_progress", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in running and 'value="42"' in running
    assert "hx-trigger" not in done and "Every row of the file was loaded." in done


def test_refuses_a_scraped_file_at_upload_and_keeps_no_copy(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = upload(
        rep_client, broker_file(("Ada", "Lovelace", "ada@analytical.fr")), source_type="scraping"
    )

    assert response.status_code == 400
    assert "KASPR" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert list(tmp_path.joinpath("imports").iterdir()) == []


def test_refuses_a_file_of_linkedin_connections_at_upload_naming_the_rule(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = upload(
        rep_client, broker_file(("Ada", "Lovelace", "ada@analytical.fr")), source_type="linkedin_connection"
    )
    chooser = rep_client.get(reverse("prospects:import_evidence"), {"source_type": "linkedin_public_profile"})

    assert response.status_code == 400
    assert "one by one" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert list(tmp_path.joinpath("imports").iterdir()) == []
    assert "one by one" in chooser.content.decode()


def test_names_the_missing_evidence_field(rep_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = upload(rep_client, broker_file(("Ada", "Lovelace", "ada@a.fr")), evidence_contract_ref="")

    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="field invalid">\n  <label for="id_evidence_contract_ref">' in page
    assert not ImportJob.objects.exists()


def test_an_admin_imports_for_a_rep_of_their_choice(admin_client, rep, eager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    upload(admin_client, broker_file(("Ada", "Lovelace", "ada@analytical.fr")), owner=rep.pk)

    job = ImportJob.objects.get()
    assert job.owner == rep
    assert job.created_by.username == "admin"


def test_the_dpo_cannot_upload(client, dpo):
    factories.log_in(client, dpo)

    response = client.get(reverse("prospects:import"))

    assert response.status_code == 403


def test_a_rep_cannot_open_another_reps_import(rep_client, other_rep, tmp_path):
    job = ImportJob.objects.create(
        filename="x.csv", path=str(tmp_path / "x.csv"), file_format="csv", source_type="broker",
        owner=other_rep, created_by=other_rep,
    )  # fmt: skip

    response = rep_client.get(reverse("prospects:import_detail", args=[job.pk]))

    assert response.status_code == 404


def test_the_rejected_lines_download_as_csv_without_personal_data(
    rep_client, map_columns, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload(rep_client, broker_file(("Ada", "Lovelace", "ada@analytical.fr"), ("", "Turing", "alan@b.fr")))
    job = ImportJob.objects.get()
    map_columns(rep_client, reverse("prospects:import_mapping", args=[job.pk]))

    response = rep_client.get(reverse("prospects:import_report_csv", args=[job.pk]))

    body = b"".join(response.streaming_content).decode()
    assert body.splitlines() == ["line,reason,column,duplicate_of", "3,missing_name,First name,"]


def test_a_failed_import_is_started_again_from_its_page(
    rep_client, eager, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload(rep_client, broker_file(("Ada", "Lovelace", "ada@analytical.fr")))
    job = ImportJob.objects.get()
    job.mapping = {"first_name": "First name", "last_name": "Last name", "email": "Work email"}
    job.status = ImportJob.Status.FAILED
    job.save()
    page = rep_client.get(job.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(reverse("prospects:import_resume", args=[job.pk]))

    assert "Start again where it stopped" in page
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.loaded == 1


def test_a_file_without_a_language_column_is_refused_until_its_language_is_chosen(
    rep_client, eager, django_capture_on_commit_callbacks, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_text("First name,Last name,Work email\nAda,Lovelace,ada@analytical.fr\n", encoding="utf-8")
    with path.open("rb") as file:
        upload(rep_client, file)
    job = ImportJob.objects.get()
    url = reverse("prospects:import_mapping", args=[job.pk])
    columns = {"first_name": "First name", "last_name": "Last name", "email": "Work email"}

    refused = rep_client.post(url, {**columns, "file_language": ""})
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(url, {**columns, "file_language": "en"})

    assert refused.status_code == 400
    assert "The file has no language column: choose the language of its people." in refused.content.decode()
    assert Prospect.objects.get().language == "en"  # as chosen, never French by default


def test_an_upload_without_a_file_keeps_the_provenance_typed_and_links_the_file_field(rep_client):
    response = rep_client.post(reverse("prospects:import"), {"source_type": "broker", **BROKER})

    page = response.content.decode()
    assert response.status_code == 400 and not ImportJob.objects.exists()
    assert 'class="error-summary errors"' in page and 'href="#id_file"' in page
    assert f'value="{BROKER["evidence_contract_ref"]}"' in page
    assert '<option value="broker" selected>' in page
