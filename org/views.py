"""The team's own pages: the code of conduct, user accounts and API tokens."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from org import accounts, conduct
from org.forms import ConductForm, DayDigestForm, NewUserForm
from org.models import CodeOfConduct, Profile
from org.roles import Role, has_role, role_required


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change; the old password's API token goes with it."""

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_changed(self.request.user)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def conduct_page(request: HttpRequest) -> HttpResponse:
    pending = conduct.pending_for(request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and pending is not None:
        conduct.acknowledge(request.user, conduct=pending)
        return redirect(next_url)
    current = CodeOfConduct.objects.current()
    return render(request, "org/conduct.html", {"conduct": current, "pending": pending, "next": next_url})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def conduct_edit(request: HttpRequest) -> HttpResponse:
    current = CodeOfConduct.objects.current()
    initial = {"text_en": current.text_en, "text_fr": current.text_fr} if current else None
    form = ConductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        conduct.publish(by=request.user, **form.cleaned_data)
        return redirect("conduct")
    return render(request, "org/conduct_edit.html", {"form": form, "conduct": current})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.create_user(**form.cleaned_data)
        return redirect("users")
    people = get_user_model().objects.order_by("username").prefetch_related(Prefetch("groups"))
    mfa_user_ids = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    context = {"form": form, "people": people, "mfa_user_ids": mfa_user_ids}
    return render(request, "org/user_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Who the user is, their team and roles; a sales rep opts into the daily e-mail of their day."""
    is_rep = has_role(request.user, Role.SALES)
    if request.method == "POST" and not is_rep:
        raise PermissionDenied
    mine = Profile.objects.filter(user=request.user).select_related("team").first()
    form = DayDigestForm(
        request.POST if request.method == "POST" else None,
        initial={"day_digest": bool(mine and mine.day_digest)},
    )
    if request.method == "POST" and form.is_valid():
        accounts.set_day_digest(request.user, wanted=form.cleaned_data["day_digest"])
        messages.success(request, _("Your choice is saved."))
        return redirect("profile")
    context = {"form": form, "is_rep": is_rep, "team": mine.team if mine else None}
    return render(request, "org/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """Show the user's API token; POST issues a new one and revokes the old."""
    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
    return render(request, "org/api_token.html", {"token": token})
