"""REST API for prospects and their interactions; the same domain functions as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from org.access import record_access
from org.api import ROLES_BY_METHOD, StrictInput, as_api_error, since_1970
from org.models import AccessAction
from org.roles import HasRole
from prospects import intake, listing, timeline
from prospects.audience import Audience
from prospects.models import Interaction, InteractionType, Language, Prospect, Source, SourceType


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "type", "evidence", "acquired_at", "notice", "notice_sent_at"]
        read_only_fields = fields

    def to_representation(self, source: Source) -> dict:
        """What DRF's walk over the fields gives, built directly (see ProspectSerializer)."""
        when = self.fields["acquired_at"].to_representation
        return {
            "id": source.pk,
            "type": source.type,
            "evidence": source.evidence,
            "acquired_at": when(source.acquired_at),
            "notice": source.notice,
            "notice_sent_at": when(source.notice_sent_at) if source.notice_sent_at else None,
        }


class SourceInputSerializer(serializers.Serializer):
    """`type` plus the evidence fields that type requires (see provenance.EVIDENCE)."""

    type = serializers.CharField(help_text="One of: " + ", ".join(SourceType.values))

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError({"type": ["Give the source as an object with its type and evidence."]})
        evidence = {key: value for key, value in data.items() if key != "type"}
        return intake.SourceData(type=str(data.get("type") or ""), evidence=evidence)


class ProspectSerializer(StrictInput, serializers.ModelSerializer):
    company = serializers.CharField(source="company_name", required=False, allow_blank=True, default="")
    email = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    linkedin_url = serializers.CharField(required=False, allow_blank=True, default="")
    audience = serializers.ChoiceField(choices=Audience.choices, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.FR)
    owner = serializers.CharField(source="owner.username", read_only=True)
    sources = SourceSerializer(many=True, read_only=True)
    source = SourceInputSerializer(
        write_only=True,
        required=False,
        help_text="How the data came in: given at intake, refused on an update.",
    )
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = Prospect
        fields = [
            "id", "first_name", "last_name", "email", "phone", "job_title", "company", "linkedin_url",
            "language", "audience", "audience_justification", "sole_trader", "owner", "sources", "source",
            "note",
            "retention_until", "last_prospect_contact_at", "created_at",
        ]  # fmt: skip
        read_only_fields = ["retention_until", "last_prospect_contact_at", "created_at"]

    def to_representation(self, prospect: Prospect) -> dict:
        """The declared readable fields, built directly rather than by DRF's walk over them.

        The walk (a getattr chain, a type check and a method call per field) was the
        largest Python cost of a list page: 50 prospects × 17 fields, and their sources.
        tests/prospects/test_api.py checks the output equals DRF's own, field for field.
        """
        when = self.fields["created_at"].to_representation
        contact = prospect.last_prospect_contact_at
        listed = getattr(prospect, "source_list", None)  # the list's prefetch (get_queryset)
        sources = prospect.sources.all() if listed is None else listed
        return {
            "id": prospect.pk,
            "first_name": prospect.first_name,
            "last_name": prospect.last_name,
            "email": prospect.email,
            "phone": prospect.phone,
            "job_title": prospect.job_title,
            "company": prospect.company_name,
            "linkedin_url": prospect.linkedin_url,
            "language": prospect.language,
            "audience": prospect.audience,
            "audience_justification": prospect.audience_justification,
            "sole_trader": prospect.sole_trader,
            "owner": prospect.owner.username,
            "sources": self.fields["sources"].to_representation(sources),
            "retention_until": prospect.retention_until.isoformat(),
            "last_prospect_contact_at": when(contact) if contact else None,
            "created_at": when(prospect.created_at),
        }

    def validate_source(self, source: intake.SourceData) -> intake.SourceData:
        if self.instance is not None:
            # Provenance is evidence of how the data came in (Art. 14): written once, at intake.
            raise ValidationError(
                _("The source is recorded when the prospect is logged; it cannot be changed.")
            )
        return source

    def _to_domain(self, validated: dict) -> intake.ProspectData:
        merged = {**self._current(), **validated}
        return intake.ProspectData(
            first_name=merged.get("first_name", ""),
            last_name=merged.get("last_name", ""),
            job_title=merged.get("job_title", ""),
            company_name=merged.get("company_name", ""),
            email=merged.get("email", ""),
            phone=merged.get("phone", ""),
            linkedin_url=merged.get("linkedin_url", ""),
            language=merged.get("language", Language.FR),
            audience=merged.get("audience", ""),
            audience_justification=merged.get("audience_justification", ""),
            sole_trader=merged.get("sole_trader", False),
            note=validated.get("note", ""),
        )

    def _current(self) -> dict:
        if self.instance is None or not self.partial:
            return {}
        p = self.instance
        return {
            "first_name": p.first_name, "last_name": p.last_name, "job_title": p.job_title,
            "company_name": p.company_name, "email": p.email, "phone": p.phone,
            "linkedin_url": p.linkedin_url, "language": p.language, "audience": intake.chosen_audience(p),
            "audience_justification": p.audience_justification, "sole_trader": p.sole_trader,
        }  # fmt: skip

    def create(self, validated):
        try:
            return intake.create_prospect(
                self._to_domain(validated), source=validated.get("source"), by=self.context["request"].user
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error

    def update(self, instance, validated):
        try:
            return intake.update_prospect(
                instance, self._to_domain(validated), by=self.context["request"].user
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class NewestFirst(BasePagination):
    """Keyset pagination on (created_at, id), as on the list page: no OFFSET, even where
    thousands of rows share one creation time (an import's batch), and no COUNT(*)."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        cursor = request.query_params.get(self.cursor_query_param, "")
        if cursor and listing.decode_cursor(cursor) is None:
            raise NotFound("Invalid cursor")
        rows, self.next_cursor = listing.page(queryset, after=cursor)
        return rows

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": None, "results": data})

    def get_next_link(self) -> str | None:
        if not self.next_cursor:
            return None
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        described = "The page cursor from `next`."
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": described,
                "schema": {"type": "string"},
            }
        ]


class ProspectFilterSerializer(StrictInput, serializers.Serializer):
    """The list's query parameters: the same search and filters as the prospects page."""

    q = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Name or company, or an exact email or phone"
    )
    source_type = serializers.ChoiceField(
        choices=SourceType.choices, required=False, allow_blank=True, default=""
    )
    audience = serializers.ChoiceField(choices=Audience.choices, required=False, allow_blank=True, default="")
    contactable = serializers.ChoiceField(choices=["yes", "no"], required=False, allow_blank=True, default="")
    # A user id fits in 32 bits; SQLite cannot even compare a number beyond 64 (a server error).
    owner = serializers.IntegerField(
        required=False, default=None, min_value=1, max_value=2**31 - 1, help_text="The owner's user id"
    )
    ending_soon = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The purge deletes it within the grace window (LOYAL_RETENTION_GRACE_DAYS, 30 by default)",
    )

    def validate_q(self, value: str) -> str:
        if problem := listing.search_problem(value):
            raise serializers.ValidationError(problem)
        return value

    def to_filters(self) -> listing.Filters:
        return listing.Filters(**self.validated_data)


