"""Shared API plumbing: error mapping, list parameters, pagination links."""

import functools
import inspect
import json
import logging
import urllib.parse

import oslo_messaging as messaging
import pecan
import webob
import wsme
import wsme.rest.json
import wsmeext.pecan
from oslo_db import exception as db_exc

from mistral_svc import config, exceptions as exc
from mistral_svc.lang import DSLError
from mistral_svc.workflow import states

CONF = config.CONF
LOG = logging.getLogger(__name__)


def _status_and_message(e):
    """Map an exception to (HTTP status, message a client may see)."""
    if isinstance(e, exc.MistralError):
        # Also the engine's errors over a broker: oslo.messaging rebuilds those of
        # mistral_svc.exceptions (``allowed_remote_exmods``) as subclasses of their own.
        return e.http_code, e.message
    if isinstance(e, messaging.RemoteError):
        # One it could not rebuild still names its class: the same status as in one
        # process, where the engine's exception reaches the API as it was raised.
        cls = exc.by_name(e.exc_type)
        if cls is not None:
            return cls.http_code, e.value or cls.__doc__
    if isinstance(e, DSLError):
        return 400, str(e)
    if isinstance(e, states.InvalidStateTransition):
        return 400, str(e)
    if isinstance(e, db_exc.DBDuplicateEntry):
        return 409, "Duplicate entry"
    if isinstance(e, db_exc.DBDataError):
        # The database refused a value (too long, out of range) the API let through.
        return 400, "A value does not fit its field (too long or out of range)"
    if isinstance(e, (db_exc.DBConnectionError,)):
        return 503, "The database is unavailable, try again later"
    if e.__class__.__name__ in ("MessagingTimeout", "MessageDeliveryFailure"):
        return 503, "The engine did not answer in time, try again later"
    if isinstance(e, wsme.exc.ClientSideError):
        return e.code, e.faultstring
    LOG.exception("unexpected error in the API")
    return 500, "Internal server error"


class ServerSideError(Exception):
    """A 5xx for WSME to render: faultcode ``Server`` (as Mistral answers a server
    error) and a message safe to show."""

    def __init__(self, msg, code=500):
        super().__init__(msg)
        self.code = code
        self.faultstring = msg


