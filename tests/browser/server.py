"""The live server's requests in flight, so that a browser test ends once they have.

Django's ThreadedWSGIServer serves each connection in a daemon thread that nobody joins:
closing the browser does not wait for a view still running. ``RequestsInFlight`` counts
the connections from the moment the server's loop takes one from the listening socket
until its thread is done with it, and ``wait_until_done`` waits for none to be left,
neither in a thread nor waiting to be accepted.
"""

import select
import threading
import time


class RequestsInFlight:
    def __init__(self, httpd) -> None:
        self._httpd = httpd
        self._changed = threading.Condition()
        self._count = 0
        accept_one = httpd._handle_request_noblock
        serve = httpd.process_request_thread

        def counted_accept() -> None:
            # Counted before accept(): a connection is never out of the listening queue
            # without being counted. One handed to a thread is counted there as well.
            self._add(1)
            try:
                accept_one()
            finally:
                self._add(-1)

        def counted_process_request(request, client_address) -> None:
            self._add(1)
            try:
                original_process_request(request, client_address)
            except BaseException:
                self._add(-1)
                raise

        def counted_serve(request, client_address) -> None:
            try:
                serve(request, client_address)
            finally:
                self._add(-1)

        original_process_request = httpd.process_request
        httpd._handle_request_noblock = counted_accept
        httpd.process_request = counted_process_request
        httpd.process_request_thread = counted_serve

    def _add(self, step: int) -> None:
        with self._changed:
            self._count += step
            self._changed.notify_all()

    def _pending(self) -> bool:
        readable, _, _ = select.select([self._httpd.socket], [], [], 0)
        return bool(readable)

    def wait_until_done(self, timeout: float) -> None:
        """Return once no request is being served or waits to be; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._count or self._pending():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the live server still serves requests after {timeout} s")
                # Woken by every change of the count; a connection still in the listening
                # queue changes nothing until accepted, hence the bound on each wait.
                self._changed.wait(min(left, 0.05))
