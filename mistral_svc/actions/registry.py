"""Where action names resolve to classes: the system catalogue of every provider."""

import threading

from mistral_svc.actions import std

_lock = threading.Lock()
_catalogue = None


def _load():
    catalogue = {}
    for name, cls in std.ACTIONS.items():
        cls.action_name = name
        catalogue[name] = cls
    return catalogue


def system_actions():
    """Mapping of every system action name to its class."""
    global _catalogue
    if _catalogue is None:
        with _lock:
            if _catalogue is None:
                _catalogue = _load()
    return _catalogue


def get(name):
    """The class of system action ``name``, or None."""
    return system_actions().get(name)
