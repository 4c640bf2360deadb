"""Pages of the bulk import: upload with provenance, column mapping, progress and report."""

import csv
import itertools

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from org.roles import EDITORS, READERS, Role, has_role, role_required
from org.spreadsheets import safe_cell
from prospects import importing, tasks
from prospects.import_forms import MappingForm, UploadForm
from prospects.import_uploads import SizeLimit, store
from prospects.models import ImportJob, ImportRejection
from prospects.provenance import EVIDENCE

REPORT_PAGE = 200


def _jobs(request: HttpRequest):
    return ImportJob.objects.visible_to(request.user).select_related("owner", "created_by")


@csrf_exempt  # checked in _upload, once the size limit is in place (Django's upload handler docs)
@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    limit = SizeLimit.for_imports(request)
    request.upload_handlers.insert(0, limit)
    return _upload(request, limit)


@csrf_protect
def _upload(request: HttpRequest, limit: SizeLimit) -> HttpResponse:
    """Store the file and queue its reading by a worker; the job's page shows how it went."""
    pick_owner = not has_role(request.user, Role.SALES)
    form = UploadForm(request.POST or None, request.FILES or None, pick_owner=pick_owner)
    if limit.refused:
        form.add_error("file", limit.message())
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = store(upload)
        try:
            job = importing.create_job(
                path=str(path),
                filename=upload.name,
                source_type=form.cleaned_data["source_type"],
                evidence=form.evidence(),
                owner=form.cleaned_data.get("owner") or request.user,
                by=request.user,
                uploaded=True,
                company_only=form.cleaned_data.get("company_only", False),
            )
        except ValidationError as error:
            path.unlink(missing_ok=True)
            form.apply_errors(error)
        else:
            tasks.inspect_import.delay_on_commit(job.pk)
            return redirect(job)
    context = {"form": form, "jobs": _jobs(request)[:10]}
    status = 413 if limit.refused else 400 if form.errors else 200
    return render(request, "prospects/import_upload.html", context, status=status)


@role_required(*EDITORS)
@require_safe
def import_evidence(request: HttpRequest) -> HttpResponse:
    """htmx: the evidence fields of the chosen source type."""
    form = UploadForm(initial={"source_type": request.GET.get("source_type", "")}, pick_owner=False)
    return render(request, "prospects/import_evidence.html", {"form": form})


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_jobs(request), pk=pk)
    if job.status != ImportJob.Status.DRAFT:
        return redirect(job)
    headings, rows = importing.preview(job)  # read by the worker, within the column cap
    form = MappingForm(request.POST or None, headings=headings, initial=importing.guess_mapping(headings))
    if request.method == "POST" and form.is_valid():
        try:
            importing.begin(job, mapping=form.mapping(), language=form.cleaned_data["file_language"])
        except ValidationError as error:
            if "language" in error.message_dict:
                form.add_error("file_language", error.message_dict["language"])
            if "mapping" in error.message_dict:
                form.add_error(None, error.message_dict["mapping"])
        else:
            tasks.run_import.delay_on_commit(job.pk)
            return redirect(job)
    context = {"job": job, "form": form, "headings": headings, "rows": rows}
    return render(request, "prospects/import_mapping.html", context, status=400 if form.errors else 200)


@role_required(*EDITORS)
@require_POST
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a failed import again: it resumes after its last committed batch."""
    job = get_object_or_404(_jobs(request), pk=pk, status=ImportJob.Status.FAILED, cleared_at=None)
    if not job.can_resume:  # refused while reading: nothing to start again
        return redirect(job)
    tasks.run_import.delay_on_commit(job.pk)
    return redirect(job)


@role_required(*READERS)
@require_safe
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_jobs(request), pk=pk)
    return render(request, "prospects/import_detail.html", _report(request, job))


@role_required(*READERS)
@require_safe
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx, every second while the import runs: the progress bar, then the report."""
    job = get_object_or_404(_jobs(request), pk=pk)
    return render(request, "prospects/import_progress.html", _report(request, job))


def _report(request: HttpRequest, job: ImportJob) -> dict:
    """The job, its evidence with labels, and once it ended the rejected lines, a page at a time."""
    labels = {spec.name: spec.label for spec in EVIDENCE.get(job.source_type, ())}
    context = {
        "job": job,
        "cards": job.file_format == ImportJob.Format.VCARD,  # rejections named by card position
        "evidence": [(labels.get(name, name), value) for name, value in job.evidence.items()],
    }
    if job.is_finished:
        after = int(request.GET["after"]) if request.GET.get("after", "").isdigit() else 0
        page = list(job.rejections.filter(line__gt=after).order_by("line")[: REPORT_PAGE + 1])
        counts = job.rejections.values("reason").annotate(rows=Count("id")).order_by("-rows", "reason")
        context.update(
            reasons=[(ImportRejection.Reason(row["reason"]).label, row["rows"]) for row in counts],
            # The report names the file's own column, as the supplier of the file knows it.
            rejections=[
                (rejection, job.mapping.get(rejection.field, "")) for rejection in page[:REPORT_PAGE]
            ],
            next_after=page[REPORT_PAGE - 1].line if len(page) > REPORT_PAGE else None,
        )
    return context


@role_required(*READERS)
@require_safe
def import_report_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every rejected line as CSV, to send back to the supplier of the file (no personal data)."""
    job = get_object_or_404(_jobs(request), pk=pk)
    rows = job.rejections.order_by("line").values_list("line", "reason", "field", "duplicate_of")
    # A business card is named by its position in the .vcf file, a table's row by its line.
    cards = job.file_format == ImportJob.Format.VCARD
    shift = 1 if cards else 0
    named = (
        (line - shift, reason, safe_cell(job.mapping.get(field, "")), duplicate and duplicate - shift)
        for line, reason, field, duplicate in rows.iterator()
    )
    writer = csv.writer(_Echo())
    heading = [("card" if cards else "line", "reason", "column", "duplicate_of")]
    lines = (writer.writerow(row) for row in itertools.chain(heading, named))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value
