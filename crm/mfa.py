"""The second factor that admins and DPOs need: a TOTP app, with single-use recovery codes.

An admin or a DPO who has logged in with a password reaches nothing but the MFA pages
until the session is verified with a code from their authenticator app or a recovery code
(``MFAMiddleware``). The first time, they enrol an app; enrolling issues ten recovery codes,
shown once. API tokens are issued only from a verified session (``crm.views.api_token``
sits behind the same gate), and an admin's or DPO's token counts only if it was issued after
their current app was enrolled (``TokenAuthentication``): a token from before the second
factor, before a reset or before a move to a new phone no longer opens the API.
"""

import logging

import django_otp
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from org import conduct
from org.roles import Role, has_role

log = logging.getLogger(__name__)

RECOVERY_CODES = 10
APP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
# The wait after wrong codes doubles with each one (1 s, 2 s, 4 s…) up to this many failures'
# worth, 64 s: enough against guessing 6 digits, short enough that someone who only knows the
# password cannot lock the real person out for days.
MAX_COUNTED_FAILURES = 7
# What an unverified admin or DPO may still reach: the MFA pages, logging out, the language
# switch, static files and the public pages that anyone may open.
EXEMPT_PREFIXES = (
    "/accounts/mfa/",
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/u/",
    "/f/",
    "/privacy/",
    "/health/",
)


def required_for(user) -> bool:
    return has_role(user, Role.ADMIN, Role.DPO)


def is_verified(user) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


def app_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def pending_enrolment(user) -> TOTPDevice:
    """The unconfirmed app device that the set-up page shows; one per user, made on first view."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def may_enrol(user) -> bool:
    """Enrol a first app, or replace one from a verified session: never add one to skip the check."""
    return app_device(user) is None or is_verified(user)


class Throttled(Exception):
    """Too many wrong codes: the device refuses checks for a while."""


def _cap_throttling(user) -> None:
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_count__gt=MAX_COUNTED_FAILURES).update(
            throttling_failure_count=MAX_COUNTED_FAILURES
        )


def confirm_enrolment(request: HttpRequest, *, code: str) -> list[str] | None:
    """Confirm the pending app with a code from it; the app replaces any earlier one.

    Returns None when the code is wrong and raises Throttled after too many. On success the
    session is verified and fresh recovery codes replace the old ones: they are returned.
    """
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is not None and not device.verify_is_allowed()[0]:
            raise Throttled
        if device is None or not device.verify_token(code):
            _cap_throttling(user)
            log.info("mfa enrolment refused a code", extra={"user_id": user.pk})
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
    django_otp.login(request, device)
    log.info("mfa enrolled", extra={"user_id": user.pk})
    return codes


def verify(request: HttpRequest, *, code: str) -> bool:
    """Verify the session with an app code (digits) or a recovery code (letters and digits)."""
    user = request.user
    code = "".join(code.split()).lower()
    if code.isdigit():
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            raise Throttled
        if django_otp.verify_token(user, device.persistent_id, code) is not None:
            django_otp.login(request, device)
            kind = "app" if isinstance(device, TOTPDevice) else "recovery_code"
            log.info("mfa verified with %s", kind, extra={"user_id": user.pk})
            return True
    _cap_throttling(user)
    log.info("mfa refused a code", extra={"user_id": user.pk})
    return False


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes; the old ones stop working at once."""
    codes = _replace_recovery_codes(user)
    log.info("mfa recovery codes replaced", extra={"user_id": user.pk})
    return codes


def _replace_recovery_codes(user) -> list[str]:
    # The device is kept and only its codes replaced: a session verified with a recovery code
    # names this device, and would fall back to unverified if it were deleted.
    device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticToken.objects.filter(device=device).delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def reset(user, *, by) -> None:
    """Remove a user's second factor (a lost phone): they enrol again at their next log-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    log.info("mfa reset by user %s", by.pk, extra={"user_id": user.pk})


def token_verified(token: Token) -> bool:
    """Whether the token may act for its user: for an admin or a DPO, only one issued after
    their current app was enrolled, hence from a session that app verified."""
    if not required_for(token.user):
        return True
    device = app_device(token.user)
    return device is not None and token.created >= device.created_at


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing an admin's or DPO's token issued without the second factor."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if not token_verified(token):
            raise exceptions.AuthenticationFailed(
                _("This token was issued without your second factor: issue a new one in the application.")
            )
        # The session's gate (org.conduct.ConductMiddleware) never sees a token's user.
        if conduct.is_pending_for(user):
            raise exceptions.PermissionDenied(_("Acknowledge the code of conduct in the application first."))
        return user, token


def safe_next(request: HttpRequest) -> str:
    """Where to go once verified: the page first asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


class MFAMiddleware:
    """An admin or a DPO whose session is not verified reaches nothing but the MFA pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        gated = (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and required_for(user)
            and not is_verified(user)
        )
        if gated:
            if request.path.startswith("/api/"):
                message = _("Verify your second factor in the application first.")
                return JsonResponse({"detail": message}, status=403)
            return redirect(f"{reverse('mfa')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def mfa_context(request: HttpRequest) -> dict:
    """Template context: whether the page's user must still verify, and may manage a second factor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not required_for(user):
        return {"mfa_required": False, "mfa_pending": False}
    return {"mfa_required": True, "mfa_pending": not is_verified(user)}
