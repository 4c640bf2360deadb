"""Production settings (acceptance 3): deploy checks pass, secrets are required, migrations match."""

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command

MANAGE = Path(settings.BASE_DIR) / "manage.py"
# Variables of the test run that would change what the production settings read.
LOYAL_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "LOYAL_",
    "ALLOWED_HOSTS",
    "DJANGO_",
    "SECURE_",
    "DATABASE_URL",
    "REDIS_URL",
)

# The probe's request, and the same address asking for a page: only the probe is let through.
HEALTH_PROBE = """
from django.test import Client
probe = Client().get("/health/", HTTP_HOST="127.0.0.1:8000")
print(probe.status_code, probe.content.decode())
print(Client().get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code)
"""


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """This process's environment with production's settings instead of its own: DEBUG off, fresh keys."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(LOYAL_VARIABLES)}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "LOYAL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "LOYAL_BLIND_INDEX_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "loyal.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'loyal.sqlite3'}",
        "LOYAL_VAR_DIR": str(tmp_path / "var"),
    }
    return env | overrides


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_production_settings_pass_the_deploy_checks(tmp_path):
    env = production_env(tmp_path)

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_load_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_settings_answer_the_container_health_probe_on_its_own_address(tmp_path):
    """docker-compose.yml probes http://127.0.0.1:8000/health/ from inside the web container."""
    env = production_env(tmp_path)

    result = manage("shell", "--verbosity", "0", "--command", HEALTH_PROBE, env=env)

    assert result.stdout.split() == ["200", "ok", "400"], result.stderr


def test_models_and_migrations_agree(db):
    output = io.StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=output)  # Exits 1 on a missing migration.

    assert "No changes detected" in output.getvalue()
