from django import template
from django.utils import timezone

from registry import requests

register = template.Library()


@register.inclusion_tag("registry/overdue_panel.html")
def overdue_requests() -> dict:
    """The open requests past their deadline, for the DPO's and the administrators' home pages."""
    return {"overdue": list(requests.overdue()[:20]), "today": timezone.localdate()}
