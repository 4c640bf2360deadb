"""Plain builders for tests: real rows through the domain functions, no fixtures files."""

from crm import accounts, conduct
from crm.models import CodeOfConduct
from crm.roles import Role

PASSWORD = "correct-horse-battery-staple"


def user(*, role: str, username: str, password: str = PASSWORD, acknowledged: bool = True):
    person = accounts.create_user(
        username=username, password=password, role=Role(role), first_name=username.title(), last_name="Test"
    )
    current = CodeOfConduct.objects.current()
    if acknowledged and role == Role.SALES and current is not None:
        conduct.acknowledge(person, conduct=current)
    return person
