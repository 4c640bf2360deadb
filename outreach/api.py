"""REST API for campaigns: write, preview the gate's decisions, send, log manual contacts."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from consent.models import Purpose
from org.api import ROLES_BY_METHOD, StrictInput, as_api_error
from org.roles import HasRole
from outreach import campaigns, decisions, sending
from outreach.models import Campaign, Message
from outreach.policy import Reason
from outreach.reasons import how_to_fix
from prospects.models import ProductCategory, ProspectList, SavedView


class CampaignSerializer(StrictInput, serializers.ModelSerializer):
    purpose = serializers.SlugRelatedField(slug_field="code", queryset=Purpose.objects.filter(is_active=True))
    target_functions = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, max_length=50
    )
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    offer_category = serializers.PrimaryKeyRelatedField(
        queryset=ProductCategory.objects.all(),
        required=False,
        allow_null=True,
        help_text="The product or service category offered: the soft opt-in compares it with what a "
        "customer bought (docs/rules.md §1.1); without it, it fails closed.",
    )
    target_list = serializers.PrimaryKeyRelatedField(
        queryset=ProspectList.objects.none(),
        required=False,
        allow_null=True,
        help_text="The static list the campaign is for (give this or `target_segment`).",
    )
    target_segment = serializers.PrimaryKeyRelatedField(
        queryset=SavedView.objects.none(),
        required=False,
        allow_null=True,
        help_text="The saved view whose filter is the segment, evaluated again at send time.",
    )

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "purpose", "channel", "kind", "target_list", "target_segment",
            "target_functions", "offer_related_to_profession", "offer_category",
            "subject_fr", "body_fr", "subject_en", "body_en", "sender_name", "sender_email", "status",
            "created_by", "created_at", "decided_at", "send_requested_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = ["status", "created_at", "decided_at", "send_requested_at", "finished_at"]
        # Refused when blank: the schema says so (minLength).
        extra_kwargs = {"name": {"min_length": 1}, "sender_name": {"min_length": 1}}

    def get_fields(self):
        """The lists and segments the caller may use; any other id reads as not found."""
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["target_list"].queryset = ProspectList.objects.visible_to(request.user)
            fields["target_segment"].queryset = SavedView.objects.visible_to(request.user)
        return fields

    def create(self, validated):
        try:
            return campaigns.create_campaign(by=self.context["request"].user, **validated)
        except DjangoValidationError as error:
            raise as_api_error(error) from error

    def update(self, instance, validated):
        try:
            return campaigns.update_campaign(instance, by=self.context["request"].user, **validated)
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class RecipientSerializer(serializers.ModelSerializer):
    prospect_name = serializers.SerializerMethodField()
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    how_to_fix = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id", "prospect", "prospect_name", "decision", "reason", "reason_label", "legal_reference",
            "how_to_fix", "status", "refused_at_send", "carried_notice", "sent_at", "gate_inputs",
        ]  # fmt: skip
        read_only_fields = fields

    def get_prospect_name(self, message: Message) -> str:
        return message.prospect.full_name if message.prospect else ""

    def get_how_to_fix(self, message: Message) -> str:
        return how_to_fix(message.reason)


class ReasonCountSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Reason.choices)
    decision = serializers.CharField()
    count = serializers.IntegerField()
    how_to_fix = serializers.CharField()


PreviewSerializer = inline_serializer(
    "CampaignPreview",
    {
        "campaign": CampaignSerializer(),
        "counts": ReasonCountSerializer(many=True),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": RecipientSerializer(many=True),
    },
)
SendSerializer = inline_serializer(
    "CampaignSent",
    {
        "queued": serializers.IntegerField(),
        "status": serializers.CharField(),
        "sends_from": serializers.DateTimeField(
            allow_null=True, help_text="The end of the undo window: nothing is sent before"
        ),
    },
)
CancelSerializer = inline_serializer(
    "CampaignCancelled", {"held": serializers.IntegerField(), "status": serializers.CharField()}
)


class LogSerializer(StrictInput, serializers.Serializer):
    message = serializers.IntegerField()
    notice_given = serializers.BooleanField(default=False)


class PreviewParameters(StrictInput, serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=Reason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Only the recipients with this reason code.",
    )


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50


class InOutboxOrder(CursorPagination):
    ordering = ("id",)
    page_size = 100


@extend_schema_view(
    list=extend_schema(summary="Campaigns of your team, newest first"),
    create=extend_schema(summary="Prepare a campaign (a draft until previewed and sent)"),
)
class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CampaignSerializer
    # A state refusal is a 409 (org/conflicts.py); the schema lists it for these actions.
    conflicting_actions = ("update", "partial_update", "send", "cancel", "log")
    pagination_class = NewestFirst
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ROLES_BY_METHOD

    def get_queryset(self):
        return Campaign.objects.visible_to(self.request.user).select_related("purpose", "created_by")

    @extend_schema(
        summary="Every recipient with the gate's decision, reason and legal reference; counts per reason",
        parameters=[
            PreviewParameters,
            OpenApiParameter("cursor", str, description="The page cursor from `next` or `previous`."),
        ],
        responses=PreviewSerializer,
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None, format=None):
        parameters = PreviewParameters(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        campaign = decisions.decide_on_preview(self.get_object(), viewer=request.user)
        rows = Message.objects.filter(campaign=campaign).select_related("prospect")
        if reason := parameters.validated_data["reason"]:
            rows = rows.filter(reason=reason)
        paginator = InOutboxOrder()
        page = paginator.paginate_queryset(rows, request, view=self)
        counts = [
            {"reason": c.reason, "decision": c.decision, "count": c.count, "how_to_fix": c.how_to_fix}
            for c in campaigns.counts_per_reason(campaign)
        ]
        return Response(
            {
                "campaign": CampaignSerializer(campaign, context=self.get_serializer_context()).data,
                "counts": counts,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": RecipientSerializer(page, many=True).data,
            }
        )

    @extend_schema(
        summary="Send: queue every allowed message for the worker",
        description=(
            "The worker sends nothing before the undo window has ended (LOYAL_SEND_UNDO_SECONDS, "
            "`sends_from` in the answer); `cancel` takes the campaign back until then."
        ),
        request=None,
        responses={202: SendSerializer},
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None, format=None):
        campaign = self.get_object()
        try:
            queued = sending.start_sending(campaign, by=request.user)
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        campaign.refresh_from_db()
        return Response(
            {"queued": queued, "status": campaign.status, "sends_from": sending.sends_from(campaign)},
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary="Cancel the sending inside its undo window: nothing goes out",
        request=None,
        responses={200: CancelSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, format=None):
        campaign = self.get_object()
        try:
            held = sending.cancel_sending(campaign, by=request.user)
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        campaign.refresh_from_db()
        return Response({"held": held, "status": campaign.status})

    @extend_schema(
        summary="Log a contact made by hand (phone, post, SMS, LinkedIn) from the checklist",
        request=LogSerializer,
        responses=inline_serializer("ContactLogged", {"status": serializers.CharField()}),
    )
    @action(detail=True, methods=["post"])
    def log(self, request, pk=None, format=None):
        campaign = self.get_object()
        data = LogSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = Message.objects.filter(campaign=campaign, pk=data.validated_data["message"]).first()
        if message is None:
            raise ValidationError({"message": ["No such message in this campaign."]})
        try:
            outcome = sending.log_contact(
                message, by=request.user, notice_given=data.validated_data["notice_given"]
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response({"status": outcome})
