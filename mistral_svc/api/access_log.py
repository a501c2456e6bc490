"""One log line per API request: who asked what, the answer's status, size and time.

Client errors (4xx) are logged here as that single line and nowhere with a traceback:
what went wrong is in the response the client got.
"""

import logging
import time

LOG = logging.getLogger("mistral_svc.api.access")


class AccessLog:
    """WSGI middleware writing the access line once the response has been sent."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = time.monotonic()
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            for name, value in headers:
                if name.lower() == "content-length":
                    seen["length"] = value
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start_response)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            self._log(environ, seen, time.monotonic() - started)

    @staticmethod
    def _log(environ, seen, elapsed):
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        status = seen.get("status", "-")
        level = logging.WARNING if status.startswith("5") else logging.INFO
        LOG.log(level, '%s "%s %s" status: %s len: %s time: %.4f',
                environ.get("HTTP_X_FORWARDED_FOR") or environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"), path, status,
                seen.get("length", "-"), elapsed)
