"""Demo users for each role, and demo data once the apps provide it. Development only."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from crm import accounts
from crm.roles import Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    first_name: str
    last_name: str


DEMO_USERS = (
    DemoUser("rep", "loyal-rep-demo-2026", Role.SALES, "Camille", "Martin"),
    DemoUser("rep2", "loyal-rep2-demo-2026", Role.SALES, "Hugo", "Bernard"),
    DemoUser("dpo", "loyal-dpo-demo-2026", Role.DPO, "Nadia", "Lefèvre"),
    DemoUser("admin", "loyal-admin-demo-2026", Role.ADMIN, "Paul", "Garnier"),
)


@transaction.atomic
def seed() -> list[DemoUser]:
    """Create the demo users that do not exist yet; existing ones are left as they are."""
    User = get_user_model()
    for demo in DEMO_USERS:
        if not User.objects.filter(username=demo.username).exists():
            accounts.create_user(
                username=demo.username,
                password=demo.password,
                role=demo.role,
                first_name=demo.first_name,
                last_name=demo.last_name,
                email=f"{demo.username}@loyal.example",
            )
    return list(DEMO_USERS)
