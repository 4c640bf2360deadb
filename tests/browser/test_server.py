"""The browser tests end once the live server has served every request (tests/browser/server.py)."""

import socket
import threading
import urllib.request

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import QuietWSGIRequestHandler

from tests.browser.server import RequestsInFlight


@pytest.fixture
def server():
    """A live server's WSGI server whose one view waits until the test releases it."""
    started, release = threading.Event(), threading.Event()

    def app(environ, start_response):
        started.set()
        release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]

    httpd = ThreadedWSGIServer(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=False)
    httpd.set_app(app)
    yield httpd, started, release
    release.set()
    httpd.server_close()


def serve(httpd) -> threading.Thread:
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


def get(httpd, answers: list) -> threading.Thread:
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=lambda: answers.append(urllib.request.urlopen(url, timeout=10).read()))
    thread.start()
    return thread


def test_it_waits_for_a_view_still_running_when_the_page_closed(server):
    httpd, started, release = server
    serve(httpd)
    in_flight = RequestsInFlight(httpd)  # as the fixture does: on a server already serving
    answers = []
    client = get(httpd, answers)
    assert started.wait(10)

    with pytest.raises(AssertionError, match=r"still serves requests after 0\.2 s"):
        in_flight.wait_until_done(0.2)
    release.set()
    in_flight.wait_until_done(10)
    client.join(10)
    assert answers == [b"done"]
    httpd.shutdown()


def test_it_waits_for_a_connection_not_accepted_yet(server):
    httpd, started, release = server
    in_flight = RequestsInFlight(httpd)
    release.set()
    # The server's loop is not running: the connection waits in the listening queue.
    waiting = socket.create_connection(httpd.server_address, timeout=10)
    waiting.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    with pytest.raises(AssertionError, match="still serves"):
        in_flight.wait_until_done(0.2)
    assert not started.is_set()

    serve(httpd)
    in_flight.wait_until_done(10)
    assert started.is_set()
    assert waiting.recv(1024).startswith(b"HTTP/1.1 200")
    waiting.close()
    httpd.shutdown()


def test_it_returns_at_once_when_nothing_is_served(server):
    httpd, _started, _release = server
    serve(httpd)
    RequestsInFlight(httpd).wait_until_done(0)
    httpd.shutdown()
