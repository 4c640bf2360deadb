"""REST API for webhook endpoints (admins only): register, change, read the deliveries."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated

from org.api import StrictInput, as_api_error
from org.roles import HasRole, Role
from prospects import webhooks
from prospects.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType

ADMINS = {"*": (Role.ADMIN,)}


class ByUrl(CursorPagination):
    ordering = ("url", "id")
    page_size = 50


class NewestFirst(CursorPagination):
    ordering = ("-id",)
    page_size = 50


class EndpointSerializer(StrictInput, serializers.ModelSerializer):
    url = serializers.URLField(max_length=500, help_text="Where Loyal posts, http:// or https://.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices),
        min_length=1,
        help_text="The events this endpoint receives.",
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "active",
            "failing_since",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = ["failing_since", "disabled_reason", "created_at"]

    def create(self, validated):
        try:
            return webhooks.register(
                url=validated["url"],
                events=validated["events"],
                description=validated.get("description", ""),
                by=self.context["request"].user,
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error

    def update(self, instance, validated):
        current = {key: getattr(instance, key) for key in ("url", "events", "description", "active")}
        try:
            return webhooks.update(instance, **{**current, **validated})
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class CreatedEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret (Standard Webhooks, whsec_…), answered this once only."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "latency_ms", "ok", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="event.key", read_only=True)
    event = serializers.ChoiceField(source="event.type", choices=WebhookEventType.choices, read_only=True)
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "event",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "attempt_log",
        ]


@extend_schema_view(
    list=extend_schema(summary="Webhook endpoints (admins)"),
    create=extend_schema(
        summary="Register a webhook endpoint; the answer holds its signing secret, this once",
        responses={201: CreatedEndpointSerializer},
    ),
    update=extend_schema(summary="Change a webhook endpoint"),
    partial_update=extend_schema(summary="Change a webhook endpoint (switch it on or off)"),
    destroy=extend_schema(summary="Delete a webhook endpoint and its deliveries"),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = WebhookEndpoint.objects.all()
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ADMINS
    pagination_class = ByUrl

    def get_serializer_class(self):
        return CreatedEndpointSerializer if self.action == "create" else EndpointSerializer

    @extend_schema(
        summary="An endpoint's deliveries, newest first, with every attempt",
        responses=DeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None, format=None):
        endpoint = self.get_object()
        rows = endpoint.deliveries.select_related("event").prefetch_related("attempt_log")
        paginator = NewestFirst()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(DeliverySerializer(page, many=True).data)
