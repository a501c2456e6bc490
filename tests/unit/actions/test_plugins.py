"""Actions of installed packages: the catalogue, its options, and running them."""

import os

import pytest

from mistral_svc import config
from mistral_svc.actions import descriptors, providers, registry
from mistral_svc.executor import runner
from tests import plugin_package

CONF = config.CONF


@pytest.fixture
def options():
    """Set ``[group] name`` options for one test; the catalogue is reloaded after."""
    changed = []

    def override(group, **values):
        for name, value in values.items():
            CONF.set_override(name, value, group=group)
            changed.append((group, name))
        registry.reset()

    yield override
    for group, name in changed:
        CONF.clear_override(name, group=group)
    registry.reset()


@pytest.fixture
def package(options):
    # The generated OpenStack actions are not what these tests are about.
    options("action_providers", denylist=["openstack"])
    with plugin_package.installed():
        yield


def test_allow_and_deny_patterns():
    assert not providers.filtered_out([], [], "std.echo")
    assert providers.filtered_out([], ["std.*"], "std.echo")
    assert not providers.filtered_out(["std.e*"], ["std.*"], "std.echo")
    assert providers.filtered_out(["std.e*"], [], "std.noop")


def test_package_actions_join_the_catalogue_with_their_signatures(package):
    greet = registry.get("testpkg.greet")
    assert greet.params_spec == 'name, greeting="Hello"'
    assert greet.description.startswith("Greets someone and tells which execution asked.")
    assert greet.action_class_name == "msvc_testpkg.GreetAction"
    assert greet.is_sync is True
    assert registry.get("testpkg.wait").is_sync is False
    assert registry.get("std.echo") is not None
    assert registry.get("nova.servers_list") is None


def test_entries_that_do_not_load_stay_known_as_broken(package):
    gone = registry.get("testpkg.gone")
    assert isinstance(gone, descriptors.BrokenAction)
    assert "ModuleNotFoundError" in gone.message()
    assert isinstance(registry.get("testpkg.not_a_class"), descriptors.BrokenAction)


def test_legacy_provider_lists_and_builtin_switch(package, options):
    options("legacy_action_provider", denylist=["testpkg.*"])
    assert registry.get("testpkg.greet") is None and registry.get("std.echo") is not None
    options("legacy_action_provider", allowlist=["testpkg.greet", "std.noop"])
    assert {n for n in registry.system_actions()} == {"testpkg.greet", "std.noop"}
    CONF.clear_override("allowlist", group="legacy_action_provider")
    CONF.clear_override("denylist", group="legacy_action_provider")
    options("legacy_action_provider", only_builtin_actions=True)
    names = set(registry.system_actions())
    assert "std.echo" in names and not any(n.startswith("testpkg.") for n in names)


def test_provider_lists_switch_providers_off(options):
    options("action_providers", denylist=["dynamic", "openstack"])
    assert not registry.provider_enabled("dynamic")
    assert registry.provider_enabled("adhoc") and registry.provider_enabled("legacy")
    options("action_providers", allowlist=["legacy"])
    assert not registry.provider_enabled("adhoc")
    assert registry.get("std.echo") is not None


def test_run_gets_the_mistral_lib_context(package):
    result, is_sync = runner.run_action(
        "testpkg.greet", {"name": "World"},
        {"workflow_execution_id": "wf-1", "task_execution_id": "t-1",
         "action_execution_id": "a-1", "callback_url": "http://api:8989",
         "task_name": "greet", "security": {"auth_token": "tok", "project_id": "p"}})
    assert is_sync and not result.is_error()
    assert result.data.pop("pid") == os.getpid()
    assert result.data == {"text": "Hello, World!", "workflow_execution_id": "wf-1",
                           "task_execution_id": "t-1", "action_execution_id": "a-1",
                           "callback_url": "http://api:8989"}


@pytest.mark.parametrize("name, params, is_sync, error", [
    ("testpkg.refuse", {"reason": "no"}, True, {"refused": "no"}),
    ("testpkg.no_licence", {}, True,
     "Failed to create action testpkg.no_licence [class=msvc_testpkg.NoLicenceAction]: "
     "RuntimeError: no licence for this action"),
    ("testpkg.exit", {}, True, "testpkg.exit failed: SystemExit: 3"),
    ("testpkg.gone", {}, True,
     "Failed to load action testpkg.gone from msvc_testpkg_missing.module:GoneAction: "
     "ModuleNotFoundError: No module named 'msvc_testpkg_missing'"),
    ("testpkg.not_a_class", {}, True,
     "Failed to load action testpkg.not_a_class from msvc_testpkg:not_an_action: "
     "it is not a class"),
    ("testpkg.greet", {"nom": "x"}, True,
     "Invalid input [name=testpkg.greet, class=GreetAction, missing=['name'], "
     "unexpected=['nom']]"),
    ("testpkg.nothing", {}, True, "Action not found [action_name=testpkg.nothing]"),
])
def test_failures_become_error_results(package, name, params, is_sync, error):
    result, sync = runner.run_action(name, params, {})
    assert result.error == error and sync is is_sync


def test_async_action_reports_nothing_yet(package):
    result, is_sync = runner.run_action("testpkg.wait", {}, {})
    assert is_sync is False and not result.is_error()
