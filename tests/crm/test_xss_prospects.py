"""XSS (issue 9), prospects: their details, refused identifiers, timeline, notes, legal holds, imports.

Hostile text is written through the forms a rep or the DPO posts, and read back on every
page that shows it, as each role who sees it (tests/crm/hostile.py says how).
"""

import csv
import io
import itertools
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import strategies as st

from prospects import importing
from prospects.models import ImportJob, Note, Prospect, ProspectList, SavedView
from prospects.provenance import EVIDENCE, LINKEDIN_TYPES
from registry.models import SubjectRequest
from tests import factories
from tests.crm.hostile import (
    HTML,
    Page,
    check,
    email,
    emails,
    evidence_for,
    fill,
    filled,
    logged_in,
    marked,
    marker,
    payloads,
    pk_of,
    post,
    read,
    refused,
    run,
    subject_access_page,
    texts,
)

pytestmark = pytest.mark.slow

PERSON = {"first_name": 100, "last_name": 100, "job_title": 200, "company_name": 200}
FREE_TEXT = {"audience_justification": 600, "note": 600}
LABELS = {
    "first_name": "prospects.Prospect.first_name",
    "last_name": "prospects.Prospect.last_name",
    "job_title": "prospects.Prospect.job_title",
    "company_name": "prospects.Company.name",
    "audience_justification": "prospects.Prospect.audience_justification",
    "note": "prospects.Note.text",
    "email": "prospects.Prospect.email",
}
OWN = ("first_name", "last_name", "job_title", "company_name", "audience_justification", "email")
NAMES = {LABELS["first_name"], LABELS["last_name"]}
LISTED = NAMES | {LABELS["job_title"], LABELS["company_name"]}
IDENTIFIERS = {"phone": 40, "linkedin_url": 300}
TIMELINE = {"summary": 600, "text": 600, "reason": 300}
TIMELINE_LABELS = {
    "summary": "prospects.Interaction.summary",
    "text": "prospects.Note.text",
    "reason": "prospects.Prospect.legal_hold_reason",
}
STEP_LABEL = "prospects.NextStep.what"
TEXT_SOURCES = [kind for kind, specs in EVIDENCE.items() if any(spec.kind == "text" for spec in specs)]
FILE_SOURCES = [kind for kind in TEXT_SOURCES if kind not in LINKEDIN_TYPES]
FIELDS = {
    *LABELS.values(),
    "prospects.Source.evidence",
    *(f"prospects.Prospect.{name}" for name in IDENTIFIERS),
    *TIMELINE_LABELS.values(),
    *(f"prospects.ImportJob.{name}" for name in ("filename", "evidence", "mapping", "error")),
    "prospects.ProspectList.name",
    "prospects.SavedView.name",
    "org.ListExport.filters",
    STEP_LABEL,
}


@pytest.fixture
def clients(rep, dpo, admin_user):
    return logged_in(rep=rep, dpo=dpo, admin=admin_user)


# --- A prospect's details -----------------------------------------------------------------------------


def prospect_form(drawn: dict, kind: str) -> tuple[dict, dict[str, str]]:
    """The creation form's data, and the hostile values typed, by field."""
    typed = filled(drawn["person"], PERSON) | filled(drawn["free"], FREE_TEXT)
    evidence = evidence_for(kind, drawn["evidence"])
    data = typed | {"email": email(drawn["email"]), "language": "en", "source_type": kind}
    data |= {f"evidence_{name}": value for name, value in evidence.items()}
    labels = {LABELS[name]: value for name, value in data.items() if name in LABELS}
    return data, labels | {f"prospects.Source.evidence[{k}]": v for k, v in evidence.items() if marked(v)}


def stored(prospect: Prospect) -> dict[str, str]:
    values = {LABELS[name]: getattr(prospect, name) for name in OWN}
    for note in Note.objects.filter(prospect=prospect):
        values[LABELS["note"]] = note.text
    evidence = prospect.sources.get().evidence
    return values | {f"prospects.Source.evidence[{k}]": v for k, v in evidence.items() if marked(v)}


def test_prospect_details_are_escaped_on_every_page_showing_them(clients):
    rep, outcomes, kinds = clients["rep"], Counter(), itertools.cycle(TEXT_SOURCES)
    strategy = st.fixed_dictionaries(
        {
            "person": texts(PERSON),
            "free": texts(FREE_TEXT),
            "email": emails(),
            "evidence": st.lists(payloads(), min_size=1, max_size=3),
        }
    )

    def example(drawn):
        kind = next(kinds)
        data, typed = prospect_form(drawn, kind)
        response = post(rep, "/prospects/new/", data)
        outcomes[response.status_code] += 1
        if response.status_code != 302:
            return refused(response, typed, "/prospects/new/")
        prospect = Prospect.objects.get(pk=pk_of(response))
        values = stored(prospect)
        read_prospect_pages(clients, prospect, values)
        again, retyped = prospect_form(drawn, kind)
        duplicate = post(rep, "/prospects/new/", again | {"email": prospect.email})
        check(duplicate.content.decode(), values | retyped, NAMES, "the duplicate's error")

    run(strategy, example)

    assert outcomes[302] >= 10, outcomes


