"""Read-only API of the register, for the DPO."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from org.api import StrictInput
from org.roles import HasRole, Role
from registry import art30


class RegisterParameters(StrictInput, serializers.Serializer):
    lang = serializers.ChoiceField(choices=list(art30.LANGUAGES), default="en", help_text="Language")


class RegisterView(APIView):
    """The Art. 30 register as JSON, with its version and live figures."""

    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.DPO,)

    @extend_schema(
        summary="The Art. 30 register with its live figures",
        parameters=[RegisterParameters],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        parameters = RegisterParameters(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        return Response(art30.build_register(language=parameters.validated_data["lang"]))
