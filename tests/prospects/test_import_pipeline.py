"""The import's optional pipeline columns: a stage by name, and the sale that makes a customer."""

import csv
from datetime import date

import pytest
from django.utils import timezone

from prospects import pipeline
from prospects.models import ImportJob, Prospect, StageOutcome
from tests.prospects.broker_files import HEADINGS, MAPPING, Reason, import_file, person, rejections

pytestmark = pytest.mark.django_db
EXTRA = ["Étape", "Client depuis", "Catégorie", "Fin de relation"]


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*HEADINGS, *EXTRA])
        writer.writerows(rows)
    return path


def test_the_optional_columns_set_the_stage_and_the_customer_and_bad_cells_are_rejected(rep, tmp_path):
    software = pipeline.save_category(name="Software")
    rows = [
        [*person(1), "", "", "", ""],
        [*person(2), "Meeting", "", "", ""],
        [*person(3), "won", "", "software", ""],
        [*person(4), "proposal", "2021-03-01", "Software", "15/06/2024"],
        [*person(5), "Negotiation", "", "", ""],
        [*person(6), "", "", "Hardware", ""],
        [*person(7), "", "01/13/2024", "", ""],
        [*person(8), "", "2024-06-01", "", "2024-05-01"],
    ]
    path = write(tmp_path / "customers.csv", rows)
    mapping = {
        **MAPPING,
        "stage": "Étape",
        "customer_since": "Client depuis",
        "customer_category": "Catégorie",
        "customer_ended": "Fin de relation",
    }

    job = import_file(path, by=rep, mapping=mapping)

    assert job.status == ImportJob.Status.DONE
    assert rejections(job) == {
        6: Reason.UNKNOWN_STAGE,
        7: Reason.UNKNOWN_CATEGORY,
        8: Reason.MALFORMED_DATE,
        9: Reason.MALFORMED_DATE,
    }
    loaded = {p.first_name: p for p in Prospect.objects.select_related("stage")}
    stages = {stage.name: stage for stage in pipeline.stages()}
    assert loaded["Prénom1"].stage == pipeline.default_stage()
    assert (loaded["Prénom1"].is_customer, loaded["Prénom2"].stage) == (False, stages["meeting"])
    won = loaded["Prénom3"]
    assert (won.stage.outcome, won.is_customer, won.customer_category) == (StageOutcome.WON, True, software)
    assert won.customer_since == timezone.localdate()
    ended = loaded["Prénom4"]
    assert (ended.is_customer, ended.customer_since, ended.customer_relationship_ended_at) == (
        True,
        date(2021, 3, 1),
        date(2024, 6, 15),
    )
    # Not importable: the refusal offered at the sale. The soft opt-in fails closed until it is recorded.
    assert not ended.customer_opt_out_offered
