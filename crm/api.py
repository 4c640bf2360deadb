from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from crm.roles import roles_of


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
