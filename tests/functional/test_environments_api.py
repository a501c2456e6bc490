"""/v2/environments: CRUD with variables as a JSON string on the wire, and executions
reading a stored environment through ``env()``."""

import json

ENV_WF = """\
version: '2.0'
{name}:
  output:
    url: <% $.url %>
    user: <% $.user %>
  tasks:
    read_env:
      action: std.echo output=<% env().endpoint %>
      publish:
        url: <% task().result %>
        user: <% env().creds.user %>
"""


def _env(api, name, variables, **extra):
    body = {"name": name, "variables": json.dumps(variables)}
    body.update(extra)
    return api.post("/v2/environments", body)


def test_create_get_update_delete(api, unique):
    name = "env_" + unique
    env = _env(api, name, {"a": 1, "b": [1, 2]}, description="first", scope="public")
    assert env["name"] == name and env["description"] == "first"
    assert json.loads(env["variables"]) == {"a": 1, "b": [1, 2]}
    assert env["scope"] == "public" and env["project_id"] and env["created_at"]
    # As in Mistral, a create's answer leaves out what is not set yet (updated_at).
    assert set(env) >= {"id", "name", "description", "variables", "scope", "project_id",
                        "created_at"} and "updated_at" not in env

    assert api.get("/v2/environments/%s" % name)["id"] == env["id"]
    assert api.get("/v2/environments/%s" % env["id"])["name"] == name

    updated = api.put("/v2/environments", {"name": name, "variables": '{"c": 3}'})
    assert json.loads(updated["variables"]) == {"c": 3}
    assert updated["description"] == "first" and updated["scope"] == "public"
    assert updated["updated_at"]
    updated = api.put("/v2/environments", {"name": name, "description": "second",
                                           "scope": "private"})
    assert updated["description"] == "second" and updated["scope"] == "private"
    assert json.loads(updated["variables"]) == {"c": 3}

    api.delete("/v2/environments/%s" % name)
    api.get("/v2/environments/%s" % name, status=404)
    api.delete("/v2/environments/%s" % name, status=404)


def test_list_filters_and_pagination(api, unique):
    names = ["envl_%s_%d" % (unique, i) for i in range(3)]
    for i, n in enumerate(names):
        _env(api, n, {"i": i}, description="d%d" % (i % 2))
    query = "/v2/environments?name=in:%s" % ",".join(names)
    assert sorted(e["name"] for e in api.get(query)["environments"]) == names
    assert [e["name"] for e in api.get(query + "&description=d1")["environments"]] == [
        names[1]]
    page = api.get(query + "&limit=2&sort_keys=name")
    assert [e["name"] for e in page["environments"]] == names[:2]
    assert "/v2/environments?" in page["next"]
    rest = api.get(query + "&limit=2&sort_keys=name&marker=%s" % page["environments"][-1]["id"])
    assert [e["name"] for e in rest["environments"]] == names[2:]
    slim = api.get(query + "&fields=name&sort_keys=name")["environments"]
    assert [set(e) for e in slim] == [{"id", "name"}] * 3


def test_bad_requests(api, unique):
    name = "envbad_" + unique
    _env(api, name, {})
    body = api.post("/v2/environments", {"name": name, "variables": "{}"}, status=409)
    assert name in body["faultstring"]
    api.post("/v2/environments", {"variables": "{}"}, status=400)
    api.post("/v2/environments", {"name": "x_" + unique, "variables": "[1, 2]"}, status=400)
    api.post("/v2/environments", {"name": "y_" + unique, "variables": "{nope"}, status=400)
    api.post("/v2/environments", {"name": "z_" + unique, "scope": "galaxy"}, status=400)
    api.post("/v2/environments", {"name": "w_" + unique, "id": "abc"}, status=400)
    api.put("/v2/environments", {"description": "no name"}, status=400)
    api.put("/v2/environments", {"name": "ghost_" + unique, "description": "x"}, status=404)
    api.put("/v2/environments", {"name": name, "created_at": "2020-01-01"}, status=400)


def test_stored_environment_is_visible_through_env(api, unique):
    env_name = "envrun_" + unique
    _env(api, env_name, {"endpoint": "http://example.test", "creds": {"user": "admin"}})
    wf = "envwf_" + unique
    api.create_workflow(ENV_WF.format(name=wf))

    ex = api.start(wf, {}, params={"env": env_name})
    ex = api.wait(ex["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"url": "http://example.test", "user": "admin"}
    # The execution keeps the variables it started with.
    assert json.loads(ex["params"])["env"]["creds"] == {"user": "admin"}

    # Later edits of the environment do not reach executions that already ran...
    api.put("/v2/environments", {"name": env_name,
                                 "variables": '{"endpoint": "http://other.test", '
                                              '"creds": {"user": "bob"}}'})
    assert json.loads(api.get("/v2/executions/%s" % ex["id"])["output"])["user"] == "admin"
    # ...and new executions read the new values.
    ex2 = api.wait(api.start(wf, {}, params={"env": env_name})["id"])
    assert json.loads(ex2["output"]) == {"url": "http://other.test", "user": "bob"}


def test_unknown_environment_name_is_400(api, unique):
    wf = "envmiss_" + unique
    api.create_workflow(ENV_WF.format(name=wf))
    body = api.start(wf, {}, params={"env": "missing_" + unique}, status=400)
    assert "missing_" + unique in body["faultstring"]
