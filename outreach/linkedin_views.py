"""The "Add from LinkedIn" page and the first message to paste (outreach/linkedin_capture.py)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from org.access import record_access
from org.models import AccessAction
from org.roles import EDITORS, role_required
from outreach.linkedin_capture import SOURCES, bookmarklet, first_message
from outreach.linkedin_forms import LinkedInForm
from prospects import intake
from prospects.models import Prospect


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def linkedin_capture(request: HttpRequest) -> HttpResponse:
    """The bookmarklets, and the form they open prefilled (``?source=…&url=…``) or a link is pasted in."""
    initial = {"source_type": request.GET.get("source", ""), "profile_url": request.GET.get("url", "")}
    form = LinkedInForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            prospect = intake.create_prospect(form.to_data(), source=form.to_source(), by=request.user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            return redirect("outreach:linkedin_message", pk=prospect.pk)
    capture_url = request.build_absolute_uri(reverse("outreach:linkedin_capture"))
    context = {
        "form": form,
        "bookmarklets": [(source.label, bookmarklet(capture_url, source.value)) for source in SOURCES],
    }
    return render(request, "outreach/linkedin_capture.html", context, status=400 if form.errors else 200)


@role_required(*EDITORS)
@require_safe
def linkedin_message(request: HttpRequest, pk: int) -> HttpResponse:
    """The first message to paste into LinkedIn, in the person's language, with their sign-up link."""
    prospect = get_object_or_404(Prospect.objects.visible_to(request.user), pk=pk)
    record_access(request.user, [prospect.pk], action=AccessAction.VIEW)  # the access log (docs/rules.md §6)
    context = {"prospect": prospect, "message": first_message(prospect, rep=request.user)}
    return render(request, "outreach/linkedin_message.html", context)
