"""Public pages reached from a signed link, with no account: unsubscribe, preferences, sign-up, confirm.

They speak the prospect's language unless the visitor picks the other one (``?lang=``),
show nothing about the person, and answer a tampered, truncated or expired link with a
clear 400 page, and a link to an erased prospect with a clear 410 page.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from consent import invitations, links, objections, preferences, recording
from consent.channels import Channel
from consent.forms import InvitationForm, PreferencesForm
from consent.models import Consent, Route
from org.clients import client_ip
from prospects.models import Prospect

LANGUAGES = dict(settings.LANGUAGES)
SENT = gettext_lazy(
    "We sent you an email: click its link to confirm your choices. Nothing counts until you do."
)


def _language(request: HttpRequest, prospect: Prospect | None) -> str:
    chosen = request.POST.get("lang") or request.GET.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if prospect is not None:
        return prospect.language
    # No prospect to ask (bad or dead link): the browser's language, as LocaleMiddleware read it.
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in LANGUAGES else settings.LANGUAGE_CODE


@contextmanager
def _speaking(request: HttpRequest, prospect: Prospect | None) -> Iterator[str]:
    language = _language(request, prospect)
    with translation.override(language):
        yield language


def _page(
    request: HttpRequest, template: str, context: dict, *, prospect=None, status: int = 200
) -> HttpResponse:
    with _speaking(request, prospect) as language:
        response = render(request, template, {**context, "language": language}, status=status)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _message(
    request: HttpRequest, heading: str, text: str, *, prospect=None, status: int = 200
) -> HttpResponse:
    return _page(
        request,
        "consent/public_message.html",
        {"heading": heading, "text": text},
        prospect=prospect,
        status=status,
    )


def _bad_link(request: HttpRequest) -> HttpResponse:
    with _speaking(request, None):
        heading, text = (
            _("This link is not valid"),
            _(
                "The link was altered, cut short or has expired. Copy the whole link from the message, "
                "or write to us and we will act on your request."
            ),
        )
    return _message(request, heading, text, status=400)


def _erased(request: HttpRequest) -> HttpResponse:
    with _speaking(request, None):
        heading, text = (
            _("We no longer hold your details"),
            _("Your details have been erased. You will receive nothing more from us."),
        )
    return _message(request, heading, text, status=410)


def _reduced(request: HttpRequest, prospect: Prospect) -> HttpResponse:
    """The objection just erased the record (GDPR 5(1)(c)): said in the language it was in."""
    with _speaking(request, prospect):
        heading, text = (
            _("Your objection is recorded"),
            _(
                "We have erased your details and kept only a fingerprint of your address, so that we "
                "never contact you again. You will receive nothing more from us."
            ),
        )
    return _message(request, heading, text, prospect=prospect)


def _client(request: HttpRequest) -> dict:
    return {
        "ip": client_ip(request),
        "user_agent": request.headers.get("User-Agent", ""),
    }


@csrf_exempt  # The signed token is the credential; mail clients POST without a CSRF token (RFC 8058).
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET and HEAD show one button (link scanners and mail clients checking the link must not
    unsubscribe anyone); POST records the objection."""
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    try:
        prospect_id, channel = links.read_unsubscribe(token)
    except links.BadLink:
        return _bad_link(request)
    prospect = Prospect.objects.filter(pk=prospect_id).first()
    if prospect is None:
        # Erased: the erasure kept the keyed hashes on the suppression list, nothing is left to do.
        return HttpResponse("OK", content_type="text/plain") if one_click else _erased(request)
    if request.method == "POST":
        try:
            objection = objections.record_objection(prospect, channel=channel, via=Route.LINK)
        except Prospect.DoesNotExist:  # Erased or purged since the lookup above.
            return HttpResponse("OK", content_type="text/plain") if one_click else _erased(request)
        if one_click:
            return HttpResponse("OK", content_type="text/plain")
        if objections.reduced(objection):
            return _reduced(request, prospect)
    context = {
        "done": objections.covering(prospect, channel=channel) is not None,
        "channel": Channel(channel) if channel else None,
        "preferences_url": links.preferences_url(prospect),
    }
    return _page(request, "consent/public_unsubscribe.html", context, prospect=prospect)


@require_http_methods(["GET", "POST"])
def preference_page(request: HttpRequest, token: str) -> HttpResponse:
    """Per channel and purpose: object, or withdraw a consent; takes effect on saving."""
    try:
        prospect = Prospect.objects.filter(pk=links.read_preferences(token)).first()
    except links.BadLink:
        return _bad_link(request)
    if prospect is None:
        return _erased(request)
    saved = False
    with _speaking(request, prospect):
        form = _preferences_form(prospect, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                kept = preferences.apply_preferences(prospect, **form.cleaned_data).kept
            except Prospect.DoesNotExist:  # Erased or purged since the lookup above.
                return _erased(request)
            if not kept:
                return _reduced(request, prospect)
            form, saved = _preferences_form(prospect, None), True
        context = {"form": form, "channels": preferences.channel_choices(prospect), "saved": saved}
    return _page(
        request,
        "consent/public_preferences.html",
        context,
        prospect=prospect,
        status=400 if form.errors else 200,
    )


def _preferences_form(prospect: Prospect, data) -> PreferencesForm:
    return PreferencesForm(
        data, channels=preferences.channel_choices(prospect), consents=preferences.valid_consents(prospect)
    )


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The prospect ticks what they agree to; a confirmation email follows (double opt-in)."""
    try:
        prospect_id, issuer_id = links.read_invitation(token)
    except links.BadLink:
        return _bad_link(request)
    prospect = Prospect.objects.filter(pk=prospect_id).first()
    # The consent is given to the company: a link stays good after its rep has left, and the
    # rep is kept only as the recorded collector.
    issuer = get_user_model().objects.filter(pk=issuer_id).first()
    if prospect is None or issuer is None:
        return _erased(request) if prospect is None else _bad_link(request)
    with _speaking(request, prospect):
        form = InvitationForm(request.POST or None, offered=invitations.choices_for(prospect))
        if request.method == "POST" and form.is_valid():
            try:
                invitations.accept_invitation(
                    prospect, chosen=form.cleaned_data["choices"], issued_by=issuer, **_client(request)
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return _message(request, _("Check your mailbox"), str(SENT), prospect=prospect)
    status = 400 if form.errors else 200
    return _page(request, "consent/public_invitation.html", {"form": form}, prospect=prospect, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Second step of the double opt-in: GET shows the choices and a button, POST confirms them."""
    try:
        prospect_id, consent_ids = links.read_confirmation(token)
    except links.BadLink:
        return _bad_link(request)
    prospect = Prospect.objects.filter(pk=prospect_id).first()
    if prospect is None:
        return _erased(request)
    if request.method == "POST":
        confirmed = recording.confirm_consents(prospect, consent_ids=consent_ids, **_client(request))
        with _speaking(request, prospect):
            text = _("Your choices are confirmed (%(count)s). You can withdraw them at any time.")
            return _message(request, _("Thank you"), text % {"count": len(confirmed)}, prospect=prospect)
    consents = Consent.objects.filter(prospect=prospect, pk__in=consent_ids).select_related("purpose")
    return _page(request, "consent/public_confirm.html", {"consents": consents}, prospect=prospect)
