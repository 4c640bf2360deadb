"""CRM user accounts: creation with a role."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from org.models import Profile, Team
from org.roles import Role

DEFAULT_TEAM = "Sales"


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
    """A user with one role; a sales rep always belongs to a team (the default one if none given)."""
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first_name, last_name=last_name, email=email
    )
    user.groups.add(Group.objects.get(name=role))
    if team is None and role == Role.SALES:
        team, _created = Team.objects.get_or_create(name=DEFAULT_TEAM)
    Profile.objects.create(user=user, team=team)
    return user


def team_of(user) -> Team | None:
    profile = Profile.objects.filter(user=user).select_related("team").first()
    return profile.team if profile else None
