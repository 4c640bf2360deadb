"""The admin's webhook pages: endpoints with their secret shown once, and each endpoint's deliveries."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from org.forms import DomainErrorsMixin
from org.roles import Role, role_required
from prospects import webhooks
from prospects.models import WebhookDelivery, WebhookEndpoint, WebhookEventType

DELIVERIES_SHOWN = 200


class EndpointForm(DomainErrorsMixin, forms.Form):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


def _endpoints_page(request: HttpRequest, form: EndpointForm, created: WebhookEndpoint | None = None):
    endpoints = WebhookEndpoint.objects.order_by("url", "pk")
    context = {"endpoints": endpoints, "form": form, "created": created}
    return render(request, "prospects/webhooks.html", context, status=400 if form.errors else 200)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest) -> HttpResponse:
    """The registered endpoints; a POST registers one and shows its secret, this once."""
    if request.method == "GET":
        return _endpoints_page(request, EndpointForm())
    form = EndpointForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = webhooks.register(
                url=data["url"], events=data["events"], description=data["description"], by=request.user
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            return _endpoints_page(request, EndpointForm(), created=created)
    return _endpoints_page(request, form)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One endpoint: its setting (a POST changes it) and its deliveries with every attempt."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    initial = {key: getattr(endpoint, key) for key in ("url", "description", "events", "active")}
    form = EndpointForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            webhooks.update(endpoint, **form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("prospects:webhook", pk=endpoint.pk)
    deliveries = (
        endpoint.deliveries.select_related("event").prefetch_related("attempt_log").order_by("-pk")
    )[:DELIVERIES_SHOWN]
    context = {"endpoint": endpoint, "form": form, "deliveries": deliveries}
    return render(request, "prospects/webhook.html", context, status=400 if form.errors else 200)


@role_required(Role.ADMIN)
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Another try of one delivery, under the same webhook-id (the receiver drops a repeat)."""
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    webhooks.resend(delivery)
    messages.success(request, _("The delivery is queued again."))
    return redirect("prospects:webhook", pk=delivery.endpoint_id)
