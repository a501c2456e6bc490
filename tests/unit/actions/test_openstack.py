"""OpenStack actions generated from python-novaclient and python-cinderclient."""

import inspect

import pytest

from mistral_svc.actions import base, registry
from mistral_svc.actions.openstack import generator
from mistral_svc.actions.openstack.base import to_primitive


def _names(prefix):
    return [n for n in registry.system_actions() if n.startswith(prefix + ".")]


def test_hundreds_of_actions_per_service():
    assert len(_names("nova")) > 100
    assert len(_names("cinder")) > 100
    for name in ("nova.servers_create", "nova.servers_find", "nova.servers_start",
                 "nova.flavors_list", "cinder.backups_create", "cinder.volumes_get",
                 "cinder.volume_snapshots_create"):
        assert registry.get(name) is not None, name


def test_plumbing_methods_are_not_actions():
    for name in registry.system_actions():
        for skipped in generator.EXCLUDED_METHODS:
            assert not name.endswith("_" + skipped), name


def test_inputs_follow_the_method_signature_plus_action_region():
    backups_create = registry.get("cinder.backups_create")
    assert backups_create.params_spec == (
        "volume_id, container=null, name=null, description=null, incremental=false, "
        "force=false, snapshot_id=null, action_region=\"\"")
    assert registry.get("cinder.backups_find").params_spec == 'action_region=""'
    assert registry.get("cinder.backups_list").params_spec.startswith("detailed=true")
    assert registry.get("nova.servers_create").params_spec.startswith(
        "name, image, flavor, meta=null")


def test_description_is_the_docstring():
    desc = registry.get("cinder.backups_create").description
    assert desc.startswith("Creates a volume backup.")
    assert ":param volume_id: The ID of the volume to backup." in desc


def test_input_checks_use_the_generated_signature():
    cls = registry.get("nova.servers_create")
    with pytest.raises(base.ActionError) as e:
        base.check_input(cls, {"name": "x", "colour": "red"})
    assert "missing=['image', 'flavor']" in str(e.value)
    assert "unexpected=['colour']" in str(e.value)
    base.check_input(cls, {"name": "x", "image": "i", "flavor": "f",
                           "action_region": "RegionTwo"})
    # find() takes any attribute to match on.
    base.check_input(registry.get("nova.servers_find"), {"id": "1", "status": "ACTIVE"})


def test_action_keeps_its_call_arguments():
    action = registry.get("nova.servers_get").instantiate({"server": "abc", "action_region": "R2"})
    assert action.kwargs == {"server": "abc"} and action.action_region == "R2"
    assert (action.service, action.manager, action.method) == ("nova", "servers", "get")


class _FakeVersioned:
    """Mimics the clients' api_versions registry for one versioned method."""

    class Method:
        def __init__(self, start, func):
            self.start_version, self.func = start, func

    def __init__(self):
        def old(self, a):
            """Old variant."""

        def new(self, a, b=None):
            """New variant."""

        self.methods = [self.Method(1, old), self.Method(5, new)]

    def get_substitutions(self, key, version):
        return [m for m in self.methods if m.start_version <= version]


def test_versioned_methods_resolve_for_the_configured_version():
    versions = _FakeVersioned()

    def inner(self, a):
        pass

    inner.versioned = True

    def wrapper(self, *args, **kwargs):
        pass

    wrapper.__wrapped__ = inner
    assert generator.implementation(wrapper, versions, 3).__doc__ == "Old variant."
    assert generator.implementation(wrapper, versions, 7).__doc__ == "New variant."
    assert generator.implementation(wrapper, versions, 0) is None


def test_action_signature_shapes():
    def method(self, a, /, b, *args, c=1, **kwargs):
        pass

    sig = generator.action_signature(method)
    assert str(sig) == "(self, a, b, *, c=1, action_region='', **kwargs)"
    assert list(inspect.signature(lambda self: None).parameters) == ["self"]


class _Resource:
    def __init__(self, info):
        self._info = info

    def to_dict(self):
        return dict(self._info)


class _Response:
    status_code = 204


def test_results_become_plain_data():
    value = (_Response(), [_Resource({"id": "1", "nested": _Resource({"x": 1})})])
    assert to_primitive(value) == [{"status": 204}, [{"id": "1", "nested": {"x": 1}}]]
    assert to_primitive(b"raw") == "raw"
    assert to_primitive(x for x in (1, 2)) == [1, 2]
    assert to_primitive(object()).startswith("<object")
