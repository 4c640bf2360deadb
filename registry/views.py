from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from org import confirmation
from org.accounts import display_name
from org.models import AccessLog, ListExport, Organisation
from org.roles import Role, has_role, role_required
from prospects import list_export, propagation
from prospects.models import Prospect
from registry import art30, breaches, dashboard, exports, notice, records, versions
from registry.forms import (
    ActivityForm,
    BreachForm,
    FollowUpForm,
    NotifiedForm,
    OrganisationForm,
    ProcessorFormSet,
    RetentionFormSet,
    retention_initial,
)
from registry.models import Breach, Erasure, ProcessingActivity, RegisterVersion

ACCOUNTABLE = (Role.DPO, Role.ADMIN)
PAGE_SIZE = 100


def _language() -> str:
    return "fr" if (translation.get_language() or "").startswith("fr") else "en"


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The register ------------------------------------------------------------------------


@role_required(*ACCOUNTABLE)
@require_safe
def register(request: HttpRequest) -> HttpResponse:
    language = _language()
    built = art30.build_register(language=language)
    current = RegisterVersion.objects.get(number=built["version"])
    signed = versions.last_signed()
    changed = (
        []
        if signed == current
        else versions.changes(signed, current, language=language, labels=art30.labels(language))
    )
    context = exports.document_context(built) | {
        "current": current,
        "last_signed": signed,
        "changes": changed,
        "formats": exports.FORMATS,
        "history": RegisterVersion.objects.select_related("signed_by")[:20],
        "missing": records.missing_facts(language=language),
        "edit_links": True,
    }
    return render(request, "registry/register.html", context)


