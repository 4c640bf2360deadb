"""The bulk "set the stage": what it will touch, asked first; then each move recorded."""

import pytest
from django.core.exceptions import ValidationError

from prospects import pipeline
from prospects.models import Prospect, Stage, StageChange, StageOutcome
from tests import factories

pytestmark = pytest.mark.django_db


def _stage(name: str) -> Stage:
    return Stage.objects.get(name=name)


def test_the_confirmation_counts_the_rows_then_the_post_moves_exactly_those(rep_client, rep, other_rep):
    factories.many_prospects(by=rep, count=6)
    inbound = factories.prospect(by=rep, first_name="Ines", source_type="inbound")
    stranger = factories.prospect(by=factories.user(role="sales", username="far", team=factories.team("Far")))
    kept_until = dict(Prospect.objects.values_list("pk", "retention_until"))
    stage_before = dict(Prospect.objects.values_list("pk", "stage_id"))
    contacted = _stage("contacted")
    query = {"source_type": "business_card", "action": "set_stage", "to_stage": contacted.pk, "scope": "all"}

    page = rep_client.get("/prospects/bulk/", query).content.decode()
    assert "Move 6 prospects to the stage contacted?" in page
    assert not StageChange.objects.exists()  # asking changes nothing

    rep_client.post("/prospects/bulk/", query)

    moved = Prospect.objects.filter(stage=contacted)
    assert moved.count() == 6
    assert not moved.filter(pk__in=[inbound.pk, stranger.pk]).exists()
    changes = StageChange.objects.filter(to_stage=contacted)
    assert changes.count() == 6
    assert set(changes.values_list("changed_by", flat=True)) == {rep.pk}
    assert all(stage_before[pk] == before for pk, before in changes.values_list("prospect", "from_stage"))
    history = Prospect.history.filter(history_change_reason="bulk stage change")
    assert history.count() == 6
    assert set(history.values_list("stage_id", flat=True)) == {contacted.pk}
    assert set(history.values_list("history_user", flat=True)) == {rep.pk}
    # A move is the rep's bookkeeping, never a contact: no retention date moved.
    assert dict(Prospect.objects.values_list("pk", "retention_until")) == kept_until


def test_those_at_the_stage_already_get_no_second_move(rep):
    prospects = factories.many_prospects(by=rep, count=3)
    contacted = _stage("contacted")
    pipeline.move(prospects[0], contacted, by=rep)

    assert pipeline.move_many(Prospect.objects.all(), contacted, by=rep) == 2
    assert StageChange.objects.filter(prospect=prospects[0]).count() == 1


def test_a_won_stage_is_refused_in_bulk_naming_the_field(rep_client, rep):
    factories.many_prospects(by=rep, count=2)
    won = Stage.objects.get(outcome=StageOutcome.WON)
    query = {"action": "set_stage", "to_stage": won.pk, "scope": "all"}

    response = rep_client.get("/prospects/bulk/", query)

    assert response.status_code == 400
    assert not StageChange.objects.exists()
    with pytest.raises(ValidationError) as refused:
        pipeline.move_many(Prospect.objects.all(), won, by=rep)
    assert "to_stage" in refused.value.message_dict
    assert not Prospect.objects.filter(stage=won).exists()


def test_without_a_stage_the_form_says_which_field_is_missing(rep_client, rep):
    factories.many_prospects(by=rep, count=1)
    response = rep_client.get("/prospects/bulk/", {"action": "set_stage", "scope": "all"})

    assert response.status_code == 400
    assert "Choose the stage to move the prospects to." in response.content.decode()
