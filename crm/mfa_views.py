"""The MFA pages: enrol an authenticator app, verify a session, replace recovery codes, reset."""

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from crm import mfa
from crm.forms import CodeForm
from org.roles import Role, role_required

MISMATCH = gettext_lazy("This code does not match the app: check the phone's clock and try again.")
TOO_MANY = gettext_lazy("Too many wrong codes: wait a minute and try again.")


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for a code from the app, or a recovery code, before anything else."""
    if not mfa.required_for(request.user) or mfa.is_verified(request.user):
        return redirect(mfa.safe_next(request))
    if mfa.app_device(request.user) is None:
        return redirect(f"{reverse('mfa_setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if mfa.verify(request, code=form.cleaned_data["code"]):
                return redirect(mfa.safe_next(request))
            form.add_error("code", _("This code is wrong or was already used."))
        except mfa.Throttled:
            form.add_error("code", TOO_MANY)
    return render(request, "crm/mfa_verify.html", {"form": form, "next": mfa.safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: a QR code and its key, confirmed by a first code."""
    if not mfa.required_for(request.user):
        return redirect(mfa.safe_next(request))
    if not mfa.may_enrol(request.user):
        return redirect(f"{reverse('mfa')}?{request.GET.urlencode()}")
    device = mfa.pending_enrolment(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.confirm_enrolment(request, code=form.cleaned_data["code"])
        except mfa.Throttled:
            form.add_error("code", TOO_MANY)
        else:
            if codes is not None:
                return _show_codes(request, codes)
            form.add_error("code", MISMATCH)
    # The QR code is an SVG of our own making: the otpauth URL is drawn as squares, never as text.
    qr = mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=False))  # noqa: S308
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    context = {"form": form, "qr": qr, "secret": secret, "next": mfa.safe_next(request)}
    return render(request, "crm/mfa_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; POST replaces them all and shows the new ones once."""
    if not mfa.required_for(request.user):
        return redirect("home")
    if not mfa.is_verified(request.user):
        return redirect("mfa")
    if request.method == "POST":
        return _show_codes(request, mfa.new_recovery_codes(request.user))
    context = {
        "remaining": mfa.remaining_recovery_codes(request.user),
        "device": mfa.app_device(request.user),
    }
    return render(request, "crm/mfa_manage.html", context)


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """The new recovery codes, shown once, with a text file of them made in the page itself
    (a data: link): the codes are kept only hashed, so no later request could serve them."""
    heading = _("Loyal recovery codes for %(username)s (each works once)") % {
        "username": request.user.get_username()
    }
    codes_file = "\n".join([heading, "", *codes, ""])
    context = {"codes": codes, "codes_file": codes_file, "next": mfa.safe_next(request)}
    return render(request, "crm/mfa_recovery_codes.html", context)


@role_required(Role.ADMIN)
@require_POST
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin removes another user's second factor (a lost phone): they enrol again."""
    person = get_object_or_404(get_user_model(), pk=pk)
    if person == request.user:
        messages.error(request, _("Ask another administrator to reset your own second factor."))
        return redirect("users")
    mfa.reset(person, by=request.user)
    messages.success(request, _("%(name)s enrols a new second factor at the next log-in.") % {"name": person})
    return redirect("users")
