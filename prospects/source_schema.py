"""The OpenAPI shape of a source, one object per source type, drawn from provenance.EVIDENCE.

An integrator must be able to log a prospect from the schema alone: which evidence a type
needs, in which format, and which of it is required (GDPR 5(2), 14(2)(f): the source is
evidence of how the data came in). The serializers here describe; the API still reads a
source through ``SourceInputSerializer`` and checks it with ``provenance.clean_evidence``.
"""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from prospects.models import Notice, SourceType
from prospects.provenance import EVIDENCE, EvidenceField


def _camel(value: str) -> str:
    return "".join(part.capitalize() for part in value.split("_"))


def _type_field(value: str) -> serializers.Field:
    """The discriminator: one constant, so each type's object names only its own type."""
    field_class = extend_schema_field({"type": "string", "enum": [value]})(
        type(f"{_camel(value)}Type", (serializers.CharField,), {})
    )
    return field_class(help_text=str(SourceType(value).label))


def _input_field(spec: EvidenceField) -> serializers.Field:
    help_text = str(spec.label)
    if spec.kind == "bool":
        return serializers.BooleanField(required=False, default=False, help_text=help_text)
    if spec.kind == "date":
        return serializers.DateField(required=spec.required, help_text=help_text + " (not in the future)")
    if spec.kind == "url":
        return serializers.CharField(
            min_length=1, help_text=help_text + " (https://www.linkedin.com/in/…, the profile only)"
        )
    if spec.required:
        # A blank or whitespace-only value is refused as missing (provenance._clean_field).
        return serializers.CharField(min_length=1, help_text=help_text)
    return serializers.CharField(required=False, allow_blank=True, help_text=help_text)


def _output_field(spec: EvidenceField) -> serializers.Field:
    help_text = str(spec.label)
    if spec.kind == "bool":
        return serializers.BooleanField(help_text=help_text)
    if spec.kind == "date":
        return serializers.DateField(help_text=help_text)
    if spec.kind == "url":
        # Kept normalised, without its scheme (identity.normalise_linkedin_url): not a URI.
        return serializers.CharField(help_text=help_text + " (linkedin.com/in/…, as normalised)")
    return serializers.CharField(allow_blank=not spec.required, help_text=help_text)


def _input_serializer(value: str) -> type[serializers.Serializer]:
    fields = {"type": _type_field(value)} | {spec.name: _input_field(spec) for spec in EVIDENCE[value]}
    return type(f"{_camel(value)}SourceInput", (serializers.Serializer,), fields)


def _evidence_serializer(value: str) -> type[serializers.Serializer]:
    fields = {spec.name: _output_field(spec) for spec in EVIDENCE[value]}
    return type(f"{_camel(value)}Evidence", (serializers.Serializer,), fields)


def _source_serializer(value: str) -> type[serializers.Serializer]:
    fields = {
        "id": serializers.IntegerField(),
        "type": _type_field(value),
        "evidence": _evidence_serializer(value)(),
        "acquired_at": serializers.DateTimeField(),
        "notice": serializers.ChoiceField(choices=Notice.choices),
        "notice_sent_at": serializers.DateTimeField(allow_null=True),
    }
    return type(f"{_camel(value)}Source", (serializers.Serializer,), fields)


SOURCE_INPUT = PolymorphicProxySerializer(
    component_name="SourceInput",
    serializers={value: _input_serializer(value) for value in SourceType.values},
    resource_type_field_name="type",
)
SOURCES = PolymorphicProxySerializer(
    component_name="Source",
    serializers={value: _source_serializer(value) for value in SourceType.values},
    resource_type_field_name="type",
    many=True,
)
