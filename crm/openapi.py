"""The API's OpenAPI schema: drf-spectacular's, plus the errors each operation can answer with.

A client (and the fuzz test, tests/crm/test_api_fuzz.py) is told every status code it may
receive and the shape of its body, not only the success.
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

ERROR = {
    "type": "object",
    "description": "Why the request was refused, in one sentence.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Each field that broke a rule, with the rules it broke; `non_field_errors` for a rule "
        "across fields; a nested field (`source.type`) or a list item as a nested object."
    ),
    # A nested field's errors have the same shape: a reference to this component, so that a
    # generated client reads them as a type (an inline object in a union it cannot name).
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"$ref": "#/components/schemas/FieldErrors"},
        ]
    },
}
DESCRIPTIONS = {
    "400": "Invalid input: each field with the rules it broke, or a body that does not parse.",
    "403": "Not authenticated, or your role may not do this.",
    "404": "No such object among those you may see, or a stale page cursor.",
    "409": "The object's current state does not allow this (a campaign already being sent, a step "
    "already done): read it again; `detail` says what the state is.",
    "415": "The body is not JSON (`Content-Type: application/json`).",
}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = self.component("Error", ERROR)
        fields = self.component("FieldErrors", FIELD_ERRORS)
        invalid = self.component("ValidationError", {"oneOf": [error.ref, fields.ref]})
        for status in self.error_statuses(operation):
            schema = invalid.ref if status == "400" else error.ref
            operation["responses"].setdefault(
                status,
                {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": schema}}},
            )
        operation["responses"] = dict(sorted(operation["responses"].items()))
        for parameter in operation.get("parameters", []):
            # DRF reads a blank query value as one not given: ``?owner=`` lists every owner's.
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return operation

    def error_statuses(self, operation: dict) -> list[str]:
        """403 everywhere (roles); 400 where input is read; 404 where an id or a page cursor is;
        409 for the view's ``conflicting_actions`` (org/conflicts.py); 415 where a body is read."""
        parameters = operation.get("parameters", [])
        statuses = ["403"]
        if self.method not in ("GET", "HEAD") or any(
            p["in"] == "query" and p["name"] != "cursor" for p in parameters
        ):
            statuses.append("400")
        if any(p["in"] == "path" or p["name"] == "cursor" for p in parameters):
            statuses.append("404")
        if getattr(self.view, "action", None) in getattr(self.view, "conflicting_actions", ()):
            statuses.append("409")
        if "requestBody" in operation:
            statuses.append("415")
        return statuses

    def component(self, name: str, schema: dict) -> ResolvedComponent:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component
