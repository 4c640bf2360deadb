"""The social-selling code of conduct: publishing a version, acknowledging it, and the gate."""

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from org.models import CodeOfConduct, ConductAcknowledgement
from org.roles import Role, has_role


@transaction.atomic
def publish(*, text_en: str, text_fr: str, by) -> CodeOfConduct:
    """Publish a new version; every rep is asked to acknowledge it again."""
    current = CodeOfConduct.objects.select_for_update().order_by("-version").first()
    version = (current.version if current else 0) + 1
    return CodeOfConduct.objects.create(version=version, text_en=text_en, text_fr=text_fr, published_by=by)


def acknowledge(user, *, conduct: CodeOfConduct) -> ConductAcknowledgement:
    ack, _created = ConductAcknowledgement.objects.get_or_create(user=user, conduct=conduct)
    return ack


def pending_for(user) -> CodeOfConduct | None:
    """The version a rep still has to acknowledge, if any."""
    if not has_role(user, Role.SALES):
        return None
    # One query, on every request of a rep: the current version and whether they acknowledged it.
    acknowledged = ConductAcknowledgement.objects.filter(user=user, conduct=OuterRef("pk"))
    current = (
        CodeOfConduct.objects.defer("text_en", "text_fr")
        .annotate(acknowledged=Exists(acknowledged))
        .current()
    )
    if current is None or current.acknowledged:
        return None
    return current


def with_conduct_state(users: QuerySet) -> QuerySet:
    """Users with whether a code is published and whether they acknowledged its current
    version, read in the query that loads them (see org.accounts.AccountBackend)."""
    current = CodeOfConduct.objects.order_by("-version").values("pk")[:1]
    acknowledged = ConductAcknowledgement.objects.filter(user_id=OuterRef("pk"), conduct_id=Subquery(current))
    return users.annotate(
        conduct_published=Exists(CodeOfConduct.objects.all()), conduct_acknowledged=Exists(acknowledged)
    )


def is_pending_for(user) -> bool:
    """Whether a rep still has to acknowledge the current code; from the user's own query
    when it was read there (``with_conduct_state``), else asked."""
    if not has_role(user, Role.SALES):
        return False
    published = getattr(user, "conduct_published", None)
    if published is None:
        return pending_for(user) is not None
    return bool(published and not user.conduct_acknowledged)


EXEMPT_PREFIXES = ("/conduct/", "/accounts/", "/i18n/", "/static/", "/u/", "/f/", "/privacy/")


class ConductMiddleware:
    """A rep who has not acknowledged the current code reaches nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        gated = user is not None and user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES)
        if gated and is_pending_for(user):
            if request.path.startswith("/api/"):
                message = _("Acknowledge the code of conduct in the application first.")
                return JsonResponse({"detail": message}, status=403)
            return redirect(f"{reverse('conduct')}?next={request.path}")
        return self.get_response(request)
