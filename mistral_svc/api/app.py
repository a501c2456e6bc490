"""The WSGI application: pecan routing, WSME types, and a last-resort error guard."""

import io
import json
import logging

import pecan

from mistral_svc import config
from mistral_svc.api import argspecs

CONF = config.CONF
LOG = logging.getLogger(__name__)


class ErrorGuard:
    """Turns anything that escaped the controllers into a JSON 500 without a traceback,
    and a database outage into 503."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        refusal = _refuse_non_object_json(environ)
        if refusal is not None:
            return _json(start_response, "400 Bad Request", refusal)
        try:
            return self.app(environ, start_response)
        except Exception as e:  # noqa: BLE001 - the client never sees a traceback
            from oslo_db import exception as db_exc

            if isinstance(e, db_exc.DBConnectionError):
                status, msg = "503 Service Unavailable", "The database is unavailable"
            else:
                LOG.exception("unhandled error in the API")
                status, msg = "500 Internal Server Error", "Internal server error"
            return _json(start_response, status, msg)


def _json(start_response, status, msg):
    body = json.dumps({"faultcode": "Client" if status.startswith("4") else "Server",
                       "faultstring": msg, "debuginfo": None}).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


def _refuse_non_object_json(environ):
    """Every JSON body the v2 API takes is an object; WSME fails on anything else, so
    other bodies are refused here with a clear 400. Returns the message, or None."""
    if environ.get("REQUEST_METHOD") not in ("POST", "PUT"):
        return None
    if "json" not in (environ.get("CONTENT_TYPE") or ""):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length <= 0 or length > 1024 * 1024 * 64:
        return None
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        body = json.loads(raw)
    except ValueError:
        return None  # WSME answers malformed JSON with its own 400
    if not isinstance(body, dict):
        return "The request body must be a JSON object"
    return None


class Dispatcher:
    """Sends the operator's paths (``/healthcheck``, ``/metrics``) and the web console
    (``/ui``, whose pages call the REST API with the caller's token) to their own
    applications, and the rest to the REST API."""

    def __init__(self, api, mounts):
        self.api = api
        self.mounts = mounts

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for prefix, app in self.mounts:
            if path == prefix or path.startswith(prefix + "/"):
                return app(environ, start_response)
        return self.api(environ, start_response)


def setup_app():
    """Build the API's WSGI app (the database must be configured already)."""
    from mistral_svc import metrics
    from mistral_svc.api import access_log, healthcheck

    argspecs.install()
    app = pecan.make_app(
        "mistral_svc.api.controllers.root.RootController",
        debug=False,
        force_canonical=False,
        guess_content_type_from_ext=False,
    )
    from mistral_svc.api import console

    api = ErrorGuard(app)
    mounts = [("/healthcheck", healthcheck.application()), ("/metrics", metrics.wsgi_app),
              (console.PREFIX, console.Console(api))]
    return access_log.AccessLog(Dispatcher(api, mounts))
