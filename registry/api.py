"""Read-only API of the register, for the DPO."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.roles import HasRole, Role
from registry import art30


class RegisterView(APIView):
    """The Art. 30 register as JSON, with its version and live figures."""

    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.DPO,)

    @extend_schema(
        summary="The Art. 30 register with its live figures",
        parameters=[OpenApiParameter("lang", str, enum=list(art30.LANGUAGES), description="Language")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        language = request.query_params.get("lang", "en")
        return Response(art30.build_register(language=language if language in art30.LANGUAGES else "en"))
