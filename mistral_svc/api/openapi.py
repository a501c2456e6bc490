"""The OpenAPI 3 document of the REST API, built from the running controllers.

Nothing here is written by hand per endpoint: the paths come from walking the pecan
controller tree (a ``RestController``'s ``get_all``/``get_one``/``post``/``put``/
``delete``, its custom actions and its nested controllers), the parameters and bodies
from the WSME signatures (``wsexpose``) or, for the few plain pecan methods, from their
Python signature and the ``rest_utils.documented`` note beside them, and the schemas
from the WSME resource types. So the document changes with the code that serves it.

Served at ``GET /v2/openapi.json``.
"""

import inspect
import json
import re
import threading

import pecan.rest
import wsme.types as wtypes

from mistral_svc.api.controllers.v2 import types as v2_types

OPENAPI_VERSION = "3.0.3"
PATH = "/v2/openapi.json"
ERROR = {"$ref": "#/components/schemas/Error"}
_ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a 4xx for the client's mistakes, 503 when a backend "
                   "is away, never a traceback.",
    "properties": {"faultcode": {"type": "string"},
                   "faultstring": {"type": "string"},
                   "debuginfo": {"type": "string", "nullable": True}},
    "required": ["faultstring"],
}
_VERBS = {"get_all": "get", "get_one": "get", "post": "post", "put": "put",
          "delete": "delete"}


