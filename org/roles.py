"""The three roles of the product, and the one check that views and the API share."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class Role(models.TextChoices):
    """A role is a Django group of the same name."""

    SALES = "sales", _("Sales rep")
    DPO = "dpo", _("Data protection officer")
    ADMIN = "admin", _("Administrator")
    # A sales rep who also leads: everything a rep does, and the export of the list.
    TEAM_LEAD = "team_lead", _("Team lead")


# Who reads team data, and who edits it: reps and admins, never the DPO (docs/design.md,
# "Who uses it").
READERS = (Role.SALES, Role.DPO, Role.ADMIN)
EDITORS = (Role.SALES, Role.ADMIN)
# Who may take a copy of the prospect list out of Loyal (docs/rules.md §6: least privilege):
# not every rep, and every copy is logged.
EXPORTERS = (Role.TEAM_LEAD, Role.ADMIN)


def roles_of(user) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_loyal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._loyal_roles = cached
    return cached


def with_roles(users: models.QuerySet) -> models.QuerySet:
    """Users with whether they hold each role, read in the query that loads them (see
    org.accounts.AccountBackend): the roles are asked on every request."""
    memberships = users.model.groups.through.objects.filter(user_id=models.OuterRef("pk"))
    return users.annotate(
        **{f"holds_{role}": models.Exists(memberships.filter(group__name=role)) for role in Role.values}
    )


def keep_roles(user) -> None:
    """Remember the roles read by ``with_roles`` as ``roles_of``'s answer for this request."""
    user._loyal_roles = frozenset(role for role in Role.values if getattr(user, f"holds_{role}"))


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


class NeedToKnowQuerySet(models.QuerySet):
    """Rows seen on a need-to-know basis (GDPR 5(1)(f), 32; docs/rules.md §6: least privilege).

    The DPO and admins see every row; a rep sees the rows ``of_rep`` selects (their team's,
    or their own); anyone else sees none. Each model says only what a rep's rows are.
    """

    def visible_to(self, user):
        if has_role(user, Role.DPO, Role.ADMIN):
            return self
        if has_role(user, Role.SALES):
            return self.of_rep(user)
        return self.none()

    def of_rep(self, user):
        raise NotImplementedError(f"{type(self).__name__} must say which rows a rep sees.")


def primary_role(user) -> Role | None:
    """The role whose home page the user lands on: the widest one they hold."""
    held = roles_of(user)
    for role in (Role.ADMIN, Role.DPO, Role.SALES):
        if role in held:
            return role
    return None


def role_required(*roles: str) -> Callable:
    """View decorator: log in first, then hold one of ``roles`` or get a 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasRole(BasePermission):
    """API permission: the view lists ``allowed_roles``, or per method ``roles_by_method``."""

    def has_permission(self, request, view) -> bool:
        by_method = getattr(view, "roles_by_method", None)
        if by_method is not None:
            roles = by_method.get(request.method, by_method.get("*", ()))
        else:
            roles = getattr(view, "allowed_roles", ())
        return has_role(request.user, *roles)


def role_context(request: HttpRequest) -> dict:
    """Template context: the roles of the person looking at the page."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    held = roles_of(user)
    return {
        "is_sales": Role.SALES in held,
        "is_dpo": Role.DPO in held,
        "is_admin": Role.ADMIN in held,
        "can_export_list": bool(held & set(EXPORTERS)),
        "primary_role": primary_role(user),
    }
