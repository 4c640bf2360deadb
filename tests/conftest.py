import os
import sqlite3

import pytest
from django.db import connection
from django.test import Client, override_settings

from tests import factories

pytest_plugins = ["tests.log_guard"]
DJANGO_DB_ARGS = ("transaction", "reset_sequences", "databases", "serialized_rollback", "available_apps")


def pytest_collection_modifyitems(items):
    """Give every transactional test the rows that the data migrations wrote.

    A transactional test (``transactional_db``, ``live_server``) ends by emptying every
    table, which takes the role groups and code of conduct v1 with it. Serialized
    rollback reloads the migrated rows before each such test, whatever ran before it.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        options = {**dict(zip(DJANGO_DB_ARGS, marker.args, strict=False)), **marker.kwargs} if marker else {}
        uses_transactions = {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        if options.get("transaction") or options.get("reset_sequences") or uses_transactions:
            rollback = pytest.mark.django_db(**{**options, "transaction": True, "serialized_rollback": True})
            item.add_marker(rollback, append=False)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Real hashing costs a second per log-in; the tests check who gets in, not the hash."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_undo_window():
    """A campaign's sending waits for its undo window (60 s by default): the tests send at once,
    in this process and in the workers they start; the undo tests set a window of their own."""
    import os

    from django.conf import settings

    os.environ["LOYAL_SEND_UNDO_SECONDS"] = "0"
    with override_settings(LOYAL_OUTREACH={**settings.LOYAL_OUTREACH, "undo_seconds": 0}):
        yield


@pytest.fixture(scope="session", autouse=True)
def _named_processors():
    """Campaigns start only once the organisation names its processors (outreach/content.py
    missing_facts); the tests run with named ones, and a test of that rule empties one."""
    with override_settings(LOYAL_PROCESSORS=NAMED_PROCESSORS):
        yield


@pytest.fixture(scope="session", autouse=True)
def _sending_domains():
    """Campaigns send only from the organisation's verified domains (outreach/campaigns.py):
    the tests' senders are in these."""
    domains = ["acme-solutions.example", "acme.example", "loyal.example"]
    with override_settings(LOYAL_SENDING_DOMAINS=domains, LOYAL_BOUNCE_ADDRESS="bounces@loyal.example"):
        yield


# The processors of the organisation not saved yet, during the tests (settings.LOYAL_PROCESSORS).
NAMED_PROCESSORS = [
    {
        "role": "hosting",
        "name": "Hosting provider SAS",
        "country": "FR",
        "safeguard": "eu_eea",
        "public_description_en": "Hosting: Hosting provider SAS, France",
        "public_description_fr": "Hébergement : Hosting provider SAS, France",
    },
    {
        "role": "emailing",
        "name": "Mailing provider SAS",
        "country": "FR",
        "safeguard": "eu_eea",
        "public_description_en": "Emailing: Mailing provider SAS, France",
        "public_description_fr": "E-mailing : Mailing provider SAS, France",
    },
]


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
    factories.log_in(client, rep)
    return client


@pytest.fixture
def admin_client(admin_user):
    """A client logged in with the admin role (not pytest-django's superuser client)."""
    client = Client()
    factories.log_in(client, admin_user)
    return client


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The test database, for another process (``manage.py``, gunicorn, a worker); returns
    (url, share, take_back).

    PostgreSQL: the same database. SQLite: the test database is in memory, so it is
    copied to a file before the other process runs and copied back after.
    """
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings_dict["USER"] or "postgres"
        password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
        host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
        yield f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}", lambda: None, lambda: None
        return
    file = tmp_path / "shared.sqlite3"
    connection.ensure_connection()

    def share():
        for stale in tmp_path.glob("shared.sqlite3*"):
            stale.unlink()
        target = sqlite3.connect(file)
        connection.connection.backup(target)
        target.close()

    def take_back():
        source = sqlite3.connect(file)
        source.backup(connection.connection)
        source.close()

    yield f"sqlite:///{file}", share, take_back
