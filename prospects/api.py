"""REST API for prospects and their interactions; the same domain functions as the pages."""

from collections import defaultdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
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
from prospects import intake, listing, source_schema, timeline
from prospects.audience import Audience
from prospects.models import Interaction, InteractionType, Language, Prospect, Source, SourceType

# What a listed prospect and its sources read, as ``values()`` names; ProspectSerializer and
# the list build the same answer from them (prospect_shown), the list without model objects.
OWN_COLUMNS = (
    "id", "first_name", "last_name", "email", "phone", "job_title", "linkedin_url", "language",
    "audience", "audience_justification", "sole_trader", "company_only", "retention_until",
    "last_prospect_contact_at", "created_at",
)  # fmt: skip
PROSPECT_COLUMNS = (*OWN_COLUMNS, "company__name", "owner__username")
SOURCE_COLUMNS = ("id", "type", "evidence", "acquired_at", "notice", "notice_sent_at")
_when = serializers.DateTimeField().to_representation


def source_shown(row: dict) -> dict:
    sent = row["notice_sent_at"]
    return {
        "id": row["id"],
        "type": row["type"],
        "evidence": row["evidence"],
        "acquired_at": _when(row["acquired_at"]),
        "notice": row["notice"],
        "notice_sent_at": _when(sent) if sent else None,
    }


def prospect_shown(row: dict, sources: list[dict]) -> dict:
    """A prospect as the API shows it, from its ``values()`` row and its sources' rows."""
    contact = row["last_prospect_contact_at"]
    return {
        "id": row["id"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "email": row["email"],
        "phone": row["phone"],
        "job_title": row["job_title"],
        "company": row["company__name"] or "",
        "linkedin_url": row["linkedin_url"],
        "language": row["language"],
        "audience": row["audience"],
        "audience_justification": row["audience_justification"],
        "sole_trader": row["sole_trader"],
        "company_only": row["company_only"],
        "owner": row["owner__username"],
        "sources": [source_shown(source) for source in sources],
        "retention_until": row["retention_until"].isoformat(),
        "last_prospect_contact_at": _when(contact) if contact else None,
        "created_at": _when(row["created_at"]),
    }


@extend_schema_field(source_schema.SOURCES)
class SourceListSerializer(serializers.ListSerializer):
    """A prospect's sources; the schema gives each type's evidence (source_schema.py)."""


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "type", "evidence", "acquired_at", "notice", "notice_sent_at"]
        read_only_fields = fields
        list_serializer_class = SourceListSerializer

    def to_representation(self, source: Source) -> dict:
        """What DRF's walk over the fields gives, built directly (see ProspectSerializer)."""
        return source_shown({name: getattr(source, name) for name in SOURCE_COLUMNS})


@extend_schema_field(source_schema.SOURCE_INPUT)
class SourceInputSerializer(serializers.Serializer):
    """`type` plus the evidence fields that type requires (provenance.EVIDENCE); the schema
    gives one object per type (source_schema.py)."""

    type = serializers.CharField()

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
            "language", "audience", "audience_justification", "sole_trader", "company_only", "owner",
            "sources", "source",
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
        sources = prospect.sources.all()
        row = {name: getattr(prospect, name) for name in OWN_COLUMNS}
        row["company__name"] = prospect.company.name if prospect.company_id else None
        row["owner__username"] = prospect.owner.username
        return prospect_shown(row, [{name: getattr(s, name) for name in SOURCE_COLUMNS} for s in sources])

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
            company_only=merged.get("company_only", False),
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
            "company_only": p.company_only,
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
        return Prospect.objects.visible_to(self.request.user).select_related("company", "owner")

    def list(self, request, *args, **kwargs):
        """A page read as plain rows: 50 model objects, their companies, owners and sources
        cost more Python than the rest of the request (bench --http, API list)."""
        queryset = self.filter_queryset(Prospect.objects.visible_to(request.user))
        rows = self.paginate_queryset(queryset.values(*PROSPECT_COLUMNS))
        sources = defaultdict(list)
        listed = Source.objects.filter(prospect_id__in=[row["id"] for row in rows])
        for source in listed.order_by("acquired_at", "id").values("prospect_id", *SOURCE_COLUMNS):
            sources[source["prospect_id"]].append(source)
        return self.get_paginated_response([prospect_shown(row, sources[row["id"]]) for row in rows])

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
