"""What every API module shares: who may read and write team data, and how domain errors read."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from crm.roles import Role, roles_of

READERS = (Role.SALES, Role.DPO, Role.ADMIN)
WRITERS = (Role.SALES, Role.ADMIN)
# The DPO reads team data and never edits it; writers reach a method a view lacks to get a 405.
ROLES_BY_METHOD = {
    "GET": READERS,
    "HEAD": READERS,
    "OPTIONS": READERS,
    **dict.fromkeys(("POST", "PUT", "PATCH", "DELETE"), WRITERS),
}

# The earliest moment the API takes for when something happened (an interaction, a consent, an
# objection): earlier is a typo, and before 1911 Paris time ran 9 min 21 s ahead of UTC, an
# offset that no RFC 3339 date-time (the API's format) can write.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def since_1970(value: datetime) -> None:
    if value < EARLIEST:
        raise ValidationError(_("Enter a date from 1 January 1970 on."))


def as_api_error(error: DjangoValidationError) -> ValidationError:
    """A domain error keyed by field as the same keys in JSON; "source.type" nests as {"source": {"type"}}."""
    if not hasattr(error, "error_dict"):
        return ValidationError({"non_field_errors": error.messages})
    detail: dict = {}
    for name, messages in error.message_dict.items():
        if name == "__all__":
            detail["non_field_errors"] = messages
        elif "." in name:
            parent, child = name.split(".", 1)
            detail.setdefault(parent, {})[child] = messages
        else:
            detail[name] = messages
    return ValidationError(detail)


@extend_schema(
    responses=inline_serializer(
        "Me",
        {"username": serializers.CharField(), "roles": serializers.ListField(child=serializers.CharField())},
    )
)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The authenticated user and their roles."""
    return Response({"username": request.user.get_username(), "roles": sorted(roles_of(request.user))})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL under /api/ that matches no route (``/api/prospects/abc/``) answers in JSON, like
    the API's own 404s; any other URL gets Django's page."""
    if request.path.startswith(reverse("api-root")):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
