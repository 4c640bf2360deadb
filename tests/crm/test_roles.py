"""The roles: their groups, their home pages, and the demo accounts."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from pytest_django.asserts import assertContains

from org.roles import Role
from tests import factories

HEADINGS = {"sales": "My prospects", "dpo": "Data protection", "admin": "Administration"}


def test_data_migrations_created_a_group_per_role(db):
    names = set(Group.objects.filter(name__in=Role.values).values_list("name", flat=True))

    assert names == {"sales", "dpo", "admin", "team_lead"}


def test_a_team_lead_is_a_rep_of_a_team_who_lands_on_the_reps_home_page(client, db):
    lead = factories.user(role="team_lead", username="lead")
    factories.log_in(client, lead)

    response = client.get("/")

    assert set(lead.groups.values_list("name", flat=True)) == {"sales", "team_lead"}
    assert lead.profile.team is not None
    assertContains(response, f"<h1>{HEADINGS['sales']}</h1>", html=True)


@pytest.mark.parametrize(("role", "heading"), HEADINGS.items())
def test_each_role_lands_on_its_own_home_page(client, db, role, heading):
    factories.log_in(client, factories.user(role=role, username=role))

    response = client.get("/")

    assertContains(response, f"<h1>{heading}</h1>", html=True)


def test_user_without_a_role_is_told_so(client, db):
    factories.log_in(
        client, get_user_model().objects.create_user(username="nobody", password=factories.PASSWORD)
    )

    response = client.get("/")

    assertContains(response, "<h1>No role assigned</h1>", html=True)


def test_user_without_a_role_cannot_reach_the_role_pages(client, db):
    factories.log_in(
        client, get_user_model().objects.create_user(username="nobody", password=factories.PASSWORD)
    )

    response = client.get("/users/")

    assert response.status_code == 403


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_creates_the_five_demo_users_once(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    after_first_run = row_counts()

    call_command("seed_demo", stdout=io.StringIO())

    assert row_counts() == after_first_run
    roles = {user.username: {g.name for g in user.groups.all()} for user in get_user_model().objects.all()}
    assert roles == {
        "rep": {"sales"}, "rep2": {"sales"}, "lead": {"sales", "team_lead"},
        "dpo": {"dpo"}, "admin": {"admin"},
    }  # fmt: skip


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")

    assert not get_user_model().objects.exists()
