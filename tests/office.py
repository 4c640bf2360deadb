"""Real clients for printed documents: LibreOffice's PDF export and poppler's pdftotext.

Debian's ``libreoffice-calc-nogui`` and ``poppler-utils`` (bin/test and .ci/run install them).
Without them the tests that need them are skipped, unless ``LOYAL_REQUIRE_OFFICE=1`` (as in
CI), which makes their absence a failure.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def require(*programs: str) -> None:
    missing = [program for program in programs if shutil.which(program) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (apt-get install libreoffice-calc-nogui poppler-utils)"
    if os.environ.get("LOYAL_REQUIRE_OFFICE") == "1":
        pytest.fail(f"LOYAL_REQUIRE_OFFICE=1 but {message}")
    pytest.skip(message)


def to_pdf(document: Path) -> Path:
    """LibreOffice headless converts ``document`` beside it, with a throw-away profile and HOME."""
    require("soffice")
    profile = document.parent / "lo-profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(document.parent),
            str(document),
        ],
        env={**os.environ, "HOME": str(profile)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    pdf = document.with_suffix(".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    return pdf


def text_of(pdf: Path) -> str:
    """The PDF's text as pdftotext reads it, every run of white space (line breaks too) one space."""
    require("pdftotext")
    done = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
    )
    return re.sub(r"\s+", " ", done.stdout)
