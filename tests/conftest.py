import pytest

from tests import factories


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
