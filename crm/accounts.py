"""CRM user accounts: creation with a role."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from crm.roles import Role


@transaction.atomic
def create_user(
    *, username: str, password: str, role: Role, first_name: str = "", last_name: str = "", email: str = ""
):
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first_name, last_name=last_name, email=email
    )
    user.groups.add(Group.objects.get(name=role))
    return user
