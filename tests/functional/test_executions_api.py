"""/v2/executions, /v2/tasks, /v2/action_executions: a workflow run as users watch it."""

import json
import re

TWO_TASKS = """\
version: '2.0'
{name}:
  input:
    - name
    - greeting: Hello
  output:
    msg: <% $.msg %>
    done: <% $.done %>
  tasks:
    t1:
      action: std.echo output="<% $.greeting %>, <% $.name %>"
      publish:
        msg: <% task().result %>
      on-success:
        - t2
    t2:
      action: std.noop
      publish:
        done: true
"""


def test_two_task_workflow_end_to_end(api, unique):
    name = "two_" + unique
    api.create_workflow(TWO_TASKS.format(name=name))
    ex = api.start(name, {"name": "World"}, description="first run")
    assert ex["state"] == "RUNNING" and ex["workflow_name"] == name
    assert json.loads(ex["input"]) == {"name": "World", "greeting": "Hello"}
    assert ex["description"] == "first run"

    ex = api.wait(ex["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"msg": "Hello, World", "done": True}

    tasks = api.tasks(ex["id"])
    assert set(tasks) == {"t1", "t2"}
    assert all(t["state"] == "SUCCESS" for t in tasks.values())
    assert json.loads(tasks["t1"]["published"]) == {"msg": "Hello, World"}
    t1 = api.get("/v2/tasks/%s" % tasks["t1"]["id"])
    assert json.loads(t1["result"]) == "Hello, World"
    assert t1["workflow_execution_id"] == ex["id"] and t1["type"] == "ACTION"

    actions = api.get("/v2/tasks/%s/action_executions" % t1["id"])["action_executions"]
    assert len(actions) == 1
    a = api.get("/v2/action_executions/%s" % actions[0]["id"])
    assert a["name"] == "std.echo" and a["state"] == "SUCCESS" and a["accepted"] is True
    assert json.loads(a["input"]) == {"output": "Hello, World"}
    assert json.loads(a["output"]) == {"result": "Hello, World"}
    assert a["task_name"] == "t1" and a["workflow_name"] == name


def test_missing_and_unknown_input_is_400(api, unique):
    name = "in_" + unique
    api.create_workflow(TWO_TASKS.format(name=name))
    body = api.start(name, {}, status=400)
    assert "missing" in body["faultstring"] and "name" in body["faultstring"]
    body = api.start(name, {"name": "x", "bogus": 1}, status=400)
    assert "bogus" in body["faultstring"]


def test_unknown_workflow_is_404(api):
    body = api.start("no_such_workflow", {}, status=404)
    assert "no_such_workflow" in body["faultstring"]


def test_malformed_json_body_is_400(api):
    r = api.app.post("/v2/executions", "{not json", headers={
        "Content-Type": "application/json"}, status=400)
    assert "Traceback" not in r.text
    r = api.app.post_json("/v2/executions", {"workflow_name": "x", "input": "{bad"},
                          status=400)
    assert "JSON" in r.json["faultstring"] or "json" in r.json["faultstring"]


FAILING = """\
version: '2.0'
{name}:
  tasks:
    boom:
      action: std.fail error_data="it broke"
"""

HANDLED = """\
version: '2.0'
{name}:
  tasks:
    boom:
      action: std.fail
      on-error:
        - cleanup
    cleanup:
      action: std.echo output="cleaned"
      publish:
        cleaned: <% task().result %>
"""


def test_unhandled_error_fails_the_workflow(api, unique):
    name = "fail_" + unique
    api.create_workflow(FAILING.format(name=name))
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    assert "boom" in ex["state_info"] and "it broke" in ex["state_info"]
    assert json.loads(ex["output"])["result"] == ex["state_info"]
    task = api.tasks(ex["id"])["boom"]
    assert task["state"] == "ERROR" and "it broke" in task["state_info"]


def test_error_handled_by_on_error_succeeds(api, unique):
    name = "handled_" + unique
    api.create_workflow(HANDLED.format(name=name))
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    tasks = api.tasks(ex["id"])
    assert tasks["boom"]["state"] == "ERROR" and tasks["cleanup"]["state"] == "SUCCESS"
    assert json.loads(ex["output"])["cleaned"] == "cleaned"


def test_on_complete_runs_after_success(api, unique):
    name = "complete_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  tasks:
    a:
      action: std.noop
      on-complete: [b]
    b:
      action: std.echo output="after"
""" % name)
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "SUCCESS"
    assert set(api.tasks(ex["id"])) == {"a", "b"}


def test_bad_action_input_fails_task_with_clear_state_info(api, unique):
    name = "badin_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  tasks:
    t:
      action: std.echo wrong=1
""" % name)
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    info = api.tasks(ex["id"])["t"]["state_info"]
    assert "output" in info and "wrong" in info


def test_update_description_and_delete(api, unique):
    name = "upd_" + unique
    api.create_workflow(TWO_TASKS.format(name=name))
    ex = api.wait(api.start(name, {"name": "x"})["id"])
    updated = api.put("/v2/executions/%s" % ex["id"], {"description": "renamed"})
    assert updated["description"] == "renamed"
    api.delete("/v2/executions/%s" % ex["id"])
    api.get("/v2/executions/%s" % ex["id"], status=404)
    assert api.get("/v2/tasks?workflow_execution_id=%s" % ex["id"])["tasks"] == []


def test_invalid_state_change_is_400(api, unique):
    name = "st_" + unique
    api.create_workflow(TWO_TASKS.format(name=name))
    ex = api.wait(api.start(name, {"name": "x"})["id"])
    body = api.put("/v2/executions/%s" % ex["id"], {"state": "PAUSED"}, status=400)
    assert "SUCCESS" in body["faultstring"]
    body = api.put("/v2/executions/%s" % ex["id"], {"state": "NOPE"}, status=400)
    assert "NOPE" in body["faultstring"]


def test_list_filters_sorting_and_pagination(api, unique):
    name = "page_" + unique
    api.create_workflow(TWO_TASKS.format(name=name))
    ids = [api.start(name, {"name": str(i)})["id"] for i in range(5)]
    for i in ids:
        api.wait(i)
    page = api.get("/v2/executions?workflow_name=%s&limit=2" % name)
    assert [e["id"] for e in page["executions"]] == ids[:2]
    assert "marker=%s" % ids[1] in page["next"]
    page2 = api.get("/v2/executions?workflow_name=%s&limit=2&marker=%s" % (name, ids[1]))
    assert [e["id"] for e in page2["executions"]] == ids[2:4]
    desc = api.get("/v2/executions?workflow_name=%s&sort_keys=created_at&sort_dirs=desc"
                   % name)
    assert [e["id"] for e in desc["executions"]] == list(reversed(ids))
    only = api.get("/v2/executions?workflow_name=%s&fields=state" % name)["executions"][0]
    assert set(only) == {"id", "state"}
    assert "output" not in api.get("/v2/executions?workflow_name=%s" % name)[
        "executions"][0]
    with_out = api.get("/v2/executions?workflow_name=%s&include_output=true" % name)
    assert "output" in with_out["executions"][0]
    api.app.get("/v2/executions?sort_dirs=sideways", status=400)
    api.app.get("/v2/executions?sort_keys=bogus", status=400)


def test_services_are_listed(api):
    services = api.get("/v2/services")["services"]
    types = {s["type"] for s in services}
    assert {"engine_group", "executor_group", "scheduler_group"} <= types


def test_filters_on_json_fields(api, unique):
    name = "jsonf_" + unique
    api.create_workflow(TWO_TASKS.format(name=name))
    a = api.wait(api.start(name, {"name": "a"})["id"])
    b = api.wait(api.start(name, {"name": "b"})["id"])
    query = "/v2/executions?workflow_name=%s&input=%s" % (
        name, json.dumps({"name": "b", "greeting": "Hello"}))
    assert [e["id"] for e in api.get(query)["executions"]] == [b["id"]]
    query = "/v2/executions?workflow_name=%s&input=neq:%s" % (
        name, json.dumps({"name": "b", "greeting": "Hello"}))
    assert [e["id"] for e in api.get(query)["executions"]] == [a["id"]]
    api.app.get("/v2/executions?input=gt:{}", status=400)


def test_start_answers_the_stored_execution(api, unique):
    name = "stored_" + unique
    api.create_workflow(
        "version: '2.0'\n%s:\n  input:\n    - x\n    - y: 2\n  tasks:\n"
        "    wait:\n      action: std.async_noop\n" % name)
    started = api.start(name, {"x": 1}, params={"env": {"k": "v"}}, description="d")
    got = api.get("/v2/executions/%s" % started["id"])
    assert started["state"] == "RUNNING"
    assert json.loads(started["input"]) == {"x": 1, "y": 2}
    assert json.loads(started["params"])["env"] == {"k": "v"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", started["created_at"])
    for key in sorted(set(got) | set(started)):
        assert started.get(key) == got.get(key), key
    api.put("/v2/executions/%s" % started["id"], {"state": "CANCELLED"})


def test_start_in_a_namespace_does_not_fall_back_to_the_default_one(api, unique):
    name = "nsonly_" + unique
    api.create_workflow("version: '2.0'\n%s:\n  tasks:\n    t:\n      action: std.noop\n"
                        % name)
    api.start(name, workflow_namespace="elsewhere_" + unique, status=404)


def test_lists_answer_every_field_they_are_asked_for(api, unique):
    # Fields kept out of a list's query unless asked for (definitions, outputs) are
    # loaded when fields= names them, never read after the query's session closed.
    name = "fields_" + unique
    ex = api.run(TWO_TASKS.format(name=name), {"name": "F"})
    wfs = api.get("/v2/workflows?name=%s&fields=definition,interface" % name)["workflows"]
    assert "tasks:" in wfs[0]["definition"]
    assert json.loads(wfs[0]["interface"])["output"] == ["msg", "done"]
    task_id = api.tasks(ex["id"])["t1"]["id"]
    for url in ("/v2/action_executions?task_execution_id=%s&fields=output,name" % task_id,
                "/v2/tasks/%s/action_executions?fields=output,name" % task_id):
        actions = api.get(url)["action_executions"]
        assert [a["name"] for a in actions] == ["std.echo"]
        assert "output" not in actions[0]  # a list shows output with include_output only
    actions = api.get("/v2/tasks/%s/action_executions?fields=output&include_output=true"
                      % task_id)["action_executions"]
    assert json.loads(actions[0]["output"]) == {"result": "Hello, F"}


def test_an_env_update_that_is_no_object_is_a_400(api, unique):
    name = "envup_" + unique
    ex = api.run("""\
version: '2.0'
%s:
  tasks:
    t:
      action: std.fail
""" % name)
    assert ex["state"] == "ERROR"
    url = "/v2/executions/%s" % ex["id"]
    for env in ("s", [1], 5):
        err = api.put(url, {"params": json.dumps({"env": env})}, status=400)
        assert "params.env must be a JSON object" in err["faultstring"]
    api.put(url, {"params": json.dumps({"env": {"k": 1}})})
    assert json.loads(api.get(url)["params"])["env"] == {"k": 1}


def test_a_resume_with_an_env_that_is_no_object_is_a_400(api, unique):
    name = "envres_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  tasks:
    t:
      action: std.noop
      pause-before: true
""" % name)
    ex_id = api.start(name)["id"]
    api.wait(ex_id, states=("PAUSED",))
    url = "/v2/executions/%s" % ex_id
    err = api.put(url, {"state": "RUNNING", "params": json.dumps({"env": "s"})}, status=400)
    assert "params.env must be a JSON object" in err["faultstring"]
    assert api.get(url)["state"] == "PAUSED"
    api.put(url, {"state": "RUNNING", "params": json.dumps({"env": {"k": 1}})})
    assert api.wait(ex_id)["state"] == "SUCCESS"
