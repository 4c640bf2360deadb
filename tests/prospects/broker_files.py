"""The files the import tests load: rows of people, written as CSV, run through an import.

`import_file` creates, maps and runs an import job in this process; its evidence and mapping
default to a broker file headed `HEADINGS`.
"""

import csv
from pathlib import Path

from prospects import importing
from prospects.models import ImportJob, ImportRejection
from tests import factories

Reason = ImportRejection.Reason
BROKER = factories.EVIDENCE["broker"]
HEADINGS = ["Prénom", "Nom", "Société", "Fonction", "E-mail", "Téléphone", "LinkedIn"]
MAPPING = {
    "first_name": "Prénom",
    "last_name": "Nom",
    "company_name": "Société",
    "job_title": "Fonction",
    "email": "E-mail",
    "phone": "Téléphone",
    "linkedin_url": "LinkedIn",
}


def person(i: int) -> list[str]:
    """A well-formed row; ``i`` makes every identifier unique."""
    return [
        f"Prénom{i}",
        f"Nom{i}",
        f"Société {i % 40}",
        "Acheteur",
        f"Person.{i}@Company{i % 40}.fr ",
        f"06 {i // 1000000 % 100:02d} {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}",
        f"https://www.linkedin.com/in/person-{i}",
    ]


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(HEADINGS)
        writer.writerows(rows)
    return path


def import_file(
    path: Path, *, by, source_type: str = "broker", evidence=None, mapping=None, **run
) -> ImportJob:
    job = importing.create_job(
        path=str(path),
        filename=path.name,
        source_type=source_type,
        evidence=BROKER if evidence is None else evidence,
        owner=by,
        by=by,
    )
    importing.inspect(job)
    importing.begin(job, mapping=MAPPING if mapping is None else mapping, language="fr")
    return importing.run(job, **run)


def rejections(job: ImportJob) -> dict[int, str]:
    return dict(job.rejections.values_list("line", "reason"))


def malformed_file(path: Path, *, rows: int = 2000) -> tuple[Path, dict[int, str]]:
    """``rows`` people, 1% of them malformed; returns the file and the expected {line: reason}."""
    breakages = [
        (Reason.MALFORMED_EMAIL, lambda row: row.__setitem__(4, "person.at.nowhere")),
        (Reason.MALFORMED_PHONE, lambda row: row.__setitem__(5, "12")),
        (Reason.MALFORMED_LINKEDIN, lambda row: row.__setitem__(6, "https://www.linkedin.com/company/acme")),
        (Reason.MISSING_NAME, lambda row: row.__setitem__(1, " ")),
        (Reason.NO_CONTACT_POINT, lambda row: row.__setitem__(slice(4, 7), ["", "", ""])),
    ]
    data, expected = [], {}
    for i in range(rows):
        row = person(i)
        if i % 100 == 37:
            reason, breaks = breakages[(i // 100) % len(breakages)]
            breaks(row)
            expected[i + 2] = reason
        data.append(row)
    return write_csv(path, data), expected
