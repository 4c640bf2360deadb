"""LinkedIn's own files: a member's Connections.csv is refused whole by rule (docs/rules.md §1.7),
whatever source type it is uploaded under; Sales Navigator's profile column is recognised."""

import pytest

from prospects import importing
from prospects.import_rows import guess_mapping
from prospects.models import ImportJob, Prospect
from tests.prospects.broker_files import BROKER

pytestmark = pytest.mark.django_db

PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their connections "
    "to see or download their email address using this setting https://www.linkedin.com/psettings/"
    'privacy/email. You can learn more here: https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
COLUMNS = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
ROWS = (
    "Anne,Leroy,https://www.linkedin.com/in/anne-leroy,anne.leroy@acme.fr,Acme,Buyer,05 Dec 2026\n"
    "Paul,Morel,https://www.linkedin.com/in/paul-morel,,Initech,CFO,01 Nov 2026\n"
)


def inspected(tmp_path, rep, text: str, *, source_type: str = "broker", evidence=None) -> ImportJob:
    path = tmp_path / "Connections.csv"
    path.write_text(text, encoding="utf-8")
    job = importing.create_job(
        path=str(path), filename=path.name, source_type=source_type, evidence=evidence or BROKER,
        owner=rep, by=rep,
    )  # fmt: skip
    return importing.inspect(job)


@pytest.mark.parametrize(
    ("source_type", "evidence"),
    [("broker", BROKER), ("manual", {"description": "Trade fair list"})],
)
def test_linkedin_s_connections_file_is_refused_under_any_source_type_naming_the_rule(
    rep, tmp_path, source_type, evidence
):
    job = inspected(tmp_path, rep, PREAMBLE + COLUMNS + ROWS, source_type=source_type, evidence=evidence)

    assert job.status == ImportJob.Status.FAILED
    assert "LinkedIn's export of your connections" in job.error
    assert "LinkedIn contacts cannot be imported from a file" in job.error
    assert "name" not in job.error.split("LinkedIn contacts")[0].lower().replace("named", "")
    assert not Prospect.objects.exists()


def test_the_connections_file_without_its_preamble_is_refused_by_its_columns(rep, tmp_path):
    job = inspected(tmp_path, rep, COLUMNS + ROWS)

    assert job.status == ImportJob.Status.FAILED
    assert "Connected On" in job.error


def test_a_broker_file_with_first_and_last_names_is_not_taken_for_linkedin_s(rep, tmp_path):
    job = inspected(tmp_path, rep, "First Name,Last Name,Email,Company\nAnne,Leroy,anne.leroy@acme.fr,Acme\n")

    assert job.status == ImportJob.Status.DRAFT


def test_sales_navigator_s_profile_column_is_the_linkedin_profile():
    headings = ["First Name", "Last Name", "Company", "Title", "LinkedIn Profile URL", "Email"]

    mapping = guess_mapping(headings)

    assert mapping["linkedin_url"] == "LinkedIn Profile URL"
    assert mapping["first_name"] == "First Name" and mapping["email"] == "Email"


def test_french_crm_headings_are_recognised():
    headings = ["Prénom", "Nom", "Société", "Fonction", "Téléphone", "Courriel"]

    mapping = guess_mapping(headings)

    assert mapping == {
        "first_name": "Prénom", "last_name": "Nom", "company_name": "Société", "job_title": "Fonction",
        "phone": "Téléphone", "email": "Courriel",
    }  # fmt: skip
