"""The project's own API views: who is logged in, and the JSON 404 under /api/."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from org.roles import roles_of


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
