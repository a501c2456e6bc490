"""Authentication in front of the REST API, and the request context it yields.

With ``[pecan] auth_enable`` on, keystonemiddleware's ``auth_token`` validates the
``X-Auth-Token`` of every request (configured by ``[keystone_authtoken]``, as in
Mistral). It removes any identity headers a client sent before it validates, then sets
the validated ones (``X-Project-Id``, ``X-Roles``...) and ``X-Identity-Status``. The
decision is left to :class:`Gate` (``delay_auth_decision``) so that a missing, bad or
expired token gets the API's own 401: a JSON ``faultstring`` and a ``WWW-Authenticate``
header naming Keystone.

The request context (:class:`mistral_svc.context.MistralContext`) is built from those
validated headers alone and is the current context while the request is handled. With
auth off every request gets a context without a project.
"""

import base64
import json
import logging

from mistral_svc import config, context
from mistral_svc.api import bodies

CONF = config.CONF
LOG = logging.getLogger(__name__)

# Version discovery answers without a token, as Mistral's does.
ALLOWED_WITHOUT_AUTH = ("/", "/v2", "/v2/")

_UNAUTHORIZED = "The request you have made requires authentication."


def fault(start_response, status, msg, headers=()):
    """Answer ``status`` with Mistral's JSON error body holding ``msg``."""
    body = json.dumps({"faultcode": "Client" if status.startswith("4") else "Server",
                       "faultstring": msg,
                       "debuginfo": None}).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))] + list(headers))
    return [body]


def target_params(environ):
    """Mistral's ``X-Target-*`` headers: OpenStack actions then act on another cloud
    with the credentials given there. ValueError for a malformed set."""
    uri = environ.get("HTTP_X_TARGET_AUTH_URI")
    if not uri:
        return None
    insecure = environ.get("HTTP_X_TARGET_INSECURE", "False")
    if insecure not in ("True", "False"):
        raise ValueError('X-Target-Insecure must be either "True", "False" or not '
                         'provided. The default is "False".')
    token = environ.get("HTTP_X_TARGET_AUTH_TOKEN")
    if not token:
        raise ValueError("Target auth URI (X-Target-Auth-Uri) target auth token "
                         "(X-Target-Auth-Token) must be present")
    catalog = None
    raw = environ.get("HTTP_X_TARGET_SERVICE_CATALOG")
    if raw:
        try:
            text = base64.b64decode(raw).decode()
        except ValueError:
            raise ValueError("X-Target-Service-Catalog must be base64-encoded JSON")
        # Bounded like every body: JSON nested past the recursion limit is a ValueError.
        catalog = bodies.loads(text, "X-Target-Service-Catalog")
    return {
        "auth_uri": uri, "auth_token": token, "insecure": insecure == "True",
        "project_id": environ.get("HTTP_X_TARGET_PROJECT_ID"),
        "user_id": environ.get("HTTP_X_TARGET_USER_ID"),
        "user_name": environ.get("HTTP_X_TARGET_USER_NAME"),
        "region_name": environ.get("HTTP_X_TARGET_REGION_NAME"),
        "service_catalog": catalog, "is_target": True,
    }


def request_context(environ):
    """The context of an authenticated request, from the middleware's headers."""
    token_info = environ.get("keystone.token_info") or {}
    token = token_info.get("token") or {}
    kwargs = {
        "auth_uri": CONF.keystone_authtoken.www_authenticate_uri,
        "auth_cacert": CONF.keystone_authtoken.cafile,
        "region_name": environ.get("HTTP_X_REGION_NAME"),
        "expires_at": token.get("expires_at"),
        "service_catalog": token.get("catalog") and {"catalog": token.get("catalog")},
        "trust_id": (token.get("OS-TRUST:trust") or {}).get("id"),
        "is_trust_scoped": bool(token.get("OS-TRUST:trust")),
        "overwrite": False,
    }
    target = target_params(environ)
    ctx = context.MistralContext.from_environ(environ, **kwargs)
    ctx.is_admin = "admin" in [r.lower() for r in ctx.roles or []]
    if target:
        # The caller's own identity still scopes what it may see; the target
        # credentials are only for the actions it runs.
        ctx.target = target
        ctx.is_target = True
    return ctx


class Gate:
    """Behind ``auth_token``: refuse what it could not validate, else handle the
    request with the validated context as the current one."""

    def __init__(self, app):
        self.app = app
        self.protocol = None

    def _www_authenticate(self):
        uri = CONF.keystone_authtoken.www_authenticate_uri
        if not uri and self.protocol is not None:
            try:
                uri = self.protocol.www_authenticate_uri
            except Exception:  # noqa: BLE001 - discovery failing must not turn 401 to 500
                uri = None
        return ("WWW-Authenticate", 'Keystone uri="%s"' % (uri or ""))

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        confirmed = environ.get("HTTP_X_IDENTITY_STATUS") == "Confirmed"
        if not confirmed:
            if path in ALLOWED_WITHOUT_AUTH and environ.get("REQUEST_METHOD") == "GET":
                with context.using(context.anonymous()):
                    return self.app(environ, start_response)
            return fault(start_response, "401 Unauthorized", _UNAUTHORIZED,
                          [self._www_authenticate()])
        try:
            ctx = request_context(environ)
        except ValueError as e:
            return fault(start_response, "400 Bad Request", str(e))
        with context.using(ctx):
            return self.app(environ, start_response)


class Anonymous:
    """Auth off: every request is handled without a project."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with context.using(context.anonymous()):
            return self.app(environ, start_response)


def wrap(app):
    """``app`` behind authentication when ``[pecan] auth_enable`` is on."""
    if not CONF.pecan.auth_enable:
        return Anonymous(app)
    from keystonemiddleware import auth_token

    class _AuthProtocol(auth_token.AuthProtocol):
        def process_response(self, response):
            # The Gate's 401 carries its WWW-Authenticate already; the middleware's
            # own would repeat it, and fail outright when it cannot reach Keystone.
            return response

    gate = Gate(app)
    protocol = _AuthProtocol(gate, {"oslo_config_config": CONF,
                                    "delay_auth_decision": True})
    gate.protocol = protocol
    return _Shield(protocol)


class _Shield:
    """A middleware that cannot validate (Keystone unreachable, ``[keystone_authtoken]``
    incomplete) answers 503, logged here, never a traceback."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        except Exception:  # noqa: BLE001 - the client never sees a traceback
            LOG.exception("could not validate a token (check [keystone_authtoken])")
            return fault(start_response, "503 Service Unavailable",
                          "The identity service is unavailable")
