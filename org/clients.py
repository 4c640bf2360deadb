"""Who is on the other end of a request: the client's address, through trusted proxies.

Behind a TLS-terminating proxy every request arrives from the proxy's address, so a
lock-out by ``REMOTE_ADDR`` would lock everyone at once and a consent proof would record
the proxy. Each proxy appends the address it received the request from to
``X-Forwarded-For``; with ``LOYAL_TRUSTED_PROXY_COUNT`` proxies in front, the client is the
entry that many places from the right. Entries further left were written by the client
itself and are never believed.
"""

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, as the outermost trusted proxy saw it (None if unknown)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.LOYAL_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # not through every proxy: only the connection itself is known
    candidate = forwarded[-proxies]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote
