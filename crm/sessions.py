"""The idle timeout without a database write on every request.

A session ends after ``SESSION_COOKIE_AGE`` idle seconds. Saving it on every request kept
the expiry current at the cost of an UPDATE per page view; pushing it forward at most once
per ``SESSION_REFRESH_SECONDS`` keeps the same rule to within that margin: a person idle for
the full age is logged out, one who came back a minute before the end is not.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REFRESHED = "_loyal_refreshed_at"


def idle_timeout_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or session.modified:
            return response
        last = session.get(REFRESHED, 0)
        now = time.time()
        if not isinstance(last, int | float) or now - last >= settings.SESSION_REFRESH_SECONDS:
            session[REFRESHED] = now  # marks it modified: SessionMiddleware saves it and resends the cookie
        return response

    return middleware