def read_prospect_pages(clients, prospect: Prospect, values: dict[str, str]) -> None:
    rep, dpo, everything = clients["rep"], clients["dpo"], set(values)
    edited = LISTED | {LABELS["email"], LABELS["audience_justification"]}
    read(rep, f"/prospects/{prospect.pk}/", values, everything)
    read(rep, f"/prospects/{prospect.pk}/edit/", values, edited)
    read(rep, "/prospects/", values, LISTED)
    read(rep, "/prospects/", values, NAMES, data={"q": prospect.last_name[:7]})
    read(rep, "/", values, NAMES | {LABELS["company_name"]})
    read(rep, f"/api/prospects/{prospect.pk}/", values, everything - {LABELS["note"]}, **HTML)
    # What a script reads is JSON, which a browser must not sniff into a page.
    api = rep.get(f"/api/prospects/{prospect.pk}/", HTTP_ACCEPT="application/json")
    assert api["Content-Type"] == "application/json" and api["X-Content-Type-Options"] == "nosniff"
    read(dpo, f"/prospects/{prospect.pk}/", values, everything)
    read(dpo, "/registry/access-log/", values, NAMES)
    check(subject_access_page(clients["admin"], prospect), values, everything, "Art. 15 export")


def test_identifiers_that_validation_refuses_come_back_escaped(clients, admin_user):
    """Phone and LinkedIn rules refuse every character an attack needs: each refusal is read."""
    rep, admin = clients["rep"], clients["admin"]
    strategy = st.fixed_dictionaries({"ids": texts(IDENTIFIERS), "email": payloads(lines=False)})

    def example(drawn):
        typed = filled(drawn["ids"], IDENTIFIERS) | {"email": fill(drawn["email"], marker(), size=200)}
        labels = {f"prospects.Prospect.{name}": value for name, value in typed.items()}
        person = {"first_name": "Ada", "last_name": "Lovelace", "source_type": "manual"}
        created = post(rep, "/prospects/new/", person | typed | {"evidence_description": "Met at a fair"})
        refused(created, labels, "/prospects/new/")
        refused(post(admin, "/registry/subject-access/", typed), labels, "/registry/subject-access/")
        today = date.today()
        item = SubjectRequest.objects.create(
            kind="access", received_on=today, channel="email", due_on=today, recorded_by=admin_user
        )
        post(admin, f"/registry/requests/{item.pk}/link/", typed)
        read(admin, f"/registry/requests/{item.pk}/", labels)

    run(strategy, example)


# --- Timeline, notes, legal hold ----------------------------------------------------------------------

# What a form's maxlength or a browser keeps out, but a forged post does not.
BEYOND_THE_FORM = ("", "", "\x00", "-" * 300)


def test_timeline_notes_and_legal_holds_are_escaped(clients, rep):
    rep_client, dpo, outcomes = clients["rep"], clients["dpo"], Counter()
    strategy = st.fixed_dictionaries({"texts": texts(TIMELINE), "beyond": st.sampled_from(BEYOND_THE_FORM)})

    def example(drawn):
        typed = filled(drawn["texts"], TIMELINE)
        prospect = factories.prospect(by=rep, email=f"{marker()}@acme.example")
        interaction = {"type": "meeting", "summary": typed["summary"]}
        post(rep_client, f"/prospects/{prospect.pk}/interactions/", interaction)
        post(rep_client, f"/prospects/{prospect.pk}/notes/", {"text": typed["text"]})
        hold = {"until": (date.today() + timedelta(days=4 * 366)).isoformat(), "scope": "record"}
        post(
            dpo, f"/prospects/{prospect.pk}/legal-hold/", hold | {"reason": typed["reason"] + drawn["beyond"]}
        )
        Prospect.objects.filter(pk=prospect.pk).update(retention_until=date.today() - timedelta(days=1))
        values = timeline_values(prospect)
        outcomes.update(values.keys())
        assert drawn["beyond"] == "" or TIMELINE_LABELS["reason"] not in values, (
            "kept past the field's limits"
        )
        read(rep_client, f"/prospects/{prospect.pk}/", values, values)
        read(dpo, f"/prospects/{prospect.pk}/", values, values)
        read(dpo, "/prospects/purges/", values, {TIMELINE_LABELS["reason"]} & set(values))
        check(subject_access_page(clients["admin"], prospect), values, values, "Art. 15 export")

    run(strategy, example)

    assert all(outcomes[label] >= 5 for label in TIMELINE_LABELS.values()), outcomes


