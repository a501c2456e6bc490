"""Generate one action per public method of each manager of an OpenStack client.

A client instance is built without credentials (nothing is sent over the network) and
every attribute that is a manager contributes its public methods: ``servers.create``
of novaclient becomes ``nova.servers_create``. Methods the client library selects by
API microversion are resolved for the configured version, so an action's input is the
signature of the very function that will run, plus ``action_region``.
"""

import inspect
import logging

from mistral_svc.actions.openstack.base import OpenStackAction

LOG = logging.getLogger(__name__)

# Plumbing every client manager has, which is no API call.
EXCLUDED_METHODS = frozenset({
    "alternate_service_type",
    "completion_cache",
    "convert_into_with_meta",
    "write_to_completion_cache",
})

REGION_PARAM = "action_region"


def implementation(func, api_versions, version):
    """The function that runs for ``func`` at API ``version``, or None if the method
    does not exist at that version."""
    inner = getattr(func, "__wrapped__", None)
    if inner is None or not getattr(inner, "versioned", False) or api_versions is None:
        return func
    key = getattr(func, "__id__", None) or "%s.%s" % (inner.__module__, inner.__qualname__)
    candidates = api_versions.get_substitutions(key, version)
    if not candidates:
        return None
    return max(candidates, key=lambda m: m.start_version).func


def action_signature(func):
    """The action's ``__init__`` signature for a manager method: its parameters without
    ``self`` and ``*args``, then ``action_region=""``, then its ``**kwargs`` if any."""
    P = inspect.Parameter
    params = list(inspect.signature(func).parameters.values())[1:]
    regular, var_kw = [], None
    for p in params:
        if p.kind == P.VAR_POSITIONAL:
            continue
        if p.kind == P.VAR_KEYWORD:
            var_kw = p
            continue
        if p.kind == P.POSITIONAL_ONLY:
            p = p.replace(kind=P.POSITIONAL_OR_KEYWORD)
        regular.append(p)
    out = [P("self", P.POSITIONAL_OR_KEYWORD)] + regular
    if not any(p.name == REGION_PARAM for p in regular):
        out.append(P(REGION_PARAM, P.KEYWORD_ONLY, default=""))
    if var_kw is not None:
        out.append(var_kw)
    return inspect.Signature(out)


def _public_methods(manager_cls):
    for name in sorted(dir(manager_cls)):
        if name.startswith("_") or name in EXCLUDED_METHODS:
            continue
        static = inspect.getattr_static(manager_cls, name, None)
        if isinstance(static, (staticmethod, classmethod, property)):
            continue
        func = getattr(manager_cls, name, None)
        if inspect.isfunction(func):
            yield name, func


def _class_name(service, manager, method):
    words = [service] + manager.split("_") + method.split("_")
    return "".join(w.capitalize() for w in words) + "Action"


def make_action_class(service, manager, method, func):
    """An OpenStackAction subclass calling ``<client>.<manager>.<method>``."""
    sig = action_signature(func)

    def __init__(self, **kwargs):
        OpenStackAction.__init__(self, **kwargs)

    __init__.__signature__ = sig
    return type(_class_name(service, manager, method), (OpenStackAction,), {
        "__init__": __init__,
        "__doc__": inspect.cleandoc(func.__doc__ or ""),
        "__module__": __name__,
        "service": service,
        "manager": manager,
        "method": method,
    })


def generate(service, client, manager_base, api_versions=None, version=None):
    """``{"<service>.<manager>_<method>": class}`` for every manager of ``client``."""
    actions = {}
    for manager_name, manager in sorted(vars(client).items()):
        if manager_name.startswith("_") or not isinstance(manager, manager_base):
            continue
        for method_name, func in _public_methods(type(manager)):
            impl = implementation(func, api_versions, version)
            if impl is None:
                continue
            try:
                cls = make_action_class(service, manager_name, method_name, impl)
            except (TypeError, ValueError) as e:
                LOG.warning("skipping %s.%s.%s: %s", service, manager_name, method_name, e)
                continue
            actions["%s.%s_%s" % (service, manager_name, method_name)] = cls
    return actions
