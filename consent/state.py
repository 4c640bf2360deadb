"""The consent state the outreach gate reads (docs/rules.md §1.1 ``consent``; §2.4 validity).

Valid only if the latest counting event for the purpose and channel is a grant (which
the model cannot store without its proof, and which counts only once confirmed when
it is a double opt-in); withdrawn if it is a withdrawal (GDPR 7(3)); none otherwise.
Consent is channel- and controller-specific: a broker's grant that did not name us
never counts (CNIL partner rules; ePrivacy 13(1)).

``consent_state`` answers for one prospect, ``with_consent_state`` for a whole
queryset in one SQL statement (a bulk campaign decision); both read
``Consent.objects.counting()`` so they cannot drift apart.
"""

from django.db.models import Case, CharField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from consent.models import Action, Consent, ConsentState
from prospects.models import Prospect

DEFAULT_PURPOSE = "b2b_prospecting"
_STATE_OF_ACTION = {Action.GRANT: ConsentState.VALID, Action.WITHDRAW: ConsentState.WITHDRAWN}


def _latest_events(*, channel: str, purpose_code: str) -> QuerySet:
    return (
        Consent.objects.counting()
        .filter(channel=channel, purpose__code=purpose_code)
        .order_by("-effective_at", "-id")
    )


def consent_state(prospect: Prospect, *, channel: str, purpose_code: str = DEFAULT_PURPOSE) -> ConsentState:
    """The state of ``prospect``'s consent to ``purpose_code`` on ``channel``."""
    action = (
        _latest_events(channel=channel, purpose_code=purpose_code)
        .filter(prospect=prospect)
        .values_list("action", flat=True)
        .first()
    )
    return _STATE_OF_ACTION.get(action, ConsentState.NONE)


def with_consent_state(
    prospects: QuerySet, *, channel: str, purpose_code: str = DEFAULT_PURPOSE, name: str = "consent_state"
) -> QuerySet:
    """``prospects`` annotated with ``name``: the ConsentState value, computed by the database."""
    latest = _latest_events(channel=channel, purpose_code=purpose_code).filter(prospect=OuterRef("pk"))
    action = f"{name}_action"
    state = Case(
        *(When(**{action: value}, then=Value(state.value)) for value, state in _STATE_OF_ACTION.items()),
        default=Value(ConsentState.NONE.value),
        output_field=CharField(),
    )
    latest_action = Coalesce(Subquery(latest.values("action")[:1]), Value(""), output_field=CharField())
    return prospects.annotate(**{action: latest_action}).annotate(**{name: state})


def states_of(prospect: Prospect) -> dict[tuple[str, str], ConsentState]:
    """Every (purpose code, channel) the prospect has a counting event for, with its state."""
    events = (
        Consent.objects.counting()
        .filter(prospect=prospect)
        .order_by("-effective_at", "-id")
        .values_list("purpose__code", "channel", "action")
    )
    states: dict[tuple[str, str], ConsentState] = {}
    for purpose_code, channel, action in events:
        states.setdefault((purpose_code, channel), _STATE_OF_ACTION[action])
    return states
