"""The base of every generated OpenStack action, and how results become plain data."""

import inspect

from mistral_svc.actions.base import Action, ActionError


def to_primitive(value, _depth=0):
    """Client results (resources, lists/tuples with request ids, responses) as JSON
    data: a resource becomes the dict the API returned for it."""
    if _depth > 50:
        return str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return str(value)  # drops the client's StrWithMeta wrapper
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and hasattr(value, "_info"):
        return to_primitive(to_dict(), _depth + 1)
    if isinstance(value, dict):
        return {str(k): to_primitive(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)) or inspect.isgenerator(value):
        return [to_primitive(v, _depth + 1) for v in value]
    status = getattr(value, "status_code", None)
    if isinstance(status, int):  # a raw HTTP response (delete calls return one)
        return {"status": status}
    return str(value)


class OpenStackAction(Action):
    """Calls one method of a python-*client manager. Subclasses are generated: they set
    ``service``, ``manager`` and ``method`` and carry the method's signature."""

    service = None
    manager = None
    method = None

    def __init__(self, action_region="", **kwargs):
        self.action_region = action_region
        self.kwargs = kwargs

    def run(self, context):
        from mistral_svc.actions.openstack import session

        client = session.client_for(self.service, self.action_region, context)
        func = getattr(getattr(client, self.manager), self.method)
        try:
            result = func(**self.kwargs)
        except TypeError as e:
            raise ActionError("%s: %s" % (getattr(self, "action_name", self.method), e))
        except Exception as e:  # noqa: BLE001 - client and HTTP errors fail the action
            raise ActionError("%s failed: %s: %s"
                              % (getattr(self, "action_name", self.method),
                                 type(e).__name__, e))
        return to_primitive(result)
