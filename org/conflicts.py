"""A request that is valid but that the object's current state refuses.

A campaign already being sent, a next step already done, a list a campaign still targets:
the same request would be right on another object, or was right before. The pages show it
like any refusal; the API answers 409 Conflict (org/api.py: as_api_error), not 400, so a
client can tell a state to re-read from input to fix.
"""

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """Raised by a domain function when the object's state, not the input, forbids the change."""
