"""WSME types shared by the v2 resources."""

import json

from wsme import types as wtypes



class JsonType(wtypes.UserType):
    """A dict that travels as a JSON-encoded string, as Mistral's API sends ``input``,
    ``output``, ``params`` and similar fields (clients ``json.loads`` them)."""

    basetype = wtypes.text
    name = "json"

    def validate(self, value):
        return value

    def frombasetype(self, value):
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            return value
        try:
            return json.loads(value) if value != "" else {}
        except ValueError as e:
            raise ValueError("invalid JSON: %s" % e)

    def tobasetype(self, value):
        if value is None:
            return None
        return json.dumps(value)


jsontype = JsonType()