@role_required(Role.DPO)
@require_POST
def sign_off(request: HttpRequest, number: int) -> HttpResponse:
    art30.build_register(live=False)  # an edit since the page was read makes a newer version first
    version = get_object_or_404(RegisterVersion, number=number)
    if not confirmation.confirmed(request) and not records.missing_facts():
        language = _language()
        signed = versions.last_signed()
        changed = versions.changes(signed, version, language=language, labels=art30.labels(language))
        who = display_name(request.user)
        return confirmation.ask(
            request,
            title=_("Sign off the register"),
            question=_("Sign off version %(number)s of the record of processing activities as %(who)s?")
            % {"number": number, "who": who},
            details=[
                ngettext(
                    "%(count)d change since the last signed version.",
                    "%(count)d changes since the last signed version.",
                    len(changed),
                )
                % {"count": len(changed)}
                if signed
                else _("No version has been signed off yet: the whole register is approved."),
                _("A signed version never changes: a later edit makes a new version to sign off."),
            ],
            cancel_url=reverse("registry:register"),
            button=_("Sign off version %(number)s") % {"number": number},
        )
    try:
        versions.sign_off(version, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Version %(number)s of the register is signed off.") % {"number": number})
    return redirect("registry:register")


@role_required(*ACCOUNTABLE)
@require_http_methods(["GET", "POST"])
def activity(request: HttpRequest, code: str) -> HttpResponse:
    """One activity of the register: the DPO edits it, an administrator reads it (GDPR 30, 38-39)."""
    record = get_object_or_404(ProcessingActivity, code=code)
    posted = request.POST if request.method == "POST" else None
    if posted is not None and not has_role(request.user, Role.DPO):
        raise PermissionDenied
    form = ActivityForm(posted, instance=record)
    rules = RetentionFormSet(
        posted, initial=retention_initial(list(record.retention.all())), prefix="retention"
    )
    if posted is not None and form.is_valid() and rules.is_valid():
        try:
            records.update_activity(record, values=form.values(), retention=rules.entries(), by=request.user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(
                request, _("Saved. The register records a new version when its content changes.")
            )
            return redirect("registry:activity", code=code)
    record.refresh_from_db()
    language = _language()
    fiche = art30.fiche(record, Organisation.objects.current(), language)
    context = {
        "record": record,
        "activity": fiche,
        "rows": exports.fiche_rows(fiche, art30.labels(language)),
        "form": form,
        "rules": rules,
        "editable": has_role(request.user, Role.DPO),
        "missing": [records.FACT_LABELS[field] for field in records.missing_in(record)],
        "history": records.history(record),
    }
    invalid = bool(form.errors or rules.total_error_count())
    return render(request, "registry/activity.html", context, status=400 if invalid else 200)


@role_required(*ACCOUNTABLE)
@require_safe
def register_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    export = exports.export_register(fmt, language=_language())
    return attachment(export.content, export.content_type, export.filename)


@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """Public, no login (GDPR 13, 14): the notice in the visitor's language, or ``?lang=``."""
    language = request.GET.get("lang") or _language()
    language = language if language in art30.LANGUAGES else "en"
    context = notice.privacy_notice(language) | {"other": "en" if language == "fr" else "fr"}
    context["other_label"] = notice.heading("other_language", language)
    context["version"] = RegisterVersion.objects.order_by("-number").first()
    return render(request, "registry/privacy_notice.html", context)


@role_required(*ACCOUNTABLE)
@require_safe
def dashboard_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "registry/dashboard.html", {"charts": dashboard.charts(), "width": dashboard.WIDTH}
    )


# --- Logs and registers ---------------------------------------------------------------------


@role_required(Role.DPO)
@require_safe
def access_log(request: HttpRequest) -> HttpResponse:
    """Newest first, by keyset (no count over the whole log); filter by prospect id."""
    entries = AccessLog.objects.select_related("user").order_by("-id")
    prospect_id = request.GET.get("prospect", "")
    if prospect_id.isdigit():
        entries = entries.filter(prospect_id=int(prospect_id))
    before = request.GET.get("before", "")
    if before.isdigit():
        entries = entries.filter(id__lt=int(before))
    rows = list(entries[: PAGE_SIZE + 1])
    more = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    names = _names(rows[:PAGE_SIZE])
    context = {
        "entries": [(row, names.get(row.prospect_id)) for row in rows[:PAGE_SIZE]],
        "more": more,
        "prospect": prospect_id,
        "months": settings.LOYAL_RETENTION["access_log_months"],
    }
    return render(request, "registry/access_log.html", context)


@role_required(Role.DPO)
@require_safe
def list_exports(request: HttpRequest) -> HttpResponse:
    """Every export of the prospect list, newest first by keyset: who, when, filter, rows."""
    entries = ListExport.objects.select_related("user").order_by("-id")
    before = request.GET.get("before", "")
    if before.isdigit():
        entries = entries.filter(id__lt=int(before))
    rows = list(entries[: PAGE_SIZE + 1])
    more = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    context = {
        "exports": list_export.described(rows[:PAGE_SIZE]),
        "more": more,
        "months": settings.LOYAL_RETENTION["access_log_months"],
    }
    return render(request, "registry/list_exports.html", context)


def _names(rows: list[AccessLog]) -> dict[int, str]:
    ids = {row.prospect_id for row in rows}
    return {p.pk: p.full_name for p in Prospect.objects.filter(pk__in=ids).only("first_name", "last_name")}


@role_required(*ACCOUNTABLE)
@require_http_methods(["GET", "POST"])
def breach_list(request: HttpRequest) -> HttpResponse:
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            breach = breaches.record_breach(form.to_report(), by=request.user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The breach is recorded."))
            return redirect("registry:breach", pk=breach.pk)
    return _breach_list_page(request, form)


def _notified_form(entry: Breach, data=None) -> NotifiedForm:
    """The notification form of one breach of the list; its prefix keeps its ids apart from the others'."""
    return NotifiedForm(data, prefix=f"notified-{entry.pk}")


def _breach_list_page(
    request: HttpRequest, form: BreachForm, *, notified: tuple[int, NotifiedForm] | None = None
):
    """The register and its forms; ``notified`` is the breach's id and its notification posted with
    errors, shown again as typed."""
    entries = Breach.objects.select_related("recorded_by").prefetch_related("follow_ups")
    refused_pk, refused_form = notified or (None, None)
    context = {
        "form": form,
        "entries": [
            (
                entry,
                breaches.open_items(entry),
                refused_form if entry.pk == refused_pk else _notified_form(entry),
            )
            for entry in entries
        ],
        "formats": exports.BREACH_FORMATS,
    }
    refused = form.errors or notified
    return render(request, "registry/breach_list.html", context, status=400 if refused else 200)


@role_required(*ACCOUNTABLE)
@require_http_methods(["GET", "POST"])
def breach(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry of the breach register: completed as the facts come in, with its history."""
    entry = get_object_or_404(Breach, pk=pk)
    form = BreachForm(request.POST if request.method == "POST" else None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            breaches.update_breach(entry, form.to_report(), by=request.user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The breach is updated."))
            return redirect("registry:breach", pk=pk)
    return _breach_page(request, entry, form, FollowUpForm())


def _breach_page(request: HttpRequest, entry: Breach, form: BreachForm, follow_up_form: FollowUpForm):
    """The entry's page; a form posted with errors is shown again, as typed, with its errors."""
    entry.refresh_from_db()
    context = {
        "entry": entry,
        "form": form,
        "open_items": breaches.open_items(entry),
        "follow_ups": entry.follow_ups.select_related("recorded_by"),
        "follow_up_form": follow_up_form,
        "history": entry.history.select_related("history_user").order_by("-history_date")[:50],
    }
    refused = form.errors or follow_up_form.errors
    return render(request, "registry/breach_detail.html", context, status=400 if refused else 200)


@role_required(*ACCOUNTABLE)
@require_POST
def breach_notified(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(Breach, pk=pk)
    form = _notified_form(entry, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            breaches.record_notification(
                entry,
                notified_at=data["cnil_notified_at"],
                delay_reason=data["delay_reason"],
                reference=data["reference"],
                phased=data["phased"],
                by=request.user,
            )
        except ValidationError as error:
            form.apply_errors(error)
    if form.errors:
        return _breach_list_page(request, BreachForm(), notified=(entry.pk, form))
    return redirect("registry:breaches")


@role_required(*ACCOUNTABLE)
@require_POST
def breach_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """GDPR 33(4): a complementary notification sent to the CNIL."""
    entry = get_object_or_404(Breach, pk=pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            breaches.record_follow_up(entry, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.apply_errors(error)
    if form.errors:
        return _breach_page(request, entry, BreachForm(instance=entry), form)
    messages.success(request, _("The complementary notification is recorded."))
    return redirect("registry:breach", pk=pk)


@role_required(*ACCOUNTABLE)
@require_safe
def breach_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.BREACH_FORMATS:
        raise Http404
    export = exports.export_breaches(fmt, language=_language())
    return attachment(export.content, export.content_type, export.filename)


@role_required(*ACCOUNTABLE)
@require_safe
def erasure_log(request: HttpRequest) -> HttpResponse:
    entries = Erasure.objects.select_related("by", "run", "request")[:200]
    return render(request, "registry/erasure_log.html", {"entries": entries})


@role_required(*ACCOUNTABLE)
@require_safe
def propagation_queue(request: HttpRequest) -> HttpResponse:
    """GDPR 19: what was sent to which recipient and when, what is pending; hashes and references only."""
    context = {"tallies": propagation.tallies(), "entries": propagation.recent()}
    return render(request, "registry/propagation.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest) -> HttpResponse:
    current = Organisation.objects.current()
    form = OrganisationForm(request.POST or None, instance=current)
    # An organisation not saved yet has no processors to edit; they are saved with it.
    formset = ProcessorFormSet(
        request.POST or None, instance=None if current._state.adding else current, prefix="processors"
    )
    # Both checked, so that every error shows at once; then both saved, or neither.
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.updated_by = request.user
            saved.save()
            formset.instance = saved
            formset.save()
        messages.success(request, _("Saved. The register records a new version when its content changes."))
        return redirect("registry:organisation")
    return render(request, "registry/organisation.html", {"form": form, "formset": formset})
