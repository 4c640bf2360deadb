"""The product's URLs plus one view that holds a write transaction open until released.

For tests/browser/test_live_server_database.py: it stands for any request of the page (an
htmx panel saving the session, a poll) still writing while the test body goes on.
"""

import threading

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone

from crm.urls import urlpatterns as product_urlpatterns

writing = threading.Event()
release = threading.Event()


def hold_a_write(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        Session.objects.create(session_key="h" * 32, session_data="", expire_date=timezone.now())
        writing.set()
        release.wait(30)
    return HttpResponse("written")


urlpatterns = [path("test-hold-a-write/", hold_a_write), *product_urlpatterns]
