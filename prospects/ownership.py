"""Who owns a prospect. Data gathered for the company never leaves with the rep."""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from simple_history.utils import bulk_update_with_history

from org.accounts import team_of
from org.roles import Role, has_role
from prospects.models import Prospect

CHUNK = 2000


@transaction.atomic
def deactivate_rep(rep, *, successor, by) -> int:
    """End a rep's access at once and hand their prospects to ``successor``; returns the count."""
    if successor == rep or not successor.is_active or not has_role(successor, Role.SALES):
        raise ValidationError(
            {"successor": [_("Choose another active sales rep to take over the prospects.")]}
        )
    moved, team = 0, team_of(successor)
    pending = Prospect.objects.filter(owner=rep).order_by("pk")
    while batch := list(pending[:CHUNK]):
        for prospect in batch:
            # The prospects follow their new owner into their team, or the owner could not see them.
            prospect.owner, prospect.team = successor, team
        # Through the history: each reassignment is kept with who made it.
        bulk_update_with_history(batch, Prospect, ["owner", "team"], batch_size=CHUNK, default_user=by)
        moved += len(batch)
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    _end_sessions(rep)
    return moved


def _end_sessions(user) -> None:
    Token.objects.filter(user=user).delete()
    user_id = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            session.delete()


def possible_owners(viewer):
    """Whose prospects a viewer may filter on: the reps of their team, or every rep for the DPO
    and admins. Read from the accounts, not from the prospects, so the list stays cheap."""
    reps = get_user_model().objects.filter(groups__name=Role.SALES).order_by("username")
    if has_role(viewer, Role.DPO, Role.ADMIN):
        return reps
    return reps.filter(profile__team__members__user=viewer)


def active_reps():
    return get_user_model().objects.filter(is_active=True, groups__name=Role.SALES).order_by("username")
