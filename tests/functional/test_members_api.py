"""/v2/workflows/{id}/members: sharing a private workflow with another project.

With auth off (the default) sharing is refused with a 400, as upstream does; with auth on
the caller's project is the validated one (here the test's ``X-Project-Id``, see
conftest.HeaderIdentity).
"""

import pytest

from mistral_svc import config
from mistral_svc.db import api as db_api, models

WF = """\
version: '2.0'
{name}:
  tasks:
    t:
      action: std.noop
"""

OWNER = "<default-project>"


@pytest.fixture
def auth_on():
    config.CONF.set_override("auth_enable", True, group="pecan")
    try:
        yield
    finally:
        config.CONF.clear_override("auth_enable", group="pecan")


def _as(project):
    return {"X-Project-Id": project}


def _members_url(wf_id, member=None):
    url = "/v2/workflows/%s/members" % wf_id
    return url + ("/%s" % member if member else "")


def test_without_auth_every_call_is_400(api, unique):
    wf = api.create_workflow(WF.format(name="shr_" + unique))[0]
    url = _members_url(wf["id"])
    calls = [
        api.app.get(url, status=400),
        api.app.post_json(url, {"member_id": "other"}, status=400),
        api.app.get(url + "/other", status=400),
        api.app.put_json(url + "/other", {"status": "accepted"}, status=400),
        api.app.delete(url + "/other", status=400),
    ]
    for resp in calls:
        assert "authentication enabled" in resp.json["faultstring"]


def test_share_accept_and_remove(api, unique, auth_on):
    wf = api.create_workflow(WF.format(name="shr2_" + unique))[0]
    url = _members_url(wf["id"])
    member = "proj_" + unique

    created = api.post(url, {"member_id": member})
    assert created["resource_id"] == wf["id"] and created["resource_type"] == "workflow"
    assert created["member_id"] == member and created["project_id"] == OWNER
    assert created["status"] == "pending" and created["id"] and created["created_at"]
    api.post(url, {"member_id": member}, status=409)
    api.post(url, {"member_id": "third_" + unique})

    # The owner sees every member, a member only itself, a stranger nothing.
    assert sorted(m["member_id"] for m in api.get(url)["members"]) == sorted(
        [member, "third_" + unique])
    as_member = api.app.get(url, headers=_as(member)).json["members"]
    assert [m["member_id"] for m in as_member] == [member]
    assert api.app.get(url, headers=_as("stranger")).json["members"] == []
    assert api.get(_members_url(wf["id"], member))["status"] == "pending"
    api.app.get(_members_url(wf["id"], member), headers=_as("stranger"), status=404)

    # Only the member itself changes its status.
    api.app.put_json(_members_url(wf["id"], member), {"status": "accepted"}, status=404)
    accepted = api.app.put_json(_members_url(wf["id"], member), {"status": "accepted"},
                                headers=_as(member)).json
    assert accepted["status"] == "accepted" and accepted["updated_at"]
    api.app.put_json(_members_url(wf["id"], member), {"status": "maybe"},
                     headers=_as(member), status=400)

    # The member may leave; the owner may remove the other one.
    api.app.delete(_members_url(wf["id"], member), headers=_as(member), status=204)
    api.app.delete(_members_url(wf["id"], "third_" + unique), headers=_as("stranger"),
                   status=404)
    api.delete(_members_url(wf["id"], "third_" + unique))
    assert api.get(url)["members"] == []


def test_sharing_rules(api, unique, auth_on):
    private = api.create_workflow(WF.format(name="shr3_" + unique))[0]
    # Only an admin may publish (Mistral's default policy).
    public = api.app.post("/v2/workflows?scope=public", WF.format(name="shr4_" + unique),
                          headers={"Content-Type": "text/plain", "X-Roles": "admin"},
                          status=201).json["workflows"][0]
    body = api.post(_members_url(public["id"]), {"member_id": "p"}, status=400)
    assert "private" in body["faultstring"]
    api.post(_members_url(private["id"]), {}, status=400)
    # Another project does not even see the private workflow.
    api.app.post_json(_members_url(private["id"]), {"member_id": "p"},
                      headers=_as("not_the_owner"), status=404)
    api.post(_members_url("00000000-0000-0000-0000-000000000000"), {"member_id": "p"},
             status=404)
    body = api.app.get("/v2/workflows/shr3_%s/members" % unique, status=400).json
    assert "UUID" in body["faultstring"]


def test_deleting_the_workflow_removes_its_members(api, unique, auth_on):
    wf = api.create_workflow(WF.format(name="shr5_" + unique))[0]
    api.post(_members_url(wf["id"]), {"member_id": "p_" + unique})
    api.delete("/v2/workflows/%s" % wf["id"])
    assert db_api.find(models.ResourceMember, resource_id=wf["id"]) is None
