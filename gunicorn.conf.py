"""Gunicorn reads this file from the directory it starts in: its logs go the way Django's do.

Its access line names no one: method, path with any signed link masked, status, duration
and the request's id (crm/logging.py), but not the client's address, user agent or referrer
of the default format.
"""

import logging

import environ
from gunicorn.glogging import Logger

from crm.logging import REQUEST_ID_KEY, ContextFilter, JsonLinesFormatter, RedactionFilter

env = environ.Env()
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if env.bool("DEBUG", default=False) else "json")
PLAIN = "%(asctime)s %(levelname)s %(name)s %(message)s"


class LoyalLogger(Logger):
    """Gunicorn's error and access logs as JSON lines (or plain text), through the same filters."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(
                    JsonLinesFormatter() if LOG_FORMAT == "json" else logging.Formatter(PLAIN)
                )
                handler.addFilter(ContextFilter())
                handler.addFilter(RedactionFilter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        self.access_log.info(
            "%s %s %s",
            req.method,
            req.path,
            resp.status_code,
            extra={
                "status_code": resp.status_code,
                "duration": round(request_time.total_seconds(), 6),
                "request_id": environ.get(REQUEST_ID_KEY),
            },
        )


logger_class = LoyalLogger
