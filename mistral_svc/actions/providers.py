"""Action providers of our own, registered under ``mistral.action.providers``.

- ``legacy``: every class an installed package registers under the ``mistral.actions``
  entry point (our std actions among them), as Mistral's provider of that name does,
  filtered by ``[legacy_action_provider]``.
- ``adhoc`` and ``dynamic``: ad-hoc actions (YAML) and dynamic actions (classes of
  code sources) live in the database, so the engine looks them up there; their entries
  exist so that ``[action_providers]`` can switch them off like any other provider.
"""

import collections
import fnmatch
import logging

from mistral_lib import actions as ml_actions
from stevedore import extension, named

from mistral_svc import config
from mistral_svc.actions import descriptors

CONF = config.CONF
LOG = logging.getLogger(__name__)

ACTIONS_NAMESPACE = "mistral.actions"
OWN_MODULE_PREFIX = "mistral_svc."


def filtered_out(allowlist, denylist, name):
    """True when ``name`` is left out: not matching an ``allowlist`` pattern when there
    is an allowlist (which then wins), else matching a ``denylist`` pattern."""
    if allowlist:
        return not any(fnmatch.fnmatchcase(name, p) for p in allowlist)
    return any(fnmatch.fnmatchcase(name, p) for p in denylist or ())


def _manager(namespace, names, on_failure=None):
    return named.NamedExtensionManager(
        namespace, names, invoke_on_load=False, on_load_failure_callback=on_failure,
        on_missing_entrypoints_callback=lambda missing: None)


def entry_point_names(namespace):
    """Names registered under ``namespace`` by the installed distributions (nothing is
    imported to list them)."""
    return sorted(set(_manager(namespace, []).entry_points_names()))


def forget_entry_points(*namespaces):
    """Make stevedore read the installed entry points of ``namespaces`` again (it keeps
    them for the life of the process)."""
    for namespace in namespaces:
        extension.ExtensionManager.ENTRY_POINT_CACHE.pop(namespace, None)


def load_entry_points(namespace, names):
    """``(extensions, failures)`` for ``names`` of ``namespace``: stevedore extensions
    that imported, and ``{name: (target, reason)}`` of those that did not."""
    failures = {}

    def failed(manager, entrypoint, error):
        reason = "%s: %s" % (type(error).__name__, error)
        LOG.warning("could not load %s entry point %s (%s): %s", namespace,
                    entrypoint.name, entrypoint.value, reason)
        failures[entrypoint.name] = (entrypoint.value, reason)

    if not names:
        return [], failures
    return list(_manager(namespace, names, failed)), failures


def _is_ours(ext):
    return ext.entry_point.value.startswith(OWN_MODULE_PREFIX)


class LegacyActionProvider(ml_actions.ActionProvider):
    """Action classes of the ``mistral.actions`` entry point of installed packages."""

    def __init__(self, name="legacy"):
        super().__init__(name)
        self._actions = collections.OrderedDict()
        self._load()

    def _load(self):
        opts = CONF.legacy_action_provider
        if not opts.load_action_plugins:
            return
        names = [n for n in entry_point_names(ACTIONS_NAMESPACE)
                 if not filtered_out(opts.allowlist, opts.denylist, n)]
        extensions, failures = load_entry_points(ACTIONS_NAMESPACE, names)
        if opts.only_builtin_actions:
            failures = {n: f for n, f in failures.items()
                        if f[0].startswith(OWN_MODULE_PREFIX)}
        chosen = {}
        for ext in extensions:
            if opts.only_builtin_actions and not _is_ours(ext):
                continue
            other = chosen.get(ext.name)
            if other is not None:
                # Two packages claim one name: ours wins, else the first found.
                keep = ext if _is_ours(ext) and not _is_ours(other) else other
                LOG.warning("action %s is registered by %s and %s; using %s", ext.name,
                            other.entry_point.value, ext.entry_point.value,
                            keep.entry_point.value)
                chosen[ext.name] = keep
                continue
            chosen[ext.name] = ext
        for name in sorted(set(chosen) | set(failures)):
            ext = chosen.get(name)
            if ext is None:
                target, reason = failures[name]
                self._actions[name] = descriptors.BrokenAction(name, target, reason)
            elif not isinstance(ext.plugin, type):
                self._actions[name] = descriptors.BrokenAction(
                    name, ext.entry_point.value, "it is not a class")
            else:
                self._actions[name] = descriptors.PythonAction(name, ext.plugin)

    def find(self, action_name, namespace=None):
        return self._actions.get(action_name)

    def find_all(self, namespace=None, limit=None, sort_fields=None, sort_dirs=None,
                 filters=None, **kwargs):
        return list(self._actions.values())


class _DatabaseActionProvider(ml_actions.ActionProvider):
    """Actions the engine finds in the database; nothing is held in memory."""

    #: The catalogue does not ask this provider; the engine queries its table.
    database_backed = True

    def find(self, action_name, namespace=None):
        return None

    def find_all(self, namespace=None, limit=None, sort_fields=None, sort_dirs=None,
                 filters=None, **kwargs):
        return []


class AdHocActionProvider(_DatabaseActionProvider):
    """Ad-hoc actions: YAML wrappers around other actions (``/v2/actions``)."""


class DynamicActionProvider(_DatabaseActionProvider):
    """Dynamic actions: classes of uploaded code sources (``/v2/dynamic_actions``)."""