def _guard(func):
    """Every error becomes a ClientSideError (4xx) or a ServerSideError (5xx) with the
    right status and a message safe to show, so WSME never renders an internal
    exception's text."""

    @functools.wraps(func)
    def guarded(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except wsme.exc.ClientSideError:
            raise
        except Exception as e:  # noqa: BLE001 - every error gets a clean response
            code, msg = _status_and_message(e)
            if code >= 500:
                raise ServerSideError(msg, code) from None
            raise wsme.exc.ClientSideError(msg, status_code=code)

    return guarded


def wsexpose(*args, **kwargs):
    """``wsmeext.pecan.wsexpose`` whose errors are mapped by ``_guard``.

    WSME and pecan read the exposed function's argument list: the guard carries the
    original signature for them, and it is removed again from WSME's own wrapper (which
    copies attributes) because pecan routes that wrapper by its real (*args) shape.
    """
    expose = wsmeext.pecan.wsexpose(*args, **kwargs)

    def decorate(func):
        guarded = _guard(func)
        guarded.__signature__ = inspect.signature(func)
        exposed = expose(guarded)
        exposed.__dict__.pop("__signature__", None)
        return exposed

    return decorate


def wrap_pecan(func):
    """For plain pecan methods: errors become a JSON body ``{"faultstring": ...}``."""

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except webob.exc.HTTPException:
            raise
        except Exception as e:  # noqa: BLE001 - every error gets a clean response
            code, msg = _status_and_message(e)
            return json_response({"faultcode": "Client" if code < 500 else "Server",
                                  "faultstring": msg, "debuginfo": None}, status=code)

    # These methods always answer JSON, but a bare ``pecan.expose()`` only offers
    # text/html, so a client sending ``Accept: application/json`` would get a 406.
    cfg = getattr(wrapped, "_pecan", None)
    if cfg is not None:
        cfg.setdefault("content_types", {}).setdefault("application/json", None)
    return wrapped


# What the validate endpoints answer.
VALIDATION = {"type": "object", "properties": {"valid": {"type": "boolean"},
                                               "error": {"type": "string"}},
              "required": ["valid"]}


def documented(body=None, returns=None, status=200, query=None, item=None, path=None):
    """What the OpenAPI document says of a plain pecan method, which WSME does not
    describe: its request ``body`` ("text" for text/plain, or a resource type), what it
    ``returns`` (a resource type, a list of the types it may return, or a JSON schema)
    with ``status``, the ``query`` parameters it reads from ``**params`` ({name: type}),
    an argument that may also be the last path segment (``item``), and arguments that
    are only ever one (``path``). Nothing of it changes how the method runs."""

    def decorate(func):
        func._documented = {"body": body, "returns": returns, "status": status,
                            "query": query or {}, "item": item, "path": path or []}
        return func

    return decorate


def json_response(body, status=200):
    return webob.Response(
        status=status,
        content_type="application/json",
        charset="UTF-8",
        body=json.dumps(body).encode("utf-8"),
    )


def to_json(resource):
    """A WSME resource as the JSON-ready dict WSME itself would send."""
    return wsme.rest.json.tojson(type(resource), resource)


def request_text():
    """The raw request body as text (definitions arrive as text/plain)."""
    body = pecan.request.body
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise exc.InputError("the request body is not valid UTF-8")


def parse_fields(fields):
    if not fields:
        return None
    # Clients send ``fields=a,b`` (one comma-joined value) as well as repeated fields.
    names = [f.strip().lower() for item in fields for f in item.split(",") if f.strip()]
    if "id" not in names:
        names.append("id")
    return names


def list_args(limit, sort_keys, sort_dirs):
    """Validate pagination arguments; returns (limit, sort_keys, sort_dirs).

    As in Mistral, repeated sort keys count once, and a paginated list is also sorted
    by ``id`` (ascending) so that pages never overlap; the ``next`` link shows it.
    """
    if limit is not None and limit <= 0:
        raise exc.InputError("Limit must be positive.")
    max_limit = CONF.api.max_limit
    limit = min(limit, max_limit) if limit else None
    # Mistral reads these lists case-insensitively (``--sort_keys Description``).
    keys = [k.strip().lower() for k in (sort_keys or "created_at").split(",") if k.strip()]
    keys = list(dict.fromkeys(keys))
    dirs = [d.strip().lower() for d in (sort_dirs or "asc").split(",") if d.strip()]
    if len(dirs) > len(keys):
        raise exc.InputError("Length of sort_keys must be equal or greater than sort_dirs.")
    for d in dirs:
        if d not in ("asc", "desc"):
            raise exc.InputError("Unknown sort direction, must be 'desc' or 'asc'.")
    dirs += ["asc"] * (len(keys) - len(dirs))
    if limit and "id" not in keys:
        keys.append("id")
        dirs.append("asc")
    return limit, keys, dirs


_FILTER_OPS = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "has")


def parse_filter(value):
    """Mistral's filter syntax: ``op:value`` (``in:a,b``), or a plain value for ``eq``."""
    if value is None:
        return None
    if isinstance(value, str) and ":" in value:
        op, _, rest = value.partition(":")
        if op in _FILTER_OPS:
            if op in ("in", "nin"):
                return op, [v for v in rest.split(",")]
            return op, rest
    return "eq", value


def filters_from(**kwargs):
    out = {}
    for k, v in kwargs.items():
        if v is None or v == "":
            continue
        out[k] = parse_filter(v)
    return out


def next_link(resource_path, rows, limit, marker_params):
    """The ``next`` URL of a page, or ``Unset`` (no key at all) when this page is the
    last. The link repeats every query parameter of the request (filters included),
    with the page's effective ``sort_keys``/``sort_dirs``/``fields`` from
    ``marker_params``, a new ``marker`` and the ``limit``."""
    if not limit or not rows or len(rows) < limit:
        return wsme.Unset
    params = [(k, v) for k, v in pecan.request.GET.items()
              if k not in ("marker", "limit") and k not in marker_params]
    params += [(k, v) for k, v in marker_params.items() if v is not None]
    params += [("limit", limit), ("marker", rows[-1].id)]
    query = urllib.parse.urlencode(params, safe=",:")
    return "%s/v2/%s?%s" % (pecan.request.application_url, resource_path, query)
