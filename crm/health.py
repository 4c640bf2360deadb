"""The container's health probe, answered before anything else looks at the request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from crm.views import health


def probe_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Answer /health/ ahead of host validation and the HTTPS redirect.

    The probe in docker-compose.yml calls the web container by its own address, which is
    not one of the public ALLOWED_HOSTS; every other request is still checked as usual.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info == "/health/":
            return health(request)
        return get_response(request)

    return middleware
