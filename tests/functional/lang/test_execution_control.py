"""Pause, resume, cancel and rerun through PUT, as `execution-update` and `task-rerun`."""

import json



SLOW = """\
version: '2.0'
slow_%s:
  tasks:
    a:
      action: std.sleep seconds=1
      on-success: [b]
    b:
      action: std.echo output="b"
"""


def test_pause_holds_next_task_until_resume(api, unique):
    ex_id = api.start_text(SLOW % unique)
    paused = api.put("/v2/executions/%s" % ex_id, {"state": "PAUSED"})
    assert paused["state"] == "PAUSED"
    api.wait(ex_id, states=("PAUSED",))
    import time

    time.sleep(1.5)  # a finishes meanwhile; b must not start while paused
    assert "b" not in api.tasks(ex_id)
    api.put("/v2/executions/%s" % ex_id, {"state": "RUNNING"})
    assert api.wait(ex_id)["state"] == "SUCCESS"
    assert api.tasks(ex_id)["b"]["state"] == "SUCCESS"


def test_cancel(api, unique):
    ex_id = api.start_text(SLOW % unique)
    ex = api.put("/v2/executions/%s" % ex_id, {"state": "CANCELLED",
                                               "state_info": "not needed"})
    assert ex["state"] == "CANCELLED" and ex["state_info"] == "not needed"
    assert api.tasks(ex_id)["a"]["state"] == "CANCELLED"


def test_fail_by_update(api, unique):
    ex_id = api.start_text(SLOW % unique)
    ex = api.put("/v2/executions/%s" % ex_id, {"state": "ERROR"})
    assert ex["state"] == "ERROR"


def test_rerun_failed_task(api, unique):
    ex_id = api.start_text("""\
version: '2.0'
rerun_%s:
  input:
    - fail: true
  tasks:
    t:
      action: std.echo output=<%% env().get(ok, 'x') %%>
      on-success: [after]
      fail-on: <%% env().get(ok) = null %%>
    after:
      action: std.noop
""" % unique, {})
    ex = api.wait(ex_id)
    assert ex["state"] == "ERROR"
    task = api.tasks(ex_id)["t"]
    rerun = api.put("/v2/tasks/%s" % task["id"], {"state": "RUNNING", "reset": True,
                                                  "env": json.dumps({"ok": "yes"})})
    assert rerun["id"] == task["id"]
    ex = api.wait(ex_id)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    tasks = api.tasks(ex_id)
    assert tasks["t"]["state"] == "SUCCESS" and tasks["after"]["state"] == "SUCCESS"
    assert json.loads(api.get("/v2/tasks/%s" % task["id"])["result"]) == "yes"


def test_rerun_only_failed_items(api, unique):
    ex_id = api.start_text("""\
version: '2.0'
rerunwi_%s:
  tasks:
    t:
      with-items: x in [1, 2, 3]
      action: std.echo output=<%% $.x %%>
      fail-on: <%% env().get(ok) = null %%>
""" % unique)
    ex = api.wait(ex_id)
    assert ex["state"] == "ERROR"
    task = api.tasks(ex_id)["t"]
    api.put("/v2/tasks/%s" % task["id"], {"state": "RUNNING", "reset": False,
                                          "env": json.dumps({"ok": 1})})
    ex = api.wait(ex_id)
    assert ex["state"] == "SUCCESS", ex["state_info"]


def test_rerun_of_successful_task_is_400(api, unique):
    ex_id = api.start_text(SLOW.replace("std.sleep seconds=1", "std.noop") % unique)
    api.wait(ex_id)
    task = api.tasks(ex_id)["a"]
    body = api.put("/v2/tasks/%s" % task["id"], {"state": "RUNNING"}, status=400)
    assert "ERROR" in body["faultstring"]


def test_pause_and_resume_cascade_to_sub_workflow(api, unique):
    api.create_workflow("""\
version: '2.0'
slowchild_%s:
  tasks:
    a:
      action: std.sleep seconds=1
      on-success: [b]
    b:
      action: std.noop
""" % unique)
    ex_id = api.start_text("""\
version: '2.0'
cascade_%s:
  tasks:
    call:
      workflow: slowchild_%s
""" % (unique, unique))
    import time

    deadline = time.monotonic() + 10
    # The list starts with the execution itself, then what it started.
    while len(api.get("/v2/executions/%s/executions" % ex_id)["executions"]) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    api.put("/v2/executions/%s" % ex_id, {"state": "PAUSED"})
    child = api.get("/v2/executions/%s/executions" % ex_id)["executions"][1]
    api.wait(child["id"], states=("PAUSED",))
    api.put("/v2/executions/%s" % ex_id, {"state": "RUNNING"})
    assert api.wait(ex_id)["state"] == "SUCCESS"
    assert api.get("/v2/executions/%s" % child["id"])["state"] == "SUCCESS"
