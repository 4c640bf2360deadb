"""REST API for a prospect's consents and objections: listed and added, never edited or deleted.

A withdrawal is the creation of a withdrawal row (GDPR 7(3)); the same domain functions
as the pages record everything, so the API cannot skip the proof or the suppression.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.pagination import CursorPagination

from consent import objections, recording
from consent.channels import Channel
from consent.models import STAFF_ROUTES, Action, Consent, Method, Objection, Route
from org.api import StrictInput, as_api_error, since_1970
from prospects.api import ProspectChildViewSet


def staff_route(value: str) -> str:
    """The schema's enum holds every route an answer may carry; a rep records only theirs."""
    if value and value not in {route.value for route in STAFF_ROUTES}:
        raise serializers.ValidationError(
            _(
                "“%(route)s” is recorded by the person themselves (unsubscribe link, preference "
                "page); choose reply, phone, letter, broker or request."
            )
            % {"route": value}
        )
    return value


class ConsentSerializer(StrictInput, serializers.ModelSerializer):
    """A grant needs its proof (method, wording, wording_version, and for an online consent
    ip and user_agent, for a signed form evidence_ref, for a broker broker_contract_ref);
    a withdrawal needs received_via."""

    purpose = serializers.SlugRelatedField(slug_field="code", read_only=True)
    purpose_code = serializers.CharField(
        write_only=True, min_length=1, help_text="b2b_prospecting, newsletter, events…"
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    action = serializers.ChoiceField(choices=Action.choices)
    method = serializers.ChoiceField(choices=Method.choices, required=False, allow_blank=True, default="")
    received_via = serializers.ChoiceField(
        choices=Route.choices, required=False, allow_blank=True, default="", validators=[staff_route]
    )
    counts = serializers.BooleanField(
        read_only=True,
        help_text="Whether this event decides the consent state: false while a double opt-in awaits "
        "confirmation, and for a broker's grant whose form did not name us.",
    )
    # Null until a double opt-in is confirmed; null when nobody of ours collected or recorded it.
    confirmed_at = serializers.DateTimeField(
        source="confirmation.confirmed_at", read_only=True, default=None, allow_null=True
    )
    collected_by = serializers.CharField(
        source="collected_by.username", read_only=True, default=None, allow_null=True
    )
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Consent
        fields = [
            "id", "purpose", "purpose_code", "channel", "action", "given_at", "method", "wording",
            "wording_version", "wording_sha256", "ip", "user_agent", "evidence_ref", "broker",
            "broker_contract_ref", "broker_named_us", "received_via", "collected_by", "recorded_by",
            "recorded_at", "confirmed_at", "counts",
        ]  # fmt: skip
        read_only_fields = ["wording_sha256", "recorded_at"]
        extra_kwargs = {"given_at": {"required": False, "validators": [since_1970]}}

    def create(self, validated):
        prospect, by = self.context["prospect"], self.context["request"].user
        try:
            if validated["action"] == Action.WITHDRAW:
                return recording.withdraw_consent(
                    prospect,
                    purpose_code=validated["purpose_code"],
                    channel=validated["channel"],
                    via=validated.get("received_via", ""),
                    by=by,
                    given_at=validated.get("given_at"),
                )
            proof = recording.Proof(
                method=validated.get("method", ""),
                wording=validated.get("wording", ""),
                wording_version=validated.get("wording_version", ""),
                given_at=validated.get("given_at"),
                ip=validated.get("ip"),
                user_agent=validated.get("user_agent", ""),
                evidence_ref=validated.get("evidence_ref", ""),
                broker=validated.get("broker", ""),
                broker_contract_ref=validated.get("broker_contract_ref", ""),
                broker_named_us=validated.get("broker_named_us", False),
            )
            return recording.record_consent(
                prospect,
                purpose_code=validated["purpose_code"],
                channel=validated["channel"],
                proof=proof,
                by=by,
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class ObjectionSerializer(StrictInput, serializers.ModelSerializer):
    # Blank: every channel. The same choice set as a consent's, so the schema names one enum.
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True, default="")
    received_via = serializers.ChoiceField(choices=Route.choices, validators=[staff_route])
    # Null when the person objected themselves (link, preference page); until forwarded.
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, default=None, allow_null=True
    )
    forwarded_to_broker_at = serializers.DateTimeField(
        source="forwarded_at", read_only=True, default=None, allow_null=True
    )
    record_reduced_to_hash = serializers.SerializerMethodField(
        help_text="True when this objection to every channel erased the record (GDPR art. 5(1)(c)): "
        "only the suppression hashes and the Art. 19 propagation entry remain, and the prospect's "
        "URLs now answer 404."
    )
    detail = serializers.SerializerMethodField(help_text="What happened, in the user's language.")

    class Meta:
        model = Objection
        fields = [
            "id", "channel", "received_via", "received_at", "recorded_by", "recorded_at", "broker",
            "broker_contract_ref", "broker_list_id", "forwarded_to_broker_at", "record_reduced_to_hash",
            "detail",
        ]  # fmt: skip
        read_only_fields = ["recorded_at", "broker", "broker_contract_ref", "broker_list_id"]
        extra_kwargs = {"received_at": {"required": False, "validators": [since_1970]}}

    def get_record_reduced_to_hash(self, objection: Objection) -> bool:
        return objections.reduced(objection)

    def get_detail(self, objection: Objection) -> str:
        return str(objections.REDUCED) if objections.reduced(objection) else ""

    def create(self, validated):
        try:
            return objections.record_objection(
                self.context["prospect"],
                channel=validated.get("channel", ""),
                via=validated["received_via"],
                by=self.context["request"].user,
                received_at=validated.get("received_at"),
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class NewestFirst(CursorPagination):
    ordering = ("-recorded_at", "-id")
    page_size = 50


@extend_schema_view(
    list=extend_schema(summary="Consent events of a prospect, with their proof, newest first"),
    create=extend_schema(summary="Record a consent with its proof, or its withdrawal (a new row)"),
)
class ConsentViewSet(ProspectChildViewSet):
    serializer_class = ConsentSerializer
    # A consent already withdrawn cannot be withdrawn again: a 409 (org/conflicts.py).
    conflicting_actions = ("create",)
    pagination_class = NewestFirst

    def get_queryset(self):
        return Consent.objects.filter(prospect=self.prospect()).select_related(
            "purpose", "confirmation", "collected_by", "recorded_by"
        )


@extend_schema_view(
    list=extend_schema(summary="Objections of a prospect (GDPR art. 21), newest first"),
    create=extend_schema(summary="Record an objection, on one channel or all; it is applied at once"),
)
class ObjectionViewSet(ProspectChildViewSet):
    serializer_class = ObjectionSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return Objection.objects.filter(prospect=self.prospect()).select_related(
            "recorded_by", "forwarded_in"
        )
