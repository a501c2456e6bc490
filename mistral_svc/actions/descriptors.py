"""Catalogue entries: what the system knows about one action before it runs.

Each entry is a mistral-lib ``ActionDescriptor`` (name, description, ``params_spec``,
``instantiate``, ``check_parameters``) plus ``is_sync``, a plain boolean the engine
records on the action execution before any executor has seen the action.

- ``PythonAction``: a class, from an entry point of ``mistral.actions`` or one of our own
  providers. Its input is its ``__init__`` signature, its description its docstring.
- ``ProvidedAction``: a descriptor handed over by a third-party action provider, used
  as the provider made it.
- ``BrokenAction``: an entry point that could not be loaded. It stays resolvable so a
  task that uses it fails with the reason, instead of "action not found".
"""

import inspect
import logging

from mistral_lib import actions as ml_actions

from mistral_svc.actions import base

LOG = logging.getLogger(__name__)


def class_is_sync(cls):
    """Whether instances of ``cls`` complete in ``run`` (mistral-lib's ``is_sync()``).

    An ``is_sync`` boolean attribute is read as it is; the mistral-lib method is asked
    on an instance made without ``__init__``, since the engine decides before any input
    exists. A method that needs the instance's state counts as synchronous."""
    attr = inspect.getattr_static(cls, "is_sync", True)
    if isinstance(attr, bool):
        return attr
    try:
        return bool(cls.is_sync(cls.__new__(cls)))
    except Exception:  # noqa: BLE001 - an is_sync() that needs __init__ state
        return True


def _class_path(cls):
    return "%s.%s" % (cls.__module__, cls.__qualname__)


class PythonAction(ml_actions.ActionDescriptor):
    """A catalogue entry backed by a Python action class."""

    def __init__(self, name, action_cls, attrs=None, description=None, params_spec=None):
        self._name = name
        self._cls = action_cls
        self._attrs = dict(attrs) if attrs else None
        self._desc = description
        self._params = params_spec
        self._is_sync = None

    def __repr__(self):
        return "PythonAction(%s, %s)" % (self._name, _class_path(self._cls))

    @property
    def name(self):
        return self._name

    @property
    def description(self):
        if self._desc is None:
            self._desc = inspect.getdoc(self._cls) or ""
        return self._desc

    @property
    def params_spec(self):
        if self._params is None:
            self._params = base.params_string(self._cls.__init__)
        return self._params

    @property
    def namespace(self):
        return ""

    @property
    def project_id(self):
        return None

    @property
    def scope(self):
        return "public"

    @property
    def action_class(self):
        return self._cls

    @property
    def action_class_name(self):
        return _class_path(self._cls)

    @property
    def action_class_attributes(self):
        return self._attrs

    @property
    def is_sync(self):
        if self._is_sync is None:
            self._is_sync = class_is_sync(self._cls)
        return self._is_sync

    def check_parameters(self, params):
        base.check_class_input(self._cls, params or {}, self._name)

    check_input = check_parameters

    def instantiate(self, input_dict, wf_ctx=None):
        cls = self._cls
        if self._attrs:
            cls = type(cls.__name__, (cls,), self._attrs)
        return cls(**(input_dict or {}))

    def post_process_result(self, result):
        return result


class ProvidedAction(ml_actions.ActionDescriptor):
    """A third-party provider's descriptor, with the catalogue's extras."""

    def __init__(self, desc):
        self._desc = desc
        self._is_sync = None

    def __repr__(self):
        return "ProvidedAction(%r)" % (self._desc,)

    name = property(lambda self: self._desc.name)
    description = property(lambda self: self._desc.description or "")
    params_spec = property(lambda self: self._desc.params_spec or "")
    namespace = property(lambda self: self._desc.namespace or "")
    project_id = property(lambda self: self._desc.project_id)
    scope = property(lambda self: self._desc.scope or "public")
    action_class_name = property(lambda self: self._desc.action_class_name or "")
    action_class_attributes = property(lambda self: self._desc.action_class_attributes)

    @property
    def is_sync(self):
        if self._is_sync is None:
            cls = getattr(self._desc, "action_class", None)
            self._is_sync = class_is_sync(cls) if isinstance(cls, type) else True
        return self._is_sync

    def check_parameters(self, params):
        try:
            self._desc.check_parameters(params or {})
        except base.ActionError:
            raise
        except Exception as e:  # noqa: BLE001 - the provider's own error text
            raise base.ActionError(str(e))

    check_input = check_parameters

    def instantiate(self, input_dict, wf_ctx=None):
        return self._desc.instantiate(input_dict or {}, wf_ctx)

    def post_process_result(self, result):
        if not isinstance(result, (base.Result, ml_actions.Result)):
            result = ml_actions.Result(data=result)
        return self._desc.post_process_result(result)


class BrokenAction(ml_actions.ActionDescriptor):
    """An entry point whose class could not be loaded; running it fails with why."""

    def __init__(self, name, target, reason):
        self._name = name
        self.target = target
        self.reason = reason

    def __repr__(self):
        return "BrokenAction(%s, %s)" % (self._name, self.target)

    name = property(lambda self: self._name)
    description = property(lambda self: "")
    params_spec = property(lambda self: "")
    namespace = property(lambda self: "")
    project_id = property(lambda self: None)
    scope = property(lambda self: "public")
    action_class_name = property(lambda self: self.target)
    action_class_attributes = property(lambda self: None)
    is_sync = True

    def message(self):
        return ("Failed to load action %s from %s: %s"
                % (self._name, self.target, self.reason))

    def check_parameters(self, params):
        return None

    check_input = check_parameters

    def instantiate(self, input_dict, wf_ctx=None):
        raise base.ActionError(self.message())

    def post_process_result(self, result):
        return result


def wrap(desc):
    """A catalogue entry for what a provider returned (a descriptor or one of ours)."""
    if isinstance(desc, (PythonAction, ProvidedAction, BrokenAction)):
        return desc
    if (type(desc) is ml_actions.PythonActionDescriptor
            and isinstance(getattr(desc, "action_class", None), type)):
        return PythonAction(desc.name, desc.action_class, desc.action_class_attributes,
                            description=desc.description, params_spec=desc.params_spec)
    return ProvidedAction(desc)
