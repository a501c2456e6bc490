"""Where action names resolve to classes: the system catalogue of every provider."""

import logging
import threading

from mistral_svc.actions import http, javascript, mail, ssh, std

LOG = logging.getLogger(__name__)

_lock = threading.Lock()
_catalogue = None

#: Providers of built-in actions, each a module-level ``ACTIONS`` mapping.
_STD_PROVIDERS = (std, http, mail, ssh, javascript)


def _load():
    catalogue = {}
    for provider in _STD_PROVIDERS:
        catalogue.update(provider.ACTIONS)
    try:
        from mistral_svc.actions import openstack

        catalogue.update(openstack.actions())
    except ImportError as e:
        LOG.warning("OpenStack actions are unavailable: %s", e)
    for name, cls in catalogue.items():
        cls.action_name = name
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
