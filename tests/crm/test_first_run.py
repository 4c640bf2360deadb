"""The README's demo commands work as written: the second-factor helper, word for word."""

import os
import re
import subprocess
from pathlib import Path

from django_otp.oath import TOTP

from crm import mfa
from org.roles import Role
from tests.factories import user

ROOT = Path(__file__).resolve().parents[2]


def _readme_command(name: str) -> str:
    """The command the README gives, in backquotes, that runs ``manage.py <name>``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(rf"`([^`]*manage\.py {name} [^`]*)`", readme)
    assert found, f"the README gives no command for {name}"
    return found[0]


def test_the_readme_second_factor_command_prints_the_code_as_written(shared_database):
    url, share, _take_back = shared_database
    admin = user(username="admin", role=Role.ADMIN)
    share()
    command = _readme_command("mfa_code")
    assert command.endswith(" admin")
    # A newcomer's shell: none of the test run's own settings, only where the database is.
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DEBUG", "SECRET_KEY", "LOYAL_", "DJANGO_"))
    }
    environment["DATABASE_URL"] = url
    # The README's line as a shell runs it: the command under test is the README's own text.
    result = subprocess.run(  # noqa: S602
        command, shell=True, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    device = mfa.app_device(admin)
    printed = result.stdout.strip()
    assert re.fullmatch(r"\d{6}", printed), result.stdout
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    # The code of this step or, if the step turned during the command, of the previous one.
    expected = {f"{now.token():06d}"}
    now.time -= device.step
    expected.add(f"{now.token():06d}")
    assert printed in expected
