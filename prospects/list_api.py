"""REST API for static lists and saved views (segments): the same domain functions as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from org.api import ROLES_BY_METHOD, StrictInput, as_api_error
from org.roles import HasRole
from prospects import listing, lists, saved_views
from prospects.api import ProspectFilterSerializer
from prospects.models import ProspectList, SavedView

MAX_IDS = 1000
SORT_VALUES = sorted({value for key in listing.SORTS for value in (key, f"-{key}")})


class ByName(CursorPagination):
    ordering = ("name", "id")
    page_size = 50


# --- Lists -----------------------------------------------------------------------------------


class ListSerializer(StrictInput, serializers.ModelSerializer):
    size = serializers.IntegerField(read_only=True, help_text="How many prospects are on the list.")
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = ProspectList
        fields = ["id", "name", "size", "created_by", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"name": {"validators": [], "min_length": 1}}

    def create(self, validated):
        try:
            made = lists.create_list(name=validated["name"], by=self.context["request"].user)
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        made.size = 0
        return made

    def update(self, instance, validated):
        if "name" not in validated:
            return instance
        try:
            return lists.rename_list(instance, name=validated["name"])
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class MembersSerializer(StrictInput, serializers.Serializer):
    prospects = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        min_length=1,
        max_length=MAX_IDS,
        help_text="Ids of prospects of the list's team. Any other id is refused, with nothing changed.",
    )


Added = inline_serializer("ListMembersAdded", {"added": serializers.IntegerField()})
Removed = inline_serializer("ListMembersRemoved", {"removed": serializers.IntegerField()})


@extend_schema_view(
    list=extend_schema(summary="Your team's static lists, by name"),
    create=extend_schema(summary="Create a list (its name unique in the team)"),
    update=extend_schema(summary="Rename a list"),
    partial_update=extend_schema(summary="Rename a list"),
    destroy=extend_schema(summary="Delete a list (refused while a campaign targets it)"),
)
class ListViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ListSerializer
    # A state refusal is a 409 (org/conflicts.py); the schema lists it for these actions.
    conflicting_actions = ("destroy",)
    pagination_class = ByName
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ROLES_BY_METHOD

    def get_queryset(self):
        seen = ProspectList.objects.visible_to(self.request.user)
        return seen.select_related("created_by").annotate(size=Count("members"))

    def perform_destroy(self, instance):
        try:
            lists.delete_list(instance)
        except DjangoValidationError as error:
            raise as_api_error(error) from error

    def _members(self, request):
        prospect_list = self.get_object()
        data = MembersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            chosen = lists.members_by_id(
                prospect_list, ids=data.validated_data["prospects"], viewer=request.user
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return prospect_list, chosen

    @extend_schema(summary="Add prospects to the list by id", request=MembersSerializer, responses=Added)
    @action(detail=True, methods=["post"], url_path="members")
    def add(self, request, pk=None, format=None):
        prospect_list, chosen = self._members(request)
        added = lists.add_to_list(prospect_list, prospects=chosen, by=request.user)
        return Response({"added": added})

    @extend_schema(summary="Take prospects off the list by id", request=MembersSerializer, responses=Removed)
    @action(detail=True, methods=["post"], url_path="members/remove")
    def remove(self, request, pk=None, format=None):
        prospect_list, chosen = self._members(request)
        return Response({"removed": lists.remove_members(prospect_list, prospects=chosen)})


# --- Saved views -----------------------------------------------------------------------------


class ViewFiltersSerializer(ProspectFilterSerializer):
    """A saved view's filter: the list's query parameters, and a list of the team."""

    # Null in an answer: the view does not filter on it.
    owner = serializers.IntegerField(
        required=False,
        default=None,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The owner's user id",
    )
    in_list = serializers.IntegerField(
        required=False,
        default=None,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="A static list's id",
    )

    def validate_in_list(self, value):
        user = self.context["request"].user
        if value is not None and not ProspectList.objects.visible_to(user).filter(pk=value).exists():
            raise serializers.ValidationError("Choose one of your team's lists.")
        return value


class SavedViewSerializer(StrictInput, serializers.ModelSerializer):
    filters = ViewFiltersSerializer(
        required=False, help_text="The filter; a key left out is not filtered on."
    )
    sort = serializers.ChoiceField(choices=SORT_VALUES, required=False, default=listing.DEFAULT_SORT)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = SavedView
        fields = ["id", "name", "filters", "sort", "shared", "created_by", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"name": {"min_length": 1}}

    def to_representation(self, view: SavedView) -> dict:
        shown = super().to_representation(view)
        shown["sort"] = listing.sort_value(view.sort)  # a view saved without one: the default
        return shown

    def create(self, validated):
        filters = listing.Filters(**validated.get("filters", {}))
        try:
            return saved_views.save_view(
                name=validated["name"],
                filters=filters,
                sort=validated["sort"],
                shared=validated.get("shared", False),
                by=self.context["request"].user,
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error


@extend_schema_view(
    list=extend_schema(summary="Saved views you may use: your own and those your team shares"),
    create=extend_schema(summary="Save a filter under a name, private or shared with the team"),
    destroy=extend_schema(summary="Delete your own view (refused while a campaign targets it)"),
)
class SavedViewViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SavedViewSerializer
    pagination_class = ByName
    permission_classes = [IsAuthenticated, HasRole]
    roles_by_method = ROLES_BY_METHOD

    def get_queryset(self):
        return SavedView.objects.visible_to(self.request.user).select_related("created_by")

    def perform_destroy(self, instance):
        try:
            saved_views.delete_view(instance, by=self.request.user)
        except DjangoValidationError as error:
            raise as_api_error(error) from error
