"""The locked dependencies: every declared package is pinned within its range, and installed as pinned."""

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, pinned = line.split("==")
            pins[canonicalize_name(name)] = pinned.strip()
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [entry for group in project["optional-dependencies"].values() for entry in group]
    return [Requirement(entry) for entry in project["dependencies"] + extras]


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = locked()
    wrong = []
    for requirement in declared():
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            wrong.append(f"{requirement}: locked {pinned}")

    assert wrong == []


def test_the_environment_runs_on_the_locked_versions():
    drift = []
    for name, pinned in locked().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            drift.append(f"{name}: locked {pinned}, installed {installed}")

    assert drift == []
