"""OpenStack actions driving the real python-novaclient / python-cinderclient against a
local stand-in Keystone, Nova and Cinder."""

import json

import pytest

from mistral_svc import config
from mistral_svc.actions.openstack import session as os_session
from tests.functional.fake_openstack import FakeOpenStack

CONF = config.CONF

CREATE_VM = """\
version: '2.0'
{name}:
  input: [vm_name, image_ref, flavor_ref]
  output:
    vm_id: <% $.vm_id %>
    status: <% $.status %>
  tasks:
    create_server:
      action: nova.servers_create
      input:
        name: <% $.vm_name %>
        image: <% $.image_ref %>
        flavor: <% $.flavor_ref %>
      publish:
        vm_id: <% task().result.id %>
      on-success: [wait_for_instance]
    wait_for_instance:
      action: nova.servers_find id=<% $.vm_id %> status='ACTIVE'
      publish:
        status: <% task().result.status %>
        found_name: <% task().result.name %>
"""


@pytest.fixture
def openstack():
    cloud = FakeOpenStack()
    overrides = {"auth_url": cloud.auth_url, "username": "demo", "password": "s3cret",
                 "project_name": "demo", "default_region": "RegionOne"}
    for key, value in overrides.items():
        CONF.set_override(key, value, group="openstack_actions")
    os_session.reset()
    yield cloud
    for key in overrides:
        CONF.clear_override(key, group="openstack_actions")
    os_session.reset()
    cloud.stop()


def _result(api, ex_id, task_name):
    task_id = api.tasks(ex_id)[task_name]["id"]
    return json.loads(api.get("/v2/tasks/%s" % task_id)["result"])


def test_workflow_creates_then_finds_a_server(api, unique, openstack):
    name = "create_vm_" + unique
    api.create_workflow(CREATE_VM.format(name=name))
    ex = api.wait(api.start(name, {"vm_name": "vm-" + unique, "image_ref": "img-1",
                                   "flavor_ref": "m1.tiny"})["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    output = json.loads(ex["output"])
    server = openstack.servers["RegionOne"][output["vm_id"]]
    assert server["name"] == "vm-" + unique
    assert server["image"] == {"id": "img-1"} and server["flavor"] == {"id": "m1.tiny"}
    assert output["status"] == "ACTIVE"
    published = json.loads(api.tasks(ex["id"])["wait_for_instance"]["published"])
    assert published == {"status": "ACTIVE", "found_name": "vm-" + unique}
    # One token for the whole workflow: the session is reused between actions.
    assert openstack.requests.count(("POST", "/identity/v3/auth/tokens")) == 1


def test_action_region_selects_the_endpoint(api, unique, openstack):
    name = "regions_" + unique
    api.create_workflow("""\
version: '2.0'
{name}:
  tasks:
    make:
      action: nova.servers_create name="far" image="i" flavor="f" action_region="RegionTwo"
      on-success: [list_two, list_one]
    list_two:
      action: nova.servers_list action_region="RegionTwo"
    list_one:
      action: nova.servers_list
""".format(name=name))
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert [s["name"] for s in _result(api, ex["id"], "list_two")] == ["far"]
    assert _result(api, ex["id"], "list_one") == []
    assert ("POST", "/RegionTwo/compute/v2.1/servers") in openstack.requests


def test_cinder_volume_create_and_get(api, unique, openstack):
    name = "volumes_" + unique
    api.create_workflow("""\
version: '2.0'
{name}:
  tasks:
    create:
      action: cinder.volumes_create size=2 name="data"
      publish:
        volume_id: <% task().result.id %>
      on-success: [get]
    get:
      action: cinder.volumes_get volume_id=<% $.volume_id %>
""".format(name=name))
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    volume = _result(api, ex["id"], "get")
    assert volume["name"] == "data" and volume["size"] == 2
    assert volume["status"] == "available"


def test_client_errors_and_bad_input_fail_the_task(api, unique, openstack):
    name = "errors_" + unique
    api.create_workflow("""\
version: '2.0'
{name}:
  tasks:
    missing:
      action: nova.servers_get server="no-such-server"
      on-complete: [bad_input]
    bad_input:
      action: nova.servers_create name="x" colour="red"
""".format(name=name))
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    tasks = api.tasks(ex["id"])
    assert "NotFound" in tasks["missing"]["state_info"]
    assert "HTTP 404" in tasks["missing"]["state_info"]
    info = tasks["bad_input"]["state_info"]
    assert "missing=['image', 'flavor']" in info and "unexpected=['colour']" in info


def test_without_credentials_the_task_says_what_to_configure(api, unique):
    os_session.reset()
    name = "nocreds_" + unique
    api.create_workflow("version: '2.0'\n%s:\n  tasks:\n    l:\n"
                        "      action: nova.servers_list\n" % name)
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    assert "[openstack_actions]" in api.tasks(ex["id"])["l"]["state_info"]


def test_run_action_calls_openstack_directly(api, openstack):
    body = {"name": "nova.servers_create",
            "input": json.dumps({"name": "direct", "image": "i", "flavor": "f"})}
    a_ex = api.post("/v2/action_executions", body)
    assert a_ex["state"] == "SUCCESS"
    server_id = json.loads(a_ex["output"])["result"]["id"]
    assert openstack.servers["RegionOne"][server_id]["name"] == "direct"


def _token(cloud):
    """A token the stand-in Keystone issued (what a caller of the API would hold)."""
    import requests

    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "demo", "domain": {"id": "default"}, "password": "s3cret"}}}}}
    return requests.post(cloud.auth_url + "/auth/tokens", json=body,
                         timeout=10).headers["X-Subject-Token"]