def timeline_values(prospect: Prospect) -> dict[str, str]:
    prospect.refresh_from_db()
    found = {
        TIMELINE_LABELS["summary"]: next(iter(prospect.interactions.values_list("summary", flat=True)), ""),
        TIMELINE_LABELS["text"]: next(iter(prospect.notes.values_list("text", flat=True)), ""),
        TIMELINE_LABELS["reason"]: prospect.legal_hold_reason,
    }
    return {label: value for label, value in found.items() if value}


# --- Imports --------------------------------------------------------------------------------------------

SEPARATORS = str.maketrans("", "", ",;|\t")


def one_line(template: str, *, size: int, marker_last: bool = False) -> str:
    """Hostile text on one line, without the characters a CSV sniffer could take for a delimiter."""
    text = fill(template, marker(), size=size, marker_last=marker_last)
    return " ".join(text.translate(SEPARATORS).split())


def import_file(drawn: dict) -> tuple[SimpleUploadedFile, dict[str, str]]:
    """A CSV whose name, headings and cells are hostile; its second row has a malformed email."""
    headings = [one_line(template, size=60) for template in drawn["headings"]]
    first, last, other = (one_line(template, size=100) for template in drawn["cells"])
    text = io.StringIO()
    rows = [headings, [first, last, f"{marker()}@acme.example"], [other, last, "not-an-email"]]
    csv.writer(text).writerows(rows)
    # The browser sends the file's name; Django keeps what follows its last slash.
    name = one_line(drawn["filename"], size=120, marker_last=True) + ".csv"
    cells = {"file cell: first name": first, "file cell: last name": last, "file cell: other": other}
    return SimpleUploadedFile(name, text.getvalue().encode(), content_type="text/csv"), cells


def test_import_file_names_headings_evidence_and_report_are_escaped(clients, settings, tmp_path):
    """Half the files lose a column before the worker reads them: the job fails, naming the column."""
    settings.MEDIA_ROOT = tmp_path
    rep, outcomes, number = clients["rep"], Counter(), itertools.count()
    strategy = st.fixed_dictionaries(
        {
            "filename": payloads(lines=False),
            "headings": st.lists(payloads(lines=False), min_size=3, max_size=3),
            "cells": st.lists(payloads(lines=False), min_size=3, max_size=3),
            "evidence": st.lists(payloads(), min_size=1, max_size=3),
        }
    )

    def example(drawn):
        index = next(number)
        kind = FILE_SOURCES[index % len(FILE_SOURCES)]
        evidence = evidence_for(kind, drawn["evidence"])
        upload, cells = import_file(drawn)
        data = {"file": upload, "source_type": kind} | {f"evidence_{k}": v for k, v in evidence.items()}
        response = post(rep, "/prospects/import/", data)
        if response.status_code != 302:
            typed = {f"prospects.ImportJob.evidence[{k}]": v for k, v in evidence.items() if marked(v)}
            return refused(response, typed, "/prospects/import/")
        job = importing.inspect(ImportJob.objects.get())  # the worker's task, queued on commit
        headings, _rows = importing.preview(job)
        file = cells | {f"file heading {i}": heading for i, heading in enumerate(headings)}
        read(rep, f"/prospects/import/{job.pk}/columns/", import_values(job) | file, {*file, FILENAME})
        mapping = dict(zip(("first_name", "last_name", "email"), headings, strict=True)) | {
            "file_language": "fr"
        }
        post(rep, f"/prospects/import/{job.pk}/columns/", mapping)
        if index % 2:
            Path(job.path).write_text(",".join(headings[:2]) + "\nAda,Lovelace\n")
        job = importing.run(ImportJob.objects.get(pk=job.pk))
        outcomes[job.status] += 1
        read_import_pages(clients, job, file)

    run(strategy, example)

    assert outcomes["done"] >= 5 and outcomes["failed"] >= 5, outcomes


FILENAME = "prospects.ImportJob.filename"


def import_values(job: ImportJob) -> dict[str, str]:
    values = {FILENAME: job.filename}
    values |= {f"prospects.ImportJob.evidence[{k}]": v for k, v in job.evidence.items() if marked(v)}
    values |= {f"prospects.ImportJob.mapping[{k}]": v for k, v in job.mapping.items()}
    return values | ({"prospects.ImportJob.error": job.error} if job.error else {})


