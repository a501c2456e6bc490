"""The action contract shared by std actions, generated OpenStack actions and plug-ins.

Every action is a mistral-lib action: a class whose ``__init__`` keyword arguments are
its input (that signature is what ``action-get`` shows), whose ``run(context)`` gets a
``mistral_lib.actions.context.ActionContext`` and whose ``is_sync()`` says whether the
result comes back from ``run`` or later through the API.
"""

import dataclasses
import functools
import inspect
import json

from mistral_lib import actions as ml_actions, exceptions as ml_exc

from mistral_svc.lang import inputs as lang_inputs


@dataclasses.dataclass
class Result:
    """An action's outcome: ``data`` on success, ``error`` on failure."""

    data: object = None
    error: object = None
    cancel: bool = False

    def is_error(self):
        return self.error is not None

    def to_dict(self):
        return {"data": self.data, "error": self.error, "cancel": self.cancel}

    @classmethod
    def from_dict(cls, d):
        return cls(d.get("data"), d.get("error"), d.get("cancel", False))


class ActionError(ml_exc.ActionException):
    """Raised by an action to fail with a message (the task's state_info shows it)."""


class Action(ml_actions.Action):
    """Base of our own actions: a mistral-lib action. Subclasses take their input as
    ``__init__`` keyword arguments and implement ``run``; asynchronous ones override
    ``is_sync`` to return False."""

    def run(self, context):
        raise NotImplementedError


def params_string(func, skip=("self",)):
    """Render a callable's parameters like upstream's action inputs: ``a, b=null``.

    A callable may state its input text itself in ``__arguments__`` (mistral-lib's
    convention for actions whose ``__init__`` takes ``**kwargs``)."""
    own = getattr(func, "__arguments__", None)
    if isinstance(own, str):
        return own
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return ""
    required, optional = [], []
    for p in sig.parameters.values():
        if p.name in skip or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is p.empty:
            required.append(p.name)
        else:
            optional.append("%s=%s" % (p.name, json.dumps(p.default, default=str)))
    return ", ".join(required + optional)


@functools.lru_cache(maxsize=4096)
def _input_shape(init):
    """(accepts any keyword, parameter names, required names) of an ``__init__``: the
    same for every call, and inspecting it costs more than a with-items item."""
    sig = inspect.signature(init)
    accepts_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    names = frozenset(n for n in sig.parameters if n != "self")
    required = tuple(
        n for n, p in sig.parameters.items()
        if n != "self" and p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )
    return accepts_any, names, required


def check_input(cls, params):
    """Raise ActionError when ``params`` lack a required or carry an unknown parameter.

    ``cls`` is an action class or anything with its own ``check_input(params)`` (the
    catalogue's descriptors, ad-hoc and dynamic actions)."""
    if not isinstance(cls, type):
        return cls.check_input(params)
    return check_class_input(cls, params, getattr(cls, "action_name", cls.__name__))


def check_class_input(cls, params, name):
    """``check_input`` of class ``cls`` known as action ``name``."""
    accepts_any, names, required = _input_shape(cls.__init__)
    try:
        lang_inputs.check(name, cls.__name__, names, required, params, accepts_any)
    except lang_inputs.InputMismatch as e:
        raise ActionError(str(e))
