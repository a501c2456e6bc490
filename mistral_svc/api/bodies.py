"""Request bodies, checked before any controller sees them.

Every body is read here, once, within ``[oslo_middleware] max_request_body_size`` (the
limit oslo.middleware's ``RequestBodySizeLimiter`` enforces, in front of this layer): a
body sent without a length is read through the limiter's reader, so its excess is a
413 too. A JSON body must be an object and nest no deeper than ``MAX_JSON_DEPTH``; a
deeper one is refused before anything (WSME, a controller, the engine) walks it
recursively. A NUL character in the path, the query or a string of a JSON body is
refused too: PostgreSQL cannot store or even compare one, so it would otherwise be an
error on one database and not on another.
"""

import io
import json
import urllib.parse

from mistral_svc import exceptions as exc

# How deep a JSON body, or a JSON-encoded field inside one, may nest. Definitions and
# inputs of real workflows stay far below it; past it, recursive code anywhere (WSME's
# decoding, expression engines, copying) would risk the interpreter's recursion limit.
MAX_JSON_DEPTH = 100

_BODY_METHODS = ("POST", "PUT", "PATCH")


def json_depth_exceeded(value, limit=MAX_JSON_DEPTH):
    """True when ``value`` (decoded JSON) nests deeper than ``limit`` containers.

    Walks with an explicit stack: the point is to never recurse on client data.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return False


def nul_field(value):
    """The dotted path of the first key or string in ``value`` (decoded JSON) holding a
    NUL character, or None. Iterative, like ``json_depth_exceeded``."""
    stack = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path or "(body)"
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = "%s.%s" % (path, key) if path else str(key)
                if "\x00" in str(key):
                    return child_path
                stack.append((child, child_path))
        elif isinstance(item, list):
            stack.extend((child, "%s[%d]" % (path, i)) for i, child in enumerate(item))
    return None


def _check_url(environ):
    if "\x00" in environ.get("PATH_INFO", ""):
        raise exc.InputError("The URL path contains a NUL character")
    query = environ.get("QUERY_STRING") or ""
    if "\x00" in query or "%00" in query:
        for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
            if "\x00" in name or "\x00" in value:
                raise exc.InputError("The query parameter %s contains a NUL character"
                                     % name.replace("\x00", ""))


def loads(text, what="The request body"):
    """``json.loads`` for client text: ValueError with a message naming ``what`` for
    malformed or too deeply nested JSON (never a RecursionError)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("%s nests deeper than %d levels" % (what, MAX_JSON_DEPTH))
    except ValueError as e:
        raise ValueError("%s is not valid JSON: %s" % (what, e))
    if json_depth_exceeded(value):
        raise ValueError("%s nests deeper than %d levels" % (what, MAX_JSON_DEPTH))
    return value


def _read_body(environ):
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    if length:
        try:
            size = int(length)
        except ValueError:
            raise exc.InputError("Content-Length is not a number")
        return stream.read(size) if size > 0 else b""
    # No length (chunked): the size limiter has wrapped the stream and raises once
    # more than the limit was read.
    return stream.read()


class BodyCheck:
    """WSGI layer: buffer the body, refuse non-object or too deep JSON with a 400."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        _check_url(environ)
        if environ.get("REQUEST_METHOD") in _BODY_METHODS:
            raw = _read_body(environ)
            environ["wsgi.input"] = io.BytesIO(raw)
            environ["CONTENT_LENGTH"] = str(len(raw))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            if raw and "json" in (environ.get("CONTENT_TYPE") or ""):
                _check_json(raw)
        return self.app(environ, start_response)


def _check_json(raw):
    try:
        body = json.loads(raw)
    except RecursionError:
        raise exc.InputError("The request body nests deeper than %d levels"
                             % MAX_JSON_DEPTH)
    except ValueError:
        return  # WSME and the controllers answer malformed JSON with their own 400
    if not isinstance(body, dict):
        raise exc.InputError("The request body must be a JSON object")
    if json_depth_exceeded(body):
        raise exc.InputError("The request body nests deeper than %d levels"
                             % MAX_JSON_DEPTH)
    field = nul_field(body)
    if field is not None:
        raise exc.InputError("Field %s contains a NUL character" % field)
