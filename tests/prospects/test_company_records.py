"""Company records (docs/rules.md §1.2): a record naming no person, only a company or department
coordinate, is no personal data (GDPR 4(1)). The names are optional for it alone; it alone skips
the Art. 14 notice, G6 and the retention purge. Logged through the public API."""

import csv
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from outreach.contactability import campaign_situation
from outreach.decisions import decide_campaign
from outreach.models import Message
from outreach.notices import pending_sources
from outreach.policy import Reason, decide
from prospects import importing, retention
from prospects.models import Prospect, Source
from tests import factories
from tests.prospects.test_views import NEW, form_data

pytestmark = pytest.mark.django_db
LIST = "/api/prospects/"
BROKER = {"type": "broker", **factories.EVIDENCE["broker"]}


@pytest.fixture
def api(rep):
    client = APIClient()
    factories.log_in(client, rep)
    return client


def company(**overrides) -> dict:
    body = {"company_only": True, "company": "Acme", "email": "contact@acme.fr", "source": BROKER}
    return {key: value for key, value in {**body, **overrides}.items() if value is not None}


def test_a_company_record_is_logged_without_a_name(api):
    response = api.post(LIST, company(), format="json")

    assert response.status_code == 201, response.json()
    record = Prospect.objects.get()
    assert (record.company_only, record.first_name, record.last_name) == (True, "", "")
    assert response.json()["company_only"] is True


def test_a_person_still_needs_a_first_and_last_name(api):
    response = api.post(LIST, company(company_only=False), format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"first_name", "last_name"}
    assert not Prospect.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"first_name": "Jean", "last_name": "Dupont"}, "first_name", "GDPR art. 4(1)"),
        ({"sole_trader": True}, "sole_trader", "sole trader is a person"),
        ({"email": "jean.dupont@acme.fr"}, "email", "company or department address"),
        ({"linkedin_url": "https://www.linkedin.com/in/jean-dupont"}, "linkedin_url", "GDPR art. 4(1)"),
        ({"company": ""}, "company", "company's name"),
    ],
)
def test_a_company_record_naming_a_person_is_refused_naming_the_field_and_rule(api, overrides, field, words):
    response = api.post(LIST, company(**overrides), format="json")

    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert not Prospect.objects.exists()


def _aged(prospect: Prospect, *, days: int) -> None:
    Source.objects.filter(prospect=prospect).update(acquired_at=timezone.now() - timedelta(days=days))


def test_only_the_company_record_skips_the_art14_notice_and_g6(api, rep):
    api.post(LIST, company(), format="json")
    api.post(
        LIST,
        company(company_only=False, first_name="Jean", last_name="Dupont", email="info@acme.fr"),
        format="json",
    )
    record, named = Prospect.objects.get(company_only=True), Prospect.objects.get(company_only=False)
    for prospect in (record, named):
        _aged(prospect, days=45)
    campaign = factories.campaign(by=rep)

    decide_campaign(campaign)

    got = {p.pk: Message.objects.get(campaign=campaign, prospect=p).reason for p in (record, named)}
    assert got == {record.pk: Reason.OK_LEGAL_PERSON, named.pk: Reason.REF_ART14_OVERDUE}
    for prospect in (record, named):
        assert decide(campaign_situation(campaign, prospect)).reason == got[prospect.pk]
    pending = set(pending_sources(now=timezone.now()).values_list("prospect_id", flat=True))
    assert pending == {named.pk}


def test_only_the_company_record_outlives_the_retention_deadline(api):
    api.post(LIST, company(), format="json")
    api.post(
        LIST,
        company(company_only=False, first_name="Jean", last_name="Dupont", email="info@acme.fr"),
        format="json",
    )
    Prospect.objects.update(retention_until=timezone.localdate() - timedelta(days=1))
    record, named = Prospect.objects.get(company_only=True), Prospect.objects.get(company_only=False)
    today = timezone.localdate()

    expired = set(Prospect.objects.filter(retention.expired(today)).values_list("pk", flat=True))

    assert expired == {named.pk}
    assert (retention.is_expired(record, today=today), retention.is_expired(named, today=today)) == (
        False,
        True,
    )


def test_the_new_prospect_page_logs_a_company_record_and_still_asks_a_person_for_a_name(rep_client):
    base = form_data(first_name="", last_name="", email="contact@acme.fr", job_title="")

    person = rep_client.post(NEW, base)
    record = rep_client.post(NEW, {**base, "company_only": "on"})

    assert person.status_code == 400
    assert 'class="field invalid">\n    <label for="id_first_name">' in person.content.decode()
    assert record.status_code == 302
    assert Prospect.objects.get().company_only and str(Prospect.objects.get()) == "Acme"


def test_a_file_of_company_records_loads_nameless_rows_and_refuses_rows_naming_a_person(rep, tmp_path):
    path = tmp_path / "companies.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["first", "last", "company", "email"])
        writer.writerow(["", "", "Acme", "contact@acme.fr"])
        writer.writerow(["Jean", "", "Bolt", "contact@bolt.fr"])
        writer.writerow(["", "", "Cogs", "jean.dupont@cogs.fr"])
        writer.writerow(["", "", "", "info@dyn.fr"])
    mapping = {"first_name": "first", "last_name": "last", "company_name": "company", "email": "email"}
    job = importing.create_job(
        path=str(path), filename=path.name, source_type="broker", evidence=factories.EVIDENCE["broker"],
        owner=rep, by=rep, company_only=True,
    )  # fmt: skip
    importing.inspect(job)
    importing.begin(job, mapping=mapping, language="fr")

    importing.run(job)

    assert dict(job.rejections.values_list("line", "reason")) == {
        3: "named_in_company_file",
        4: "personal_coordinate",
        5: "missing_company",
    }
    record = Prospect.objects.get()
    assert (record.company_only, record.first_name, record.company_name) == (True, "", "Acme")


def test_a_file_of_people_still_needs_the_name_columns_and_a_company_file_the_company_column(rep, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("company,email\nAcme,contact@acme.fr\n")
    jobs = []
    for company_only in (False, True):
        job = importing.create_job(
            path=str(path), filename=path.name, source_type="broker", evidence=factories.EVIDENCE["broker"],
            owner=rep, by=rep, company_only=company_only,
        )  # fmt: skip
        importing.inspect(job)
        jobs.append(job)

    with pytest.raises(ValidationError) as people:
        importing.begin(jobs[0], mapping={"company_name": "company", "email": "email"}, language="fr")
    with pytest.raises(ValidationError) as companies:
        importing.begin(jobs[1], mapping={"email": "email"}, language="fr")

    assert "first and the last name" in str(people.value)
    assert "company's name" in str(companies.value)
