"""A departing rep's prospects stay with the company: handed over, never deleted with the user."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from prospects.models import Prospect
from prospects.ownership import deactivate_rep
from tests import factories


def deactivate_url(user) -> str:
    return reverse("prospects:rep_deactivate", args=[user.pk])


def logs_in(username: str) -> bool:
    response = Client().post(reverse("login"), {"username": username, "password": factories.PASSWORD})
    return response.status_code == 302


def test_admin_deactivating_a_rep_hands_their_prospects_to_the_chosen_colleague(
    admin_client, admin_user, rep, other_rep
):
    mine = [factories.prospect(by=rep, first_name=name, last_name="Martin") for name in ("Anne", "Paul")]
    theirs = factories.prospect(by=other_rep, first_name="Hans", last_name="Weber")

    asked = admin_client.post(deactivate_url(rep), {"successor": other_rep.pk})
    assert asked.status_code == 200 and Prospect.objects.filter(owner=rep).count() == 2
    assert "Deactivate Rep Test and hand 2 prospects to" in asked.content.decode()
    response = admin_client.post(deactivate_url(rep), {"successor": other_rep.pk, "confirm": "yes"})

    assert response.status_code == 302
    assert set(Prospect.objects.filter(owner=other_rep)) == {*mine, theirs}
    assert [p.history.latest().history_user for p in mine] == [admin_user, admin_user]
    assert [p.history.latest().owner_id for p in mine] == [other_rep.pk, other_rep.pk]


def test_deactivated_rep_can_no_longer_log_in_and_loses_their_session_and_token(admin_client, rep, other_rep):
    assert logs_in("rep")
    session = Client()
    factories.log_in(session, rep)
    Token.objects.create(user=rep)

    admin_client.post(deactivate_url(rep), {"successor": other_rep.pk, "confirm": "yes"})

    rep.refresh_from_db()
    assert rep.is_active is False
    assert not logs_in("rep")
    assert session.get(reverse("prospects:list")).status_code == 302
    assert not Token.objects.filter(user=rep).exists()


def test_successor_of_another_team_sees_the_prospects_handed_over(admin_user, rep):
    prospect = factories.prospect(by=rep)
    successor = factories.user(role="sales", username="export-rep", team=factories.team("Export"))

    deactivate_rep(rep, successor=successor, by=admin_user)

    assert list(Prospect.objects.visible_to(successor)) == [prospect]
    client = Client()
    factories.log_in(client, successor)
    assert client.get(prospect.get_absolute_url()).status_code == 200


def test_deactivation_page_says_how_many_prospects_move(admin_client, rep, other_rep):
    factories.prospect(by=rep)
    factories.prospect(by=rep, first_name="Anne", last_name="Martin")

    response = admin_client.get(deactivate_url(rep))

    assert "2 prospects are handed to a colleague" in response.text
    assert f'value="{other_rep.pk}"' in response.text
    assert f'value="{rep.pk}"' not in response.text


def test_successor_who_is_not_an_active_rep_is_refused_and_nothing_moves(admin_client, dpo, rep):
    prospect = factories.prospect(by=rep)

    response = admin_client.post(deactivate_url(rep), {"successor": dpo.pk, "confirm": "yes"})

    assert response.status_code == 200
    assert "successor" in response.context["form"].errors
    assert Prospect.objects.get(pk=prospect.pk).owner == rep
    rep.refresh_from_db()
    assert rep.is_active is True


def test_domain_refuses_to_hand_prospects_to_the_departing_rep_themself(admin_user, rep):
    factories.prospect(by=rep)

    with pytest.raises(ValidationError) as refused:
        deactivate_rep(rep, successor=rep, by=admin_user)

    assert list(refused.value.message_dict) == ["successor"]
    rep.refresh_from_db()
    assert rep.is_active is True


@pytest.mark.parametrize("who", ["rep", "dpo"])
def test_only_an_admin_deactivates_a_rep(request, other_rep, who):
    user = request.getfixturevalue(who)
    client = Client()
    factories.log_in(client, user)

    response = client.post(deactivate_url(other_rep), {"successor": user.pk})

    assert response.status_code == 403
    other_rep.refresh_from_db()
    assert other_rep.is_active is True


def test_deleting_a_user_who_owns_prospects_is_refused(rep):
    prospect = factories.prospect(by=rep)

    with pytest.raises(ProtectedError) as refused:
        rep.delete()

    assert prospect in refused.value.protected_objects
    assert Prospect.objects.filter(pk=prospect.pk).exists()
