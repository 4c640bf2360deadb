"""The team's own pages: the code of conduct, user accounts and API tokens."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from org import accounts, conduct, dropbox
from org.forms import ConductForm, DayDigestForm, NewUserForm
from org.models import CodeOfConduct, Profile
from org.roles import Role, has_role, role_required

RESET_MAIL_INTERVAL = timedelta(hours=1)


class ThrottledResetForm(PasswordResetForm):
    """Django's reset form, mailing one link an hour at most to an account, whoever asks."""

    def get_users(self, email):
        since = timezone.now() - RESET_MAIL_INTERVAL
        for person in super().get_users(email):
            profile, _created = Profile.objects.get_or_create(user=person)
            mailed = profile.password_reset_mailed_at
            if mailed is not None and mailed > since:
                continue
            Profile.objects.filter(pk=profile.pk).update(password_reset_mailed_at=timezone.now())
            yield person


class PasswordReset(auth_views.PasswordResetView):
    """Password reset by e-mail. The link is built from LOYAL_SITE_URL, never from the
    request's Host header (which the requester chooses); the page that follows says the same
    whether the address is known or not, so it tells no one who has an account."""

    form_class = ThrottledResetForm
    http_method_names = ["get", "head", "options", "post"]
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        site = urlsplit(settings.LOYAL_SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name=self.subject_template_name,
            email_template_name=self.email_template_name,
            from_email=self.from_email,
            request=self.request,
            extra_email_context={"site_name": "Loyal"},
        )
        return redirect(self.get_success_url())


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; like a change, it ends the old password's API token."""

    http_method_names = ["get", "head", "options", "post"]

    def dispatch(self, *args, **kwargs):
        # Django's answers a link it cannot read before it looks at the method.
        if self.request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(self.request, *args, **kwargs)
        return super().dispatch(*args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_changed(form.user)
        return response


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
    """Who the user is, their team and roles; a sales rep opts into the daily e-mail of their day
    and reads (or renews) their personal BCC address."""
    is_rep = has_role(request.user, Role.SALES)
    if request.method == "POST" and not is_rep:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("dropbox") == "rotate":
        dropbox.rotate(request.user)
        messages.success(request, _("Your BCC address is new: the old one no longer logs anything."))
        return redirect("profile")
    mine = Profile.objects.filter(user=request.user).select_related("team").first()
    form = DayDigestForm(
        request.POST if request.method == "POST" else None,
        initial={"day_digest": bool(mine and mine.day_digest)},
    )
    if request.method == "POST" and form.is_valid():
        accounts.set_day_digest(request.user, wanted=form.cleaned_data["day_digest"])
        messages.success(request, _("Your choice is saved."))
        return redirect("profile")
    context = {
        "form": form,
        "is_rep": is_rep,
        "team": mine.team if mine else None,
        "dropbox_address": dropbox.address_of(request.user) if is_rep else None,
    }
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