SERVER = """\
version: '2.0'
{name}:
  tasks:
    create_server:
      action: nova.servers_create name={vm!r} image="img-1" flavor="m1.tiny"
"""


def _start_as(api, name, headers):
    return api.app.post_json("/v2/executions", {"workflow_name": name},
                             headers=headers).json["id"]


def test_with_auth_on_actions_use_the_callers_token(api, unique, openstack):
    CONF.set_override("auth_enable", True, group="pecan")
    try:
        token = _token(openstack)
        caller = {"X-Auth-Token": token, "X-Project-Id": "p_" + unique,
                  "X-Roles": "member"}
        name = "tok_" + unique
        api.app.post("/v2/workflows", SERVER.format(name=name, vm="vm-" + unique),
                     headers=dict(caller, **{"Content-Type": "text/plain"}))
        ex = api.wait(_start_as(api, name, caller))
    finally:
        CONF.clear_override("auth_enable", group="pecan")
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert [s["name"] for s in openstack.servers["RegionOne"].values()] == ["vm-" + unique]
    # The caller's token was re-scoped; the configured password was never used.
    assert openstack.auth_methods == ["password", "token"]


def test_x_target_headers_send_actions_to_another_cloud(api, unique, openstack):
    target = FakeOpenStack()
    try:
        CONF.set_override("auth_enable", True, group="pecan")
        caller = {"X-Auth-Token": _token(openstack), "X-Project-Id": "p_" + unique,
                  "X-Roles": "member", "X-Target-Auth-Uri": target.auth_url,
                  "X-Target-Auth-Token": _token(target)}
        name = "tgt_" + unique
        api.app.post("/v2/workflows", SERVER.format(name=name, vm="far-" + unique),
                     headers=dict(caller, **{"Content-Type": "text/plain"}))
        ex = api.wait(_start_as(api, name, caller))
        bad = dict(caller, **{"X-Target-Insecure": "maybe"})
        refused = api.app.post_json("/v2/executions", {"workflow_name": name},
                                    headers=bad, status=400).json
        assert "X-Target-Insecure" in refused["faultstring"]
    finally:
        CONF.clear_override("auth_enable", group="pecan")
        target.stop()
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert [s["name"] for s in target.servers["RegionOne"].values()] == ["far-" + unique]
    assert not openstack.servers.get("RegionOne")
