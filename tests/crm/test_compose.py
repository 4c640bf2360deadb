"""docker-compose.yml describes a stack that can start: every command names real code."""

import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"
SERVICES = {"web", "worker", "beat", "postgres", "redis"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def words(command: str | list[str]) -> list[str]:
    """The words of a command, including those of an ``sh -c "a && b"`` script."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        return shlex.split(argv[2].replace("&&", " "))
    return argv


def app_arguments(argv: list[str]) -> str | None:
    for flag in ("-A", "--app"):
        if flag in argv:
            return argv[argv.index(flag) + 1]
    return next((word.split("=", 1)[1] for word in argv if word.startswith("--app=")), None)


def test_compose_declares_the_five_services(compose):
    assert set(compose["services"]) == SERVICES


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_has_a_healthcheck(compose, service):
    healthcheck = compose["services"][service].get("healthcheck", {})

    assert healthcheck.get("test"), f"{service} has no healthcheck test"


def test_web_serves_the_project_wsgi_application_with_gunicorn(compose):
    argv = words(compose["services"]["web"]["command"])

    assert "gunicorn" in argv
    assert argv[argv.index("gunicorn") + 1] in {"crm.wsgi", "crm.wsgi:application"}


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_worker_and_beat_run_the_project_celery_app(compose, service):
    argv = words(compose["services"][service]["command"])

    assert argv[0] == "celery"
    assert app_arguments(argv) == "crm"
    assert service in argv


def test_manage_py_commands_in_compose_exist(compose):
    used = {
        argv[i + 1]
        for service in compose["services"].values()
        if "command" in service
        for argv in [words(service["command"])]
        for i, word in enumerate(argv[:-1])
        if word.endswith("manage.py")
    }

    assert used <= set(get_commands()), f"unknown management commands: {used - set(get_commands())}"
    assert "migrate" in used


def test_named_volumes_are_declared(compose):
    declared = set(compose.get("volumes") or {})
    mounted = {
        mount.split(":", 1)[0]
        for service in compose["services"].values()
        for mount in service.get("volumes", [])
        if isinstance(mount, str) and not mount.startswith((".", "/", "~"))
    }

    assert mounted, "no service keeps data in a named volume"
    assert mounted <= declared, f"volumes used but not declared: {mounted - declared}"
    assert any(
        mount.endswith("/var/lib/postgresql/data") for mount in compose["services"]["postgres"]["volumes"]
    )
