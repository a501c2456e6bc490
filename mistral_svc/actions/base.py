"""The action contract shared by std actions, generated OpenStack actions and plug-ins."""

import dataclasses
import functools
import inspect
import json

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


class ActionError(Exception):
    """Raised by an action to fail with a message (the task's state_info shows it)."""


class Action:
    """Base of every action. Subclasses take their input as ``__init__`` keyword
    arguments (that signature is the one ``action-get`` shows) and implement ``run``."""

    #: False for actions completed later through the API (asynchronous actions).
    is_sync = True

    def run(self, context):
        raise NotImplementedError

    @classmethod
    def signature(cls):
        """The input string the API shows: required params first, then ``name=default``."""
        return params_string(cls.__init__)

    @classmethod
    def description(cls):
        return inspect.getdoc(cls) or ""


def params_string(func, skip=("self",)):
    """Render a callable's parameters like upstream's action inputs: ``a, b=null``."""
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
    """Raise ActionError when ``params`` lack a required or carry an unknown parameter."""
    accepts_any, names, required = _input_shape(cls.__init__)
    try:
        lang_inputs.check(getattr(cls, "action_name", cls.__name__), cls.__name__, names,
                          required, params, accepts_any)
    except lang_inputs.InputMismatch as e:
        raise ActionError(str(e))
