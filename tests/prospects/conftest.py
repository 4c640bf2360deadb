import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The builders create users in nearly every test; PBKDF2's cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
