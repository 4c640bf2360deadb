"""REST API for the pipeline: the stages, the product categories, and one prospect's stage and
customer status. The same domain functions as the pages (pipeline.py, customers.py)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from org.access import record_access
from org.api import ROLES_BY_METHOD, StrictInput, as_api_error
from org.models import AccessAction
from org.roles import HasRole
from prospects import customers, pipeline
from prospects.models import ProductCategory, Prospect, Stage, StageChange


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "position", "outcome"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    similar_to = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ProductCategory
        fields = ["id", "name", "similar_to"]
        read_only_fields = fields


class InOrder(CursorPagination):
    ordering = ("position", "id")
    page_size = 100


class ByName(CursorPagination):
    ordering = ("name", "id")
    page_size = 100


class StageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The pipeline's stages in their order; the admin edits them on the pipeline page."""

    serializer_class = StageSerializer
    pagination_class = InOrder
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ROLES_BY_METHOD
    queryset = Stage.objects.all()


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """What customers buy and campaigns offer; the admin edits them on the pipeline page."""

    serializer_class = CategorySerializer
    pagination_class = ByName
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ROLES_BY_METHOD
    queryset = ProductCategory.objects.prefetch_related("similar_to")


class StageChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", read_only=True, default=None)

    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "changed_by", "changed_at"]
        read_only_fields = fields


class PipelineSerializer(StrictInput, serializers.ModelSerializer):
    """A prospect's stage and customer status (docs/rules.md §1.1 customer_similar, §2.1)."""

    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(),
        required=False,
        help_text="Moving to a won stage makes the prospect a customer: give `customer_category` then.",
    )
    customer_category = serializers.PrimaryKeyRelatedField(
        queryset=ProductCategory.objects.all(), required=False, allow_null=True, help_text="What was sold."
    )
    customer_opt_out_evidence = serializers.CharField(required=False, allow_blank=True, max_length=300)
    stage_changes = StageChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Prospect
        fields = [
            "stage", "is_customer", "customer_since", "customer_category", "customer_opt_out_offered",
            "customer_opt_out_offered_at", "customer_opt_out_evidence", "customer_relationship_ended_at",
            "stage_changes",
        ]  # fmt: skip
        extra_kwargs = {
            "is_customer": {"required": False},
            "customer_opt_out_offered": {"required": False},
        }

    def update(self, prospect: Prospect, validated: dict) -> Prospect:
        by = self.context["request"].user
        stage = validated.pop("stage", None)
        try:
            with transaction.atomic():
                if stage is not None:
                    pipeline.move(prospect, stage, by=by, category=validated.get("customer_category"))
                    prospect.refresh_from_db()
                if validated:
                    customers.update_customer(prospect, by=by, reason="customer status (API)", **validated)
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        prospect.refresh_from_db()
        return prospect


class PipelineView(GenericAPIView):
    """One prospect's stage, its history, and its customer status; 404 outside the caller's reach."""

    serializer_class = PipelineSerializer
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ROLES_BY_METHOD

    def get_object(self) -> Prospect:
        return get_object_or_404(
            Prospect.objects.visible_to(self.request.user), pk=self.kwargs["prospect_pk"]
        )

    @extend_schema(summary="A prospect's stage and customer status")
    def get(self, request: Request, prospect_pk: int) -> Response:
        prospect = self.get_object()
        # CNIL délib. 2021-122: a read of a contact record is logged.
        record_access(request.user, [prospect.pk], action=AccessAction.API_READ)
        return Response(self.get_serializer(prospect).data)

    @extend_schema(summary="Move a prospect to a stage, or change its customer status")
    def patch(self, request: Request, prospect_pk: int) -> Response:
        prospect = self.get_object()
        serializer = self.get_serializer(prospect, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(self.get_serializer(prospect).data)
