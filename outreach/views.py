from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from crm.roles import Role, role_required
from outreach import contactability as gate
from prospects.models import Prospect


@role_required(Role.SALES, Role.DPO, Role.ADMIN)
def contactability(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx panel of the prospect page: the gate's decision per channel, with its reason."""
    prospect = get_object_or_404(Prospect.objects.visible_to(request.user), pk=pk)
    return render(request, "outreach/contactability.html", {"rows": gate.contactability(prospect)})
