"""The system catalogue: every action of the providers in ``mistral.action.providers``.

Providers are loaded with stevedore, filtered by the ``[action_providers]`` allow and
deny lists, and asked once per process for their actions; each action becomes a
catalogue entry (see ``descriptors``). Our own providers come first (``legacy``, then
``openstack``), then the others by name; when two offer the same action name the first
keeps it. Providers whose actions live in the database (``adhoc``, ``dynamic``) are only
recorded as enabled: the engine looks those actions up itself.
"""

import logging
import threading

from mistral_svc import config
from mistral_svc.actions import descriptors, providers

CONF = config.CONF
LOG = logging.getLogger(__name__)

PROVIDERS_NAMESPACE = "mistral.action.providers"
_OWN_ORDER = ("legacy", "openstack")

_lock = threading.Lock()
_state = None


class _Catalogue:
    def __init__(self, actions, enabled):
        self.actions = actions
        self.enabled = frozenset(enabled)


def _provider_order(name):
    return (_OWN_ORDER.index(name) if name in _OWN_ORDER else len(_OWN_ORDER), name)


def _load():
    opts = CONF.action_providers
    names = [n for n in providers.entry_point_names(PROVIDERS_NAMESPACE)
             if not providers.filtered_out(opts.allowlist, opts.denylist, n)]
    extensions, failures = providers.load_entry_points(PROVIDERS_NAMESPACE, names)
    for name, (target, reason) in failures.items():
        LOG.error("action provider %s (%s) is not available: %s", name, target, reason)
    actions, enabled = {}, set()
    for ext in sorted(extensions, key=lambda e: _provider_order(e.name)):
        if ext.name in enabled:
            continue
        cls = ext.plugin
        if getattr(cls, "database_backed", False):
            enabled.add(ext.name)
            continue
        try:
            provider = cls(ext.name)
            found = list(provider.find_all() or ())
        except Exception:  # noqa: BLE001 - one broken provider must not hide the rest
            LOG.exception("action provider %s (%s) failed to list its actions", ext.name,
                          ext.entry_point.value)
            continue
        enabled.add(ext.name)
        for desc in found:
            entry = descriptors.wrap(desc)
            if entry.name in actions:
                LOG.warning("action %s of provider %s is already provided; ignored",
                            entry.name, ext.name)
                continue
            actions[entry.name] = entry
    LOG.info("action catalogue: %d actions from providers %s", len(actions),
             ", ".join(sorted(enabled)) or "(none)")
    return _Catalogue(actions, enabled)


def _catalogue():
    global _state
    state = _state
    if state is None:
        with _lock:
            if _state is None:
                _state = _load()
            state = _state
    return state


def system_actions():
    """Mapping of every system action name to its catalogue entry."""
    return _catalogue().actions


def get(name):
    """The catalogue entry of system action ``name``, or None."""
    return _catalogue().actions.get(name)


def provider_enabled(name):
    """Whether provider ``name`` (e.g. ``adhoc``, ``dynamic``) is loaded here."""
    return name in _catalogue().enabled


def reset():
    """Forget the catalogue; the next lookup loads the providers again (after packages
    were installed, or the ``[action_providers]`` options changed)."""
    global _state
    with _lock:
        _state = None
        providers.forget_entry_points(PROVIDERS_NAMESPACE, providers.ACTIONS_NAMESPACE)
