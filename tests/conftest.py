import os

import pytest

from tests import factories


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """One test database per pytest process, so that runs side by side never share one."""
    from django.conf import settings

    test = settings.DATABASES["default"].setdefault("TEST", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        test["NAME"] = f"test_{settings.DATABASES['default']['NAME']}_{os.getpid()}"


@pytest.fixture
def rep(db):
    return factories.user(role="sales", username="rep")


@pytest.fixture
def other_rep(db):
    return factories.user(role="sales", username="rep2")


@pytest.fixture
def dpo(db):
    return factories.user(role="dpo", username="dpo")


@pytest.fixture
def admin_user(db):
    return factories.user(role="admin", username="admin")


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client
