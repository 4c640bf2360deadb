"""CRM user accounts: creation with a role, and loading the user of a request."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from rest_framework.authtoken.models import Token

from org import conduct, roles
from org.models import Profile, Team
from org.roles import Role

DEFAULT_TEAM = "Sales"


def display_name(user) -> str:
    """How pages, exports and choices name a person: their full name, their username if none."""
    return user.get_full_name() or user.get_username()


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    team: Team | None = None,
):
    """A user with one role; a sales rep always belongs to a team (the default one if none given).

    A team lead is a sales rep with the team lead's rights on top: both groups."""
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first_name, last_name=last_name, email=email
    )
    held = [Role.SALES, Role.TEAM_LEAD] if role == Role.TEAM_LEAD else [role]
    user.groups.add(*Group.objects.filter(name__in=held))
    if team is None and Role.SALES in held:
        team, _created = Team.objects.get_or_create(name=DEFAULT_TEAM)
    Profile.objects.create(user=user, team=team)
    return user


def password_changed(user) -> None:
    """A new password ends what the old one opened: the API token issued under it stops
    working (a leaked password's token must not outlive the change)."""
    Token.objects.filter(user=user).delete()


def set_day_digest(user, *, wanted: bool) -> None:
    """A sales rep asks for, or stops, the daily e-mail of their day (prospects/agenda.py)."""
    if not roles.has_role(user, Role.SALES):
        raise PermissionDenied
    Profile.objects.update_or_create(user=user, defaults={"day_digest": wanted})


def team_of(user) -> Team | None:
    profile = Profile.objects.filter(user=user).select_related("team").first()
    return profile.team if profile else None


class AccountBackend(ModelBackend):
    """Django's model backend, loading a session's user with their roles and code-of-conduct
    state in one query: every request asks all three (the MFA and conduct gates, the role
    checks). The query's SQL depends on the schema alone, so it is compiled once per process:
    building it cost more than running it (bench --http)."""

    def get_user(self, user_id):
        sql, params, position = _user_query()
        params = [*params[:position], int(user_id), *params[position + 1 :]]
        user = next(iter(get_user_model()._default_manager.raw(sql, params)), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        roles.keep_roles(user)
        return user


_ANY_ID = -987_654_321  # stands for the user id while the query is compiled


@functools.cache
def _user_query() -> tuple[str, tuple, int]:
    """The SQL of the user's row with its roles and conduct state, and where the id goes."""
    users = conduct.with_conduct_state(roles.with_roles(get_user_model()._default_manager.all()))
    sql, params = users.filter(pk=_ANY_ID).query.sql_with_params()
    return sql, tuple(params), list(params).index(_ANY_ID)