class _Builder:
    def __init__(self):
        self.paths = {}
        self.schemas = {"Error": _ERROR_SCHEMA}

    # -- schemas --------------------------------------------------------------------

    def schema(self, datatype):
        """The JSON schema of a WSME datatype (a $ref for resource types)."""
        if datatype is None:
            return {}
        if isinstance(datatype, v2_types.JsonType):
            return {"type": "string", "nullable": True, "format": "json",
                    "description": "A JSON-encoded object."}
        if isinstance(datatype, wtypes.ArrayType):
            return {"type": "array", "nullable": True,
                    "items": self.schema(datatype.item_type)}
        if isinstance(datatype, wtypes.DictType):
            return {"type": "object", "nullable": True,
                    "additionalProperties": self.schema(datatype.value_type)}
        if isinstance(datatype, wtypes.Enum):
            return {"type": "string", "nullable": True,
                    "enum": sorted(datatype.values) + [None]}
        if wtypes.iscomplex(datatype):
            return {"$ref": "#/components/schemas/%s" % self._component(datatype)}
        if datatype is bool:
            return {"type": "boolean", "nullable": True}
        if datatype is int:
            return {"type": "integer", "nullable": True, "minimum": -v2_types.INT_MAX,
                    "maximum": v2_types.INT_MAX}
        if datatype is float:
            return {"type": "number", "nullable": True}
        return {"type": "string", "nullable": True}

    def _component(self, datatype):
        name = datatype.__name__
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder: a type may refer to itself
            props = {}
            for attr in wtypes.list_attributes(datatype):
                prop = dict(self.schema(attr.datatype))
                if getattr(attr, "readonly", False):
                    prop = {"allOf": [prop], "readOnly": True} if "$ref" in prop else \
                        dict(prop, readOnly=True)
                props[attr.name] = prop
            self.schemas[name] = {"type": "object", "nullable": True,
                                  "properties": props, "additionalProperties": False}
            doc = inspect.getdoc(datatype)
            if doc and datatype.__doc__ is not None and "__doc__" in vars(datatype):
                self.schemas[name]["description"] = doc
        return name

    # -- operations -----------------------------------------------------------------

    def add(self, path, verb, operation):
        # OpenAPI forbids two templates of one shape (``/x/{name}`` and ``/x/{id}``):
        # methods naming their argument differently share the first one's names.
        operation["parameters"] = [dict(p) for p in operation.get("parameters", [])]
        shape = re.sub(r"{[^}]*}", "{}", path)
        for known in self.paths:
            if known != path and re.sub(r"{[^}]*}", "{}", known) == shape:
                renames = dict(zip(re.findall(r"{([^}]*)}", path),
                                   re.findall(r"{([^}]*)}", known)))
                for param in operation.get("parameters", []):
                    if param["in"] == "path":
                        param["name"] = renames.get(param["name"], param["name"])
                operation["operationId"] = _operation_id(verb, known)
                path = known
                break
        self.paths.setdefault(path, {})[verb] = operation

    def walk(self, controller, prefix, parent_params):
        """Every operation of ``controller`` mounted at ``prefix``; ``parent_params``:
        the names of the path parameters before it (its methods take them first)."""
        if isinstance(controller, pecan.rest.RestController):
            for method, verb in _VERBS.items():
                func = getattr(controller, method, None)
                if func is not None and getattr(func, "exposed", False):
                    self._operation(func, method, verb, prefix, parent_params)
            for action, verbs in sorted(getattr(controller, "_custom_actions", {}).items()):
                func = getattr(controller, action)
                for verb in verbs:
                    self._operation(func, action, verb.lower(), prefix + "/" + action,
                                    parent_params)
        for name, child in sorted(vars(type(controller)).items()):
            if name.startswith("_") or not _is_controller(child):
                continue
            if isinstance(controller, pecan.rest.RestController):
                # A nested collection lives under one item of its parent.
                child_params = _item_param(child)
                self.walk(child, "%s/{%s}/%s" % (prefix, child_params, name),
                          parent_params + [child_params])
            else:
                self.walk(child, "%s/%s" % (prefix, name), parent_params)
        index = getattr(controller, "index", None)
        if index is not None and getattr(index, "exposed", False) \
                and not isinstance(controller, pecan.rest.RestController):
            self._operation(index, "index", "get", prefix or "/", parent_params)

    def _operation(self, func, method, verb, prefix, parent_params):
        funcdef = getattr(func, "_wsme_definition", None)
        if funcdef is not None:
            op, own = self._wsme_operation(funcdef, method, parent_params)
        else:
            op, own = self._pecan_operation(func, method, verb, parent_params)
        doc = inspect.getdoc(func)
        if doc:
            op["description"] = doc
        params = [_path_param(n) for n in parent_params]
        paths = []
        if own is None:
            paths.append((prefix, params))
        else:
            mandatory, optional = own
            if mandatory or not optional:
                paths.append(("/".join([prefix] + ["{%s}" % n for n in mandatory]),
                              params + [_path_param(n) for n in mandatory]))
            if optional:  # ``put(identifier=None)``: the collection and one item
                paths.append((prefix, params))
                paths.append(("%s/{%s}" % (prefix, optional), params +
                              [_path_param(optional)]))
        for path, path_params in dict((p, (p, pp)) for p, pp in paths).values():
            operation = dict(op)
            operation["parameters"] = path_params + op.get("parameters", [])
            operation["operationId"] = _operation_id(verb, path)
            self.add(path, verb, operation)

    def _wsme_operation(self, funcdef, method, parent_params):
        args = [a for a in funcdef.arguments
                if not (funcdef.body_type is not None and a is funcdef.arguments[-1])]
        mandatory = [a.name for a in args if a.mandatory][len(parent_params):]
        query = [a for a in args if not a.mandatory]
        op = {"parameters": [self._query_param(a.name, a.datatype) for a in query]}
        if funcdef.body_type is not None:
            op["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": self.schema(funcdef.body_type)}}}
        responses = {}
        if funcdef.return_type is None or funcdef.status_code == 204:
            responses[str(funcdef.status_code)] = {"description": "Done."}
        else:
            responses[str(funcdef.status_code)] = {
                "description": "The result.",
                "content": {"application/json": {
                    "schema": self.schema(funcdef.return_type)}}}
        op["responses"] = dict(responses, **_errors())
        if method in ("get_one", "put", "delete") or mandatory:
            return op, (mandatory, None)
        return op, None

    def _pecan_operation(self, func, method, verb, parent_params):
        note = getattr(func, "_documented", {})
        spec = inspect.getfullargspec(inspect.unwrap(func))
        names = spec.args[1:]  # self
        defaults = dict(zip(reversed(names), reversed(spec.defaults or ())))
        positional = [n for n in names if n not in defaults][len(parent_params):]
        positional += note.get("path", [])
        query = [n for n in names if n in defaults and n not in note.get("path", [])]
        optional_item = note.get("item")
        op = {"parameters": [
            self._query_param(n, _datatype_of(defaults[n])) for n in query
            if n != optional_item] + [
            self._query_param(n, t) for n, t in note.get("query", {}).items()]}
        body = note.get("body")
        if body == "text":
            op["requestBody"] = {"required": True, "content": {
                "text/plain": {"schema": {"type": "string"}}}}
        elif body is not None:
            op["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": self.schema(body)}}}
        returns = note.get("returns")
        status = str(note.get("status", 200))
        if isinstance(returns, dict):
            schema = returns
        elif isinstance(returns, (list, tuple)):
            schema = {"oneOf": [self.schema(r) for r in returns]}
        else:
            schema = self.schema(returns)
        op["responses"] = dict({status: {"description": "The result.", "content": {
            "application/json": {"schema": schema}}}}, **_errors())
        if positional or optional_item:
            return op, (positional, optional_item)
        return op, None

    def _query_param(self, name, datatype):
        schema = self.schema(datatype)
        schema.pop("nullable", None)
        param = {"name": name, "in": "query", "required": False, "schema": schema}
        if schema.get("type") == "array":
            param.update(style="form", explode=True)
        return param


