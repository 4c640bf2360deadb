from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """The ground floor: the organisation, its people, teams and roles, and what every app shares."""

    name = "org"
    verbose_name = _("Organisation")
