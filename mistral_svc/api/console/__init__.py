"""The web console at ``/ui/``: pages of executions, workflows and cron triggers.

Served by the API process itself. The pages are static files shipped in the package
(plain HTML, CSS and JavaScript, no build step); they read everything through the
REST API v2 with the caller's ``X-Auth-Token``. Only the graph layout is computed
here, as JSON, from the definition the REST API returns for the caller: the console
sees exactly what the caller may see.

Contract kept stable for browser tests: ``/ui/executions/<id>`` is an execution's
page; every task of the spec is an element with ``data-task-name`` and ``data-state``
(empty until the task runs); the execution's state is on the element with the
``data-execution-state`` attribute.
"""

import io
import json
import mimetypes
import os
import re
import urllib.parse

from mistral_svc import lang

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
PREFIX = "/ui"
_GRAPH = re.compile(r"^/api/(executions|workflows)/([^/]+)/graph$")
_STATIC = re.compile(r"^/static/([A-Za-z0-9_.-]+)$")
# Headers a sub-request carries over: who the caller is, and nothing about the body.
_DROP = ("CONTENT_TYPE", "CONTENT_LENGTH", "QUERY_STRING", "PATH_INFO", "SCRIPT_NAME",
         "REQUEST_METHOD", "wsgi.input", "HTTP_ACCEPT", "HTTP_CONTENT_TYPE")


class Console:
    """WSGI application mounted at ``/ui``; ``api`` is the REST API application."""

    def __init__(self, api):
        self.api = api

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")[len(PREFIX):]
        if path == "":
            return _respond(start_response, "301 Moved Permanently", b"",
                            extra=[("Location", _script(environ) + PREFIX + "/")])
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _json(start_response, "405 Method Not Allowed",
                         {"faultstring": "The console only reads"})
        match = _STATIC.match(path)
        if match:
            return self._static(start_response, match.group(1))
        match = _GRAPH.match(path)
        if match:
            return self._graph(environ, start_response, match.group(1),
                               urllib.parse.unquote(match.group(2)))
        if path.startswith("/api/") or path.startswith("/static/"):
            return _json(start_response, "404 Not Found", {"faultstring": "Not found"})
        return self._static(start_response, "index.html")

    @staticmethod
    def _static(start_response, name):
        file_path = os.path.join(STATIC_DIR, name)
        if not os.path.isfile(file_path):
            return _json(start_response, "404 Not Found", {"faultstring": "Not found"})
        with open(file_path, "rb") as f:
            body = f.read()
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        return _respond(start_response, "200 OK", body, ctype,
                        [("Cache-Control", "no-cache")])

    def _get(self, environ, path, query=""):
        """GET ``path`` of the REST API as the caller: ``(status, body)``."""
        sub = {k: v for k, v in environ.items() if k not in _DROP}
        sub.update({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
                    "SCRIPT_NAME": "", "wsgi.input": io.BytesIO(b""),
                    "CONTENT_LENGTH": "0", "HTTP_ACCEPT": "application/json"})
        seen = {}

        def start(status, headers, exc_info=None):
            seen["status"] = status

        body = b"".join(self.api(sub, start))
        code = int(seen.get("status", "500").split(" ", 1)[0])
        try:
            return code, json.loads(body or b"{}")
        except ValueError:
            return code, {}

    def _graph(self, environ, start_response, kind, ident):
        quoted = urllib.parse.quote(ident, safe="")
        workflow_name = None
        if kind == "executions":
            code, ex = self._get(environ, "/v2/executions/" + quoted)
            if code != 200:
                return _json(start_response, _status(code), ex)
            workflow_name = ex.get("workflow_name")
            quoted = urllib.parse.quote(ex.get("workflow_id") or workflow_name or "",
                                        safe="")
        code, wf = self._get(environ, "/v2/workflows/" + quoted)
        if code != 200:
            return _json(start_response, _status(code), wf)
        from mistral_svc.api.console import graph

        try:
            result = graph.for_definition(wf.get("definition") or "", workflow_name)
        except (lang.DSLError, KeyError):
            return _json(start_response, "409 Conflict",
                         {"faultstring": "The workflow's definition has no such workflow"})
        return _json(start_response, "200 OK", dict(result, workflow_id=wf.get("id")))


def _script(environ):
    return environ.get("SCRIPT_NAME", "").rstrip("/")


def _status(code):
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
               404: "Not Found", 503: "Service Unavailable"}
    return "%d %s" % (code, reasons.get(code, "Error"))


def _json(start_response, status, body):
    return _respond(start_response, status, json.dumps(body).encode(), "application/json")


def _respond(start_response, status, body, ctype="text/plain", extra=()):
    headers = [("Content-Type", ctype), ("Content-Length", str(len(body)))]
    start_response(status, headers + list(extra))
    return [body]
