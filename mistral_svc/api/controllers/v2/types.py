"""WSME types shared by the v2 resources, and the decoding of request bodies into them
that names the field at fault."""

import json

import wsme
import wsme.rest.json
from wsme import types as wtypes

from mistral_svc.api import bodies

# Integer fields are stored in 32-bit columns.
INT_MAX = 2 ** 31 - 1


class JsonType(wtypes.UserType):
    """A dict that travels as a JSON-encoded string, as Mistral's API sends ``input``,
    ``output``, ``params`` and similar fields (clients ``json.loads`` them). A request
    may also send the object itself."""

    basetype = wtypes.text
    name = "json"

    def validate(self, value):
        return value

    def frombasetype(self, value):
        if value is None or isinstance(value, dict):
            decoded = value
        elif isinstance(value, str):
            decoded = bodies.loads(value, "The value") if value.strip() else {}
        else:
            raise ValueError("must be a JSON object or a JSON-encoded one, not %s"
                             % _kind(value))
        if isinstance(decoded, dict) and bodies.json_depth_exceeded(decoded):
            raise ValueError("nests deeper than %d levels" % bodies.MAX_JSON_DEPTH)
        if decoded is not None and not isinstance(decoded, dict):
            raise ValueError("must be a JSON object, not %s" % _kind(decoded))
        return decoded

    def tobasetype(self, value):
        if value is None:
            return None
        return json.dumps(value)


jsontype = JsonType()


def _kind(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _shown(value, limit=80):
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def resource_fromjson(datatype, value):
    """WSME's decoding of a JSON object into the resource type ``datatype``, except
    that a value of the wrong kind is an ``InvalidInput`` naming its field (WSME's own
    names the whole body, or lets a TypeError through as a 500)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise wsme.exc.InvalidInput("body", _shown(value),
                                    "must be a JSON object, not %s" % _kind(value))
    attributes = wsme.types.list_attributes(datatype)
    unknown = set(value) - {a.name for a in attributes}
    if unknown:
        raise wsme.exc.UnknownAttribute(None, unknown)
    obj = datatype()
    for attrdef in attributes:
        if attrdef.name not in value:
            if attrdef.mandatory:
                raise wsme.exc.InvalidInput(attrdef.name, None, "Mandatory field missing.")
            continue
        raw = value[attrdef.name]
        try:
            decoded = wsme.rest.json.fromjson(attrdef.datatype, raw)
        except wsme.exc.UnknownAttribute as e:
            e.add_fieldname(attrdef.name)
            raise
        except wsme.exc.InvalidInput:
            raise
        except (ValueError, TypeError, ArithmeticError) as e:
            raise wsme.exc.InvalidInput(attrdef.name, _shown(raw),
                                        _message(e, attrdef.datatype, raw))
        if attrdef.datatype is int and decoded is not None and abs(decoded) > INT_MAX:
            raise wsme.exc.InvalidInput(attrdef.name, _shown(raw),
                                        "must be between %d and %d" % (-INT_MAX, INT_MAX))
        if getattr(attrdef, "readonly", False):
            raise wsme.exc.InvalidInput(attrdef.name, _shown(decoded),
                                        "Cannot set read only field.")
        setattr(obj, attrdef.key, decoded)
    return wsme.types.validate_value(datatype, obj)


def _message(e, datatype, raw):
    if datatype in (int, float):
        return "must be a number, not %s" % _kind(raw)
    if isinstance(e, TypeError) or not e.args:
        return "Wrong type: %s" % _kind(raw)
    return str(e.args[0])


def register(resource_cls):
    """Decode request bodies of ``resource_cls`` with ``resource_fromjson``."""
    wsme.rest.json.fromjson.when_object(resource_cls)(resource_fromjson)
