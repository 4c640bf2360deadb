"""The confirmation step of the pages' irreversible actions (issue 19, Build 1).

A form posted without ``confirm=yes`` changes nothing: the view answers with one page that says
what will happen and to whom, carrying what was posted as hidden fields, and whose Confirm button
posts the same data again with ``confirm=yes``. It works without JavaScript. The API keeps its
endpoints as they are: a client confirms by calling.
"""

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

FIELD = "confirm"
_NOT_CARRIED = {"csrfmiddlewaretoken", FIELD}


def confirmed(request: HttpRequest) -> bool:
    """The POST comes from the confirmation page's button."""
    return request.method == "POST" and request.POST.get(FIELD) == "yes"


def ask(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    cancel_url: str,
    details: Iterable[str] = (),
    warning: str = "",
    button: str = "",
) -> HttpResponse:
    """The page that asks: ``question`` says what will happen to whom or how many, ``details``
    what follows from it; confirming posts what was posted, to the same address."""
    carried = [
        (name, value) for name, values in request.POST.lists() if name not in _NOT_CARRIED for value in values
    ]
    context = {
        "title": title,
        "question": question,
        "details": list(details),
        "warning": warning,
        "button": button,
        "carried": carried,
        "action": request.path,
        "cancel_url": cancel_url,
    }
    return render(request, "org/confirm.html", context)
