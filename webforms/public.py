"""The public page of a web form, ``/f/<slug>/``: no account, embeddable, posted to from other sites.

Two exceptions to the site's defaults hold on this route only. Framing: the iframe variant
is embedded in the company's own pages, so ``X-Frame-Options`` is dropped and the CSP's
``frame-ancestors`` is ``LOYAL_WEBFORM_FRAME_ANCESTORS`` instead of ``'none'``. CSRF: the
plain-form variant posts from another origin, with no Loyal cookie to pair a CSRF token
with, so Django's check is off for this view. What it protected against does not apply:
the view acts as no one (no session is read, nothing is done on a logged-in user's
behalf), and what stands between a robot and the base is the page's signed token (the
version shown and the time it was shown, checked for a minimum fill time), the honeypot
field and the per-address and per-form rate limits (``webforms/throttle.py``).
"""

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from org.clients import client_ip
from webforms import submissions, throttle
from webforms.definitions import current_version
from webforms.forms import HONEYPOT, VisitorForm
from webforms.models import FormVersion, Outcome, WebForm

FRAMED = {"frame-ancestors": settings.LOYAL_WEBFORM_FRAME_ANCESTORS}


def _answer(request: HttpRequest, form: WebForm, template: str, context: dict, *, status: int = 200):
    """A page of the form, in the form's language, the same headers whatever the outcome."""
    with translation.override(form.language):
        response = render(
            request, template, {**context, "webform": form, "language": form.language}, status=status
        )
    response["Content-Language"] = form.language
    response["X-Robots-Tag"] = "noindex"
    # No Expires (never_cache would date it): the thank-you pages must not differ by a second.
    response["Cache-Control"] = "no-store"
    return response


def _form_page(
    request, form: WebForm, version: FormVersion, visitor: VisitorForm, *, page: str, notice: str = ""
):
    visitor.initial["token"] = submissions.page_token(version, page_url=page)
    visitor.data = visitor.data.copy() if visitor.is_bound else visitor.data
    if visitor.is_bound:
        visitor.data["token"] = visitor.initial["token"]
    context = {"version": version, "visitor": visitor, "honeypot": HONEYPOT, "notice": notice}
    return _answer(request, form, "webforms/public_form.html", context, status=400 if notice else 200)


def _thanks(request: HttpRequest, form: WebForm) -> HttpResponse:
    """Byte for byte the same page for a new, a known and a suppressed address."""
    return _answer(request, form, "webforms/public_thanks.html", {})


@csrf_exempt  # see the module's docstring: the signed token, the honeypot and the rate limits
@xframe_options_exempt
@csp_replace(FRAMED)
@require_http_methods(["GET", "HEAD", "POST"])
def public_form(request: HttpRequest, slug: str) -> HttpResponse:
    form = get_object_or_404(WebForm, slug=slug, is_live=True)
    version = current_version(form)
    if request.method != "POST":
        with translation.override(form.language):
            visitor = VisitorForm(version=version)
        return _form_page(request, form, version, visitor, page=request.headers.get("Referer", ""))
    return _submitted(request, form, version)


def _submitted(request: HttpRequest, form: WebForm, current: FormVersion) -> HttpResponse:
    ip = client_ip(request)
    if throttle.over_limit(form, ip=ip):
        submissions.count(form, Outcome.RATE_LIMITED)
        return _answer(request, form, "webforms/public_limited.html", {}, status=429)
    if request.POST.get(HONEYPOT):
        submissions.count(form, Outcome.HONEYPOT)
        return _thanks(request, form)  # a robot learns nothing from the answer
    shown = submissions.read_token(form, request.POST.get("token", ""))
    version, elapsed, page = shown if shown else (current, 0.0, "")
    with translation.override(form.language):
        visitor = VisitorForm(request.POST, version=version)
        valid = visitor.is_valid()
    if shown is None:
        # The plain snippet carries no token: the visitor checks the values on Loyal's page and sends again.
        submissions.count(form, Outcome.NO_TOKEN)
        return _form_page(
            request, form, version, visitor, page=request.headers.get("Referer", ""), notice="again"
        )
    if submissions.too_fast(elapsed):
        submissions.count(form, Outcome.TOO_FAST)
        return _form_page(request, form, version, visitor, page=page, notice="too_fast")
    if not valid:
        submissions.count(form, Outcome.INVALID)
        return _form_page(request, form, version, visitor, page=page, notice="invalid")
    visit = submissions.Visit(
        values=visitor.values(),
        ticked=visitor.ticked(),
        ip=ip,
        user_agent=request.headers.get("User-Agent", ""),
        page_url=page or request.headers.get("Referer", ""),
    )
    submissions.submit(form, version, visit)
    return _thanks(request, form)
