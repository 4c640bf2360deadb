"""REST API of next steps: the team's steps, listed, added, changed and completed."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from org.api import ROLES_BY_METHOD, StrictInput, as_api_error, since_1970
from org.roles import HasRole
from prospects import next_steps
from prospects.models import InteractionType, NextStep, Prospect

STATUSES = ("open", "done", "all")


class VisibleProspect(serializers.PrimaryKeyRelatedField):
    """A prospect id among those the caller sees; any other id reads as one that does not exist."""

    def get_queryset(self):
        return Prospect.objects.visible_to(self.context["request"].user)


class ActiveRep(serializers.SlugRelatedField):
    """A username; whether it may own the step is the domain's rule (next_steps._owner)."""

    def get_queryset(self):
        return get_user_model().objects.filter(is_active=True)


class NextStepSerializer(StrictInput, serializers.ModelSerializer):
    prospect = VisibleProspect()
    owner = ActiveRep(slug_field="username", required=False, help_text="Username; you by default.")
    due_at = serializers.DateTimeField(validators=[since_1970])
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    interaction = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = NextStep
        fields = [
            "id", "prospect", "what", "due_at", "owner", "created_by", "created_at",
            "done_at", "done_by", "interaction",
        ]  # fmt: skip
        read_only_fields = ["created_at", "done_at"]
        extra_kwargs = {"what": {"min_length": 1}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # A step stays on its prospect: to move it, complete it and add another.
            fields["prospect"].read_only = True
        return fields

    def create(self, validated):
        try:
            return next_steps.add_next_step(by=self.context["request"].user, **validated)
        except DjangoValidationError as error:
            raise as_api_error(error) from error

    def update(self, instance, validated):
        try:
            return next_steps.update_next_step(instance, by=self.context["request"].user, **validated)
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class CompletionSerializer(StrictInput, serializers.Serializer):
    """Done; with ``interaction_type``, the interaction the step was for is logged too."""

    interaction_type = serializers.ChoiceField(choices=InteractionType.choices, required=False)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    occurred_at = serializers.DateTimeField(required=False, validators=[since_1970])


class StatusFilter(StrictInput, serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s, s) for s in STATUSES], required=False, default="open")


class SoonestFirst(CursorPagination):
    ordering = ("due_at", "id")
    page_size = 50


@extend_schema_view(
    list=extend_schema(
        summary="Next steps of your team's prospects, soonest first",
        parameters=[
            OpenApiParameter("status", enum=list(STATUSES), default="open", description="open, done or all"),
            OpenApiParameter("prospect", int, description="Only this prospect's steps"),
        ],
    ),
    create=extend_schema(summary="Add a next step to a prospect"),
    complete=extend_schema(
        summary="Mark a step done, and log the interaction it was for",
        request=CompletionSerializer,
        responses=NextStepSerializer,
    ),
)
class NextStepViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = NextStepSerializer
    # A state refusal is a 409 (org/conflicts.py); the schema lists it for these actions.
    conflicting_actions = ("update", "partial_update", "complete")
    pagination_class = SoonestFirst
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ROLES_BY_METHOD

    def get_queryset(self):
        steps = NextStep.objects.visible_to(self.request.user).select_related(
            "owner", "created_by", "done_by"
        )
        if self.action != "list":
            return steps
        params = StatusFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        status = params.validated_data["status"]
        if status != "all":
            steps = steps.filter(done_at__isnull=status == "open")
        prospect = self.request.query_params.get("prospect", "")
        if prospect:
            if not prospect.isdigit() or len(prospect) > 18:
                raise serializers.ValidationError({"prospect": [_("A prospect id is a whole number.")]})
            steps = steps.filter(prospect_id=int(prospect))
        return steps

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None, format=None):
        step = self.get_object()
        given = CompletionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            done = next_steps.complete_next_step(step, by=request.user, **given.validated_data)
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response(NextStepSerializer(done, context=self.get_serializer_context()).data)
