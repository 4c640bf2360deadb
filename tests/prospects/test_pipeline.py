"""The pipeline's domain: moves recorded and never a contact, customers from a sale, the admin's lists."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from prospects import customers, pipeline, timeline
from prospects.models import Prospect, Stage, StageChange, StageOutcome
from tests import factories

pytestmark = pytest.mark.django_db


def stage(name: str) -> Stage:
    return Stage.objects.get(name=name)


def test_the_default_stages_are_seeded_in_order_with_their_outcome():
    seeded = [(s.name, s.outcome) for s in pipeline.stages()]

    assert seeded == [
        ("new", "open"), ("contacted", "open"), ("in conversation", "open"), ("meeting", "open"),
        ("proposal", "open"), ("won", "won"), ("lost", "lost"),
    ]  # fmt: skip


def test_a_new_prospect_starts_at_the_first_open_stage(rep):
    prospect = factories.prospect(by=rep)  # through intake, as the form and the API

    assert prospect.stage == stage("new")


def test_a_move_is_recorded_with_who_and_when_and_moves_no_retention_clock(rep):
    prospect = factories.prospect(by=rep)
    kept_until, contact = prospect.retention_until, prospect.last_prospect_contact_at

    change = pipeline.move(prospect, stage("meeting"), by=rep)
    again = pipeline.move(prospect, stage("meeting"), by=rep)

    prospect.refresh_from_db()
    assert (change.to_stage, change.changed_by, again) == (stage("meeting"), rep, None)
    assert (prospect.retention_until, prospect.last_prospect_contact_at) == (kept_until, contact)
    assert StageChange.objects.filter(prospect=prospect).count() == 1


def test_a_won_stage_without_what_was_sold_is_refused_and_nothing_is_written(rep):
    prospect = factories.prospect(by=rep)

    with pytest.raises(ValidationError) as error:
        pipeline.move(prospect, stage("won"), by=rep)

    prospect.refresh_from_db()
    assert "category" in error.value.message_dict
    assert (prospect.stage, prospect.is_customer, StageChange.objects.count()) == (stage("new"), False, 0)


def test_logging_an_order_makes_a_customer_from_that_day_with_what_was_sold_still_to_record(rep):
    prospect = factories.prospect(by=rep)
    when = timezone.now() - timedelta(days=10)

    timeline.record_interaction(prospect, type="order", occurred_at=when, by=rep)

    prospect.refresh_from_db()
    assert (prospect.is_customer, prospect.customer_since) == (True, timezone.localdate(when))
    assert prospect.customer_category is None


def test_ending_the_relationship_keeps_the_record_three_years_after_the_end(rep):
    prospect = factories.prospect(by=rep)
    Prospect.objects.filter(pk=prospect.pk).update(retention_until=date(2026, 1, 1))
    prospect.refresh_from_db()
    customers.become_customer(prospect, since=date(2020, 1, 1), category=None, by=rep)

    customers.end_relationship(prospect, on=date(2025, 6, 30), by=rep)

    prospect.refresh_from_db()
    assert (prospect.customer_relationship_ended_at, prospect.retention_until) == (
        date(2025, 6, 30),
        date(2028, 6, 30),
    )


def test_a_relationship_cannot_end_before_the_sale_nor_in_the_future(rep):
    prospect = factories.prospect(by=rep)
    customers.become_customer(prospect, since=date(2024, 5, 1), category=None, by=rep)

    with pytest.raises(ValidationError) as before:
        customers.end_relationship(prospect, on=date(2024, 4, 30), by=rep)
    with pytest.raises(ValidationError) as future:
        customers.end_relationship(prospect, on=timezone.localdate() + timedelta(days=1), by=rep)

    assert "customer_relationship_ended_at" in before.value.message_dict
    assert "customer_relationship_ended_at" in future.value.message_dict
    prospect.refresh_from_db()
    assert prospect.customer_relationship_ended_at is None


def test_the_admin_adds_a_stage_and_a_similar_category_and_a_name_is_used_once(admin_user):
    software = pipeline.save_category(name="Software")

    training = pipeline.save_category(name="Training", similar_to=[software])
    added = pipeline.save_stage(name="negotiation", outcome=StageOutcome.OPEN)
    with pytest.raises(ValidationError) as taken:
        pipeline.save_category(name="software")

    assert list(software.similar_to.all()) == [training]
    assert added.position == max(s.position for s in pipeline.stages())
    assert taken.value.message_dict == {"name": ["This name is already used."]}


def test_only_an_admin_reaches_the_stages_and_categories_page(rep, client, admin_client):
    client.force_login(rep)

    assert client.get(reverse("prospects:pipeline_settings")).status_code == 403
    assert (
        admin_client.post(reverse("prospects:stage_add"), {"name": "", "outcome": "open"}).status_code == 400
    )


def test_a_stage_is_renamed_in_its_row_and_a_refused_change_comes_back_there(admin_client):
    meeting = stage("meeting")
    row = f"stage-{meeting.pk}"
    url = reverse("prospects:stage_edit", args=[meeting.pk])

    refused = admin_client.post(url, {f"{row}-name": "", f"{row}-outcome": "lost", f"{row}-position": "9"})
    page = refused.content.decode()
    kept = stage("meeting")
    renamed = admin_client.post(
        url, {f"{row}-name": "demo", f"{row}-outcome": "open", f"{row}-position": "3"}
    )

    assert refused.status_code == 400 and (kept.outcome, kept.position) == ("open", meeting.position)
    assert f'id="id_{row}-name_errors"' in page and f'href="#id_{row}-name"' in page
    assert re.search(rf'name="{row}-position" value="9"', page)
    assert re.search(r'<option value="lost" selected>', page.split(f'id="{row}"')[1])
    assert renamed.status_code == 302 and Stage.objects.get(pk=meeting.pk).name == "demo"


def test_a_refused_customer_status_comes_back_open_on_the_prospect_page_as_typed(rep_client, rep):
    prospect = factories.prospect(by=rep)
    typed = {
        "is_customer": "on",
        "customer_since": "2025-03-01",
        "customer_opt_out_offered": "on",
        "customer_opt_out_offered_at": "2099-01-01",
        "customer_opt_out_evidence": "An unticked box on the order form",
    }

    response = rep_client.post(reverse("prospects:customer", args=[prospect.pk]), typed)

    page = response.content.decode()
    prospect.refresh_from_db()
    assert response.status_code == 400 and not prospect.is_customer
    assert "<details open><summary>Customer status</summary>" in page
    assert 'value="An unticked box on the order form"' in page and 'value="2025-03-01"' in page
    assert 'id="id_customer_opt_out_offered_at_errors"' in page
    assert 'href="#id_customer_opt_out_offered_at"' in page
