"""What every API module shares: who may read and write team data, and how domain errors read."""

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError

from org.conflicts import StateConflict
from org.roles import EDITORS, READERS

# The DPO reads team data and never edits it; editors reach a method a view lacks to get a 405.
ROLES_BY_METHOD = {
    "GET": READERS,
    "HEAD": READERS,
    "OPTIONS": READERS,
    **dict.fromkeys(("POST", "PUT", "PATCH", "DELETE"), EDITORS),
}

# The earliest moment the API takes for when something happened (an interaction, a consent, an
# objection): earlier is a typo, and before 1911 Paris time ran 9 min 21 s ahead of UTC, an
# offset that no RFC 3339 date-time (the API's format) can write.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def since_1970(value: datetime) -> None:
    if value < EARLIEST:
        raise ValidationError(_("Enter a date from 1 January 1970 on."))


class StrictInput:
    """Serializer mixin: input of the type the schema gives, or a 400 naming the field.

    Alone, DRF stores the number 12 sent for a text as "12", reads "1.0" or 1.0 as the
    integer 1 and "yes" as true, measures a text only once trimmed, and passes a NUL
    character to a lookup that PostgreSQL refuses with a server error.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            in_query = isinstance(data, QueryDict)
            errors = {
                name: [error]
                for name, field in self.fields.items()
                if name in data and (error := type_error(field, data[name], in_query=in_query))
            }
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)


def type_error(field: serializers.Field, value, *, in_query: bool = False) -> str | None:
    """Why ``value`` is not of ``field``'s type as the schema writes it; None when it is."""
    if field.read_only or value is None or (in_query and value == ""):
        return None  # Null is the field's to allow; a blank query value is one not given.
    if isinstance(value, str) and "\x00" in value:
        return ProhibitNullCharactersValidator.message
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return next(filter(None, (type_error(field.child, item) for item in value)), None)
    if isinstance(field, serializers.BooleanField):
        valid = value in ("true", "false") if in_query else isinstance(value, bool)
    elif isinstance(field, serializers.IntegerField):
        valid = bool(re.fullmatch(r"-?[0-9]+", value)) if in_query else type(value) is int
    elif isinstance(field, serializers.CharField | serializers.SlugRelatedField):
        valid = isinstance(value, str)
        if valid and getattr(field, "max_length", None) is not None and len(value) > field.max_length:
            return field.error_messages["max_length"].format(max_length=field.max_length)
    else:
        return None
    return None if valid else field.error_messages["invalid"]


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object's current state does not allow this.")
    default_code = "conflict"


def as_api_error(error: DjangoValidationError) -> APIException:
    """A domain error keyed by field as the same keys in JSON; "source.type" nests as {"source": {"type"}}.

    A state conflict (org/conflicts.py) is a 409 whose ``detail`` says what the state is.
    """
    if isinstance(error, StateConflict):
        return Conflict(" ".join(error.messages))
    if not hasattr(error, "error_dict"):
        return ValidationError({"non_field_errors": error.messages})
    detail: dict = {}
    for name, messages in error.message_dict.items():
        if name == "__all__":
            detail["non_field_errors"] = messages
        elif "." in name:
            parent, child = name.split(".", 1)
            detail.setdefault(parent, {})[child] = messages
        else:
            detail[name] = messages
    return ValidationError(detail)