def read_import_pages(clients, job: ImportJob, file: dict[str, str]) -> None:
    """The report names the file's own column for each rejected line, or the column it lost."""
    job.refresh_from_db()
    values = import_values(job) | file
    reported = {
        f"prospects.ImportJob.mapping[{field}]" for field in job.rejections.values_list("field", flat=True)
    }
    evidence = {label for label in values if label.startswith("prospects.ImportJob.evidence")}
    error = {"prospects.ImportJob.error"} & set(values)
    read(clients["rep"], f"/prospects/import/{job.pk}/", values, {FILENAME, *evidence, *reported, *error})
    read(clients["rep"], f"/prospects/import/{job.pk}/progress/", values, {*reported, *error})
    read(clients["rep"], "/prospects/import/", values, {FILENAME})
    read(clients["dpo"], f"/prospects/import/{job.pk}/", values, {FILENAME, *evidence, *reported, *error})
    if job.status == ImportJob.Status.DONE:
        read(clients["rep"], "/prospects/", values, {"file cell: first name", "file cell: last name"})


def test_a_list_name_is_escaped_on_every_page_showing_it(clients, rep):
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    prospect = factories.prospect(by=rep)
    clients["rep"].post("/prospects/lists/", {"name": name})
    made = ProspectList.objects.get()
    clients["rep"].post(f"/prospects/{prospect.pk}/lists/", {"to_list": made.pk})

    paths = (
        "/prospects/lists/",
        f"/prospects/{prospect.pk}/",
        "/prospects/",
        f"/prospects/?in_list={made.pk}",
        "/outreach/campaigns/new/",
    )
    pages = [clients["rep"].get(path).content.decode() for path in paths]

    assert made.name == name
    for path, page in zip(paths, pages, strict=True):
        assert "<script>alert" not in page and "<img src=x" not in page, path
        # Django writes &quot; and Jinja2's form widgets &#34;: read the page as a browser does.
        assert Page(page).shows(name), path


def test_a_saved_view_name_is_escaped_on_the_list_page_and_the_campaign_form(clients, rep, other_rep):
    name = f'{marker()}<script>alert("x")</script><img src=x onerror=alert(1)>'
    clients["rep"].post("/prospects/views/", {"name": name, "shared": "on", "q": "Dupont"})
    field = "prospects.SavedView.name"

    teammate = logged_in(rep2=other_rep)["rep2"]

    assert SavedView.objects.get().name == name
    for client, path in (
        (clients["rep"], "/prospects/"),
        (teammate, "/prospects/"),
        (clients["rep"], "/outreach/campaigns/new/"),
    ):
        read(client, path, {field: name}, {field})


def test_a_list_exports_typed_filter_is_escaped_on_the_dpos_page(clients, rep, dpo):
    """What a team lead typed in the search box comes back to the DPO as text."""
    from org.accounts import team_of

    lead = factories.user(role="team_lead", username="lead", team=team_of(rep))
    typed = f'{marker()}<script>alert("x")</script><img src=x onerror=alert(1)>'
    factories.prospect(by=rep)
    answer = logged_in(lead=lead)["lead"].get("/prospects/export/csv/", {"q": typed})
    assert answer.status_code == 200

    field = "org.ListExport.filters"
    read(clients["dpo"], "/registry/list-exports/", {field: typed}, {field})


# --- Next steps -----------------------------------------------------------------------------------------

STEP = {"what": 300}


def test_a_next_step_is_escaped_on_every_page_showing_it(clients, rep):
    rep_client, outcomes = clients["rep"], Counter()

    def example(drawn):
        typed = filled(drawn, STEP)
        prospect = factories.prospect(by=rep, email=f"{marker()}@acme.example")
        due = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        post(rep_client, f"/prospects/{prospect.pk}/next-steps/", {"what": typed["what"], "due_at": due})
        bulk = {"action": "add_next_step", "scope": "all", "step_what": typed["what"], "step_due_at": due}
        stored = prospect.next_steps.values_list("what", flat=True).first()
        values = {STEP_LABEL: stored} if stored else {}
        outcomes.update(values.keys())
        read(rep_client, f"/prospects/{prospect.pk}/", values, values)
        read(clients["dpo"], f"/prospects/{prospect.pk}/", values, values)
        read(rep_client, "/", values, values)
        read(rep_client, f"/prospects/bulk/?{urlencode(bulk)}", values, values)
        check(subject_access_page(clients["admin"], prospect), values, values, "Art. 15 export")

    run(texts(STEP), example)

    assert outcomes[STEP_LABEL] >= 5, outcomes
