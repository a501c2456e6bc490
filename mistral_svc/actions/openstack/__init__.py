"""OpenStack actions (``nova.*``, ``cinder.*``) generated from the client libraries.

Each service entry knows how to build its client; the catalogue is generated once per
process from a client built without credentials, and the same builder makes the real,
authenticated client when an action runs.
"""

import logging

from mistral_lib import actions as ml_actions

from mistral_svc import config
from mistral_svc.actions import descriptors
from mistral_svc.actions.openstack import generator

CONF = config.CONF
LOG = logging.getLogger(__name__)


def _nova(session=None, region_name=None, interface="public"):
    from novaclient import client

    return client.Client(CONF.openstack_actions.nova_api_version, session=session,
                         region_name=region_name, endpoint_type=interface)


def _nova_meta():
    from novaclient import api_versions, base

    return base.Manager, api_versions, CONF.openstack_actions.nova_api_version


def _cinder(session=None, region_name=None, interface="public"):
    from cinderclient import client

    return client.Client(CONF.openstack_actions.cinder_api_version, session=session,
                         region_name=region_name, endpoint_type=interface)


def _cinder_meta():
    from cinderclient import api_versions, base

    return base.Manager, api_versions, CONF.openstack_actions.cinder_api_version


#: service prefix -> (client builder, (manager base, api_versions module, version))
SERVICES = {
    "nova": (_nova, _nova_meta),
    "cinder": (_cinder, _cinder_meta),
}


def client_builder(service):
    return SERVICES[service][0]


def actions():
    """Every generated OpenStack action by name; a service whose client library is
    missing or broken is left out (and logged), the others still load."""
    from keystoneauth1 import session as ks_session

    catalogue = {}
    for service, (build, meta) in SERVICES.items():
        try:
            manager_base, api_versions, version = meta()
            client = build(session=ks_session.Session())
            catalogue.update(generator.generate(
                service, client, manager_base, api_versions,
                api_versions.APIVersion(version)))
        except Exception:  # noqa: BLE001 - one broken client must not hide the rest
            LOG.exception("could not generate the %s actions", service)
    return catalogue


class OpenStackActionProvider(ml_actions.ActionProvider):
    """The ``nova.*`` and ``cinder.*`` actions, generated once when first asked for."""

    def __init__(self, name="openstack"):
        super().__init__(name)
        self._actions = None

    def _catalogue(self):
        if self._actions is None:
            found = {}
            for action_name, cls in sorted(actions().items()):
                cls.action_name = action_name
                found[action_name] = descriptors.PythonAction(action_name, cls)
            self._actions = found
        return self._actions

    def find(self, action_name, namespace=None):
        return self._catalogue().get(action_name)

    def find_all(self, namespace=None, limit=None, sort_fields=None, sort_dirs=None,
                 filters=None, **kwargs):
        return list(self._catalogue().values())
