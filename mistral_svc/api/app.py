"""The WSGI application: pecan routing, WSME types, and a last-resort error guard."""

import json
import logging

import pecan
import webob.exc
from oslo_middleware import sizelimit

from mistral_svc import config, exceptions as exc
from mistral_svc.api import argspecs, bodies

CONF = config.CONF
LOG = logging.getLogger(__name__)


_PAGE_ERRORS = {
    "404": "The resource could not be found.",
    "405": "The method is not allowed for this resource.",
}


class ErrorGuard:
    """The outermost layer of the REST API: the request body limit (oslo.middleware's
    ``RequestBodySizeLimiter``, ``[oslo_middleware] max_request_body_size``) answered
    with a JSON 413, the body checks of ``bodies.BodyCheck``, anything that escaped
    the controllers as a JSON error without a traceback (a database outage is a 503),
    and pecan's own error pages (an unknown URL, a method a resource does not have)
    as JSON bodies like every other error."""

    def __init__(self, app):
        self.app = sizelimit.RequestBodySizeLimiter(bodies.BodyCheck(app), conf=CONF)

    def __call__(self, environ, start_response):
        refused = []

        def start(status, headers, exc_info=None):
            # The limiter and pecan answer with webob's own pages (HTML or plain text):
            # replaced by JSON bodies below.
            if status[:1] in "45" and not _is_json(headers):
                refused.append(status)
                return lambda data: None
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, start)
        except Exception as e:  # noqa: BLE001 - the client never sees a traceback
            return _error(start_response, e)
        if refused:
            if hasattr(result, "close"):
                result.close()
            status = refused[0]
            if status.startswith("413"):
                return _json(start_response, "413 Request Entity Too Large", _too_large())
            return _json(start_response, status,
                         _PAGE_ERRORS.get(status[:3], status[4:] or "Error"))
        return result


def _is_json(headers):
    return any(k.lower() == "content-type" and "json" in v for k, v in headers)


def _too_large():
    return ("Request is too large: larger than max_request_body_size (%d bytes)"
            % CONF.oslo_middleware.max_request_body_size)


def _error(start_response, e):
    from oslo_db import exception as db_exc

    if isinstance(e, webob.exc.HTTPRequestEntityTooLarge):
        status, msg = "413 Request Entity Too Large", _too_large()
    elif isinstance(e, exc.MistralError) and e.http_code < 500:
        status, msg = "%d %s" % (e.http_code, _REASONS.get(e.http_code, "Error")), e.message
    elif isinstance(e, db_exc.DBConnectionError):
        status, msg = "503 Service Unavailable", "The database is unavailable"
    else:
        LOG.exception("unhandled error in the API")
        status, msg = "500 Internal Server Error", "Internal server error"
    return _json(start_response, status, msg)


_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}


def _json(start_response, status, msg):
    body = json.dumps({"faultcode": "Client" if status.startswith("4") else "Server",
                       "faultstring": msg, "debuginfo": None}).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


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


def setup_app(authenticate=None):
    """Build the API's WSGI app (the database must be configured already).

    ``authenticate`` wraps the REST API in what establishes the caller's identity;
    by default ``auth.wrap`` (keystonemiddleware when ``[pecan] auth_enable`` is on)."""
    from mistral_svc import metrics
    from mistral_svc.api import access_log, healthcheck, openapi

    argspecs.install()
    app = pecan.make_app(
        "mistral_svc.api.controllers.root.RootController",
        debug=False,
        force_canonical=False,
        guess_content_type_from_ext=False,
    )
    from mistral_svc.api import auth, console

    api = (authenticate or auth.wrap)(ErrorGuard(app))
    mounts = [("/healthcheck", healthcheck.application()), ("/metrics", metrics.wsgi_app),
              (openapi.PATH, openapi.application),
              (console.PREFIX, console.Console(api))]
    return access_log.AccessLog(Dispatcher(api, mounts))