def _errors():
    content = {"application/json": {"schema": ERROR}}
    return {"4XX": {"description": "The request was refused.", "content": content},
            "503": {"description": "A backend is away; try again later.",
                    "content": content}}


def _is_controller(obj):
    return isinstance(obj, pecan.rest.RestController) or (
        not isinstance(obj, type) and type(obj).__module__.startswith(
            "mistral_svc.api.controllers") and type(obj).__name__.endswith("Controller"))


def _item_param(child):
    """The name a nested controller's methods give their parent's id."""
    for method in ("get_all", "post", "get_one", "put", "delete"):
        func = getattr(child, method, None)
        if func is None:
            continue
        funcdef = getattr(func, "_wsme_definition", None)
        if funcdef is not None and funcdef.arguments:
            return funcdef.arguments[0].name
        names = inspect.getfullargspec(inspect.unwrap(func)).args[1:]
        if names:
            return names[0]
    return "id"


def _path_param(name):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _datatype_of(default):
    if isinstance(default, bool):
        return bool
    if isinstance(default, int):
        return int
    return wtypes.text


def _operation_id(verb, path):
    words = [w.strip("{}") for w in path.split("/") if w and w != "v2"]
    return "_".join([verb] + words) or verb


def build():
    """The OpenAPI document of the whole API (the versions list and v2)."""
    from mistral_svc.api.controllers import root

    builder = _Builder()
    builder.walk(root.RootController(), "", [])
    builder.add(PATH, "get", {
        "operationId": "get_openapi",
        "description": "This document.",
        "parameters": [],
        "responses": {"200": {"description": "The OpenAPI document.",
                              "content": {"application/json": {
                                  "schema": {"type": "object"}}}}}})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "mistral-svc REST API", "version": "v2",
                 "description": "Workflow as a service, wire-compatible with OpenStack "
                                "Mistral's API v2."},
        "paths": dict(sorted(builder.paths.items())),
        "components": {"schemas": builder.schemas},
    }


_cache = []
_lock = threading.Lock()


def document():
    """The document, built once per process (the controllers do not change)."""
    with _lock:
        if not _cache:
            _cache.append(json.dumps(build(), sort_keys=False).encode("utf-8"))
        return _cache[0]


def application(environ, start_response):
    """WSGI app serving the document at ``PATH``."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        body = json.dumps({"faultcode": "Client", "faultstring": "Method not allowed",
                           "debuginfo": None}).encode()
        start_response("405 Method Not Allowed", [("Content-Type", "application/json"),
                                                  ("Content-Length", str(len(body))),
                                                  ("Allow", "GET, HEAD")])
        return [body]
    body = document()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body] if environ["REQUEST_METHOD"] == "GET" else []