@extend_schema_view(
    list=extend_schema(summary="Prospects of your team, newest first", parameters=[ProspectFilterSerializer]),
    create=extend_schema(summary="Log a prospect with its source"),
)
class ProspectViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProspectSerializer
    pagination_class = NewestFirst
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ROLES_BY_METHOD

    def get_queryset(self):
        return (
            Prospect.objects.visible_to(self.request.user)
            .select_related("company", "owner")
            # Into a list: a prefetch into each row's manager built a queryset per row.
            .prefetch_related(Prefetch("sources", to_attr="source_list"))
        )

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        # CNIL délib. 2021-122: a read of a contact record is logged (who, when, which).
        record_access(request.user, [int(kwargs["pk"])], action=AccessAction.API_READ)
        return response

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = ProspectFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return listing.filtered(queryset, params.to_filters())


class InteractionSerializer(StrictInput, serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=InteractionType.choices)

    class Meta:
        model = Interaction
        fields = [
            "id",
            "type",
            "direction",
            "is_voluntary_prospect_contact",
            "occurred_at",
            "summary",
            "recorded_at",
        ]
        read_only_fields = ["direction", "is_voluntary_prospect_contact", "recorded_at"]
        extra_kwargs = {"occurred_at": {"required": False, "validators": [since_1970]}}

    def create(self, validated):
        try:
            return timeline.record_interaction(
                self.context["prospect"], by=self.context["request"].user, **validated
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class LatestFirst(CursorPagination):
    ordering = ("-occurred_at", "-id")
    page_size = 50


class ProspectChildViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Append-only rows of one prospect visible to the caller (404 otherwise): listed and added,
    never edited or deleted. Subclasses set the serializer, the queryset and the ordering."""

    pagination_class = LatestFirst
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ROLES_BY_METHOD

    def prospect(self) -> Prospect:
        return get_object_or_404(
            Prospect.objects.visible_to(self.request.user), pk=self.kwargs["prospect_pk"]
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "prospect_pk" in self.kwargs and self.request.method == "POST":
            context["prospect"] = self.prospect()
        return context


class InteractionViewSet(ProspectChildViewSet):
    serializer_class = InteractionSerializer

    def get_queryset(self):
        return Interaction.objects.filter(prospect=self.prospect())
