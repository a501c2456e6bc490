"""Workflow tasks: a sub-workflow's input, output, failure, and with-items over it."""

import json

CHILD = """\
version: '2.0'
child_{u}:
  input: [x]
  output:
    doubled: <% $.x * 2 %>
  tasks:
    t:
      action: std.noop
"""


def test_sub_workflow_output_becomes_task_result(api, unique):
    api.create_workflow(CHILD.replace("{u}", unique))
    name = "parent_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  output:
    r: <%% $.r %%>
  tasks:
    call:
      workflow: child_%s x=21
      publish:
        r: <%% task().result.doubled %%>
""" % (name, unique))
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"r": 42}
    task = api.tasks(ex["id"])["call"]
    assert task["type"] == "WORKFLOW"
    subs = api.get("/v2/tasks/%s/executions" % task["id"])["executions"]
    assert len(subs) == 1 and subs[0]["task_execution_id"] == task["id"]
    assert subs[0]["root_execution_id"] == ex["id"]
    assert [e["id"] for e in api.get("/v2/executions/%s/executions" % ex["id"])[
        "executions"]] == [ex["id"], subs[0]["id"]]


def test_failed_sub_workflow_fails_parent_task(api, unique):
    api.create_workflow("""\
version: '2.0'
badchild_%s:
  tasks:
    t:
      action: std.fail error_data="deep"
""" % unique)
    name = "parentf_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  tasks:
    call:
      workflow: badchild_%s
""" % (name, unique))
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    assert "deep" in api.tasks(ex["id"])["call"]["state_info"]
    report = api.get("/v2/executions/%s/report" % ex["id"])
    assert report["statistics"]["error_tasks_count"] == 2
    root = report["root_workflow_execution"]
    assert root["id"] == ex["id"]
    assert root["task_executions"][0]["workflow_executions"][0]["state"] == "ERROR"


def test_with_items_over_sub_workflows(api, unique):
    api.create_workflow(CHILD.replace("{u}", unique))
    name = "parentwi_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  output:
    r: <%% $.r %%>
  tasks:
    call:
      with-items: i in [1, 2, 3]
      workflow: child_%s
      input:
        x: <%% $.i %%>
      publish:
        r: <%% task().result.select($.doubled) %%>
""" % (name, unique))
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert sorted(json.loads(ex["output"])["r"]) == [2, 4, 6]


def test_tasks_recursive_lists_the_tasks_of_sub_workflows(api, unique):
    api.create_workflow("""\
version: '2.0'
inner_%s:
  tasks:
    deep:
      action: std.noop
""" % unique)
    name = "outer_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  output:
    mine: <%% $.mine %%>
    all: <%% $.all %%>
  tasks:
    call:
      workflow: inner_%s
      on-success: [look]
    look:
      action: std.noop
      publish:
        mine: <%% tasks(execution().id).select($.name) %%>
        all: <%% tasks(execution().id, true).select($.name) %%>
""" % (name, unique))
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    out = json.loads(ex["output"])
    assert sorted(out["mine"]) == ["call", "look"]
    assert sorted(out["all"]) == ["call", "deep", "look"]
