"""The WSGI application: pecan routing, WSME types, and a last-resort error guard."""

import json
import logging

import pecan

from mistral_svc import config

CONF = config.CONF
LOG = logging.getLogger(__name__)


class ErrorGuard:
    """Turns anything that escaped the controllers into a JSON 500 without a traceback,
    and a database outage into 503."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        except Exception as e:  # noqa: BLE001 - the client never sees a traceback
            from oslo_db import exception as db_exc

            if isinstance(e, db_exc.DBConnectionError):
                status, msg = "503 Service Unavailable", "The database is unavailable"
            else:
                LOG.exception("unhandled error in the API")
                status, msg = "500 Internal Server Error", "Internal server error"
            body = json.dumps({"faultstring": msg}).encode()
            start_response(status, [("Content-Type", "application/json"),
                                    ("Content-Length", str(len(body)))])
            return [body]


def setup_app():
    """Build the API's WSGI app (the database must be configured already)."""
    app = pecan.make_app(
        "mistral_svc.api.controllers.root.RootController",
        debug=False,
        force_canonical=False,
        guess_content_type_from_ext=False,
    )
    return ErrorGuard(app)
