"""Compensation (the ``revert`` task key) end to end through the REST API: the order
of reverts, handled errors, failing reverts, sub-workflows, with-items and retries."""

import json

from tests.waiting import wait_for


def reverts(api, wf_name):
    """``[(task name, revert action input output)]`` of the revert action executions
    of workflow ``wf_name``, in the order they were created."""
    rows = api.get("/v2/action_executions?workflow_name=%s&sort_keys=created_at"
                   % wf_name)["action_executions"]
    out = []
    for row in rows:
        params = json.loads(row["params"] or "null")
        if params and params.get("revert"):
            assert row["description"] == "Revert of task %s" % row["task_name"]
            assert row["accepted"] is False
            out.append((row["task_name"], json.loads(row["input"]).get("output")))
    return out


def task_states(api, ex_id):
    return {name: t["state"] for name, t in api.tasks(ex_id).items()}


UPGRADE = """\
version: '2.0'
upgrade_%(u)s:
  tasks:
    stop_service:
      action: std.echo output="stopped"
      revert: std.echo output="start service"
      on-success: [backup_db]
    backup_db:
      action: std.echo output="backup-1"
      revert:
        action: std.echo
        input:
          output: restore <%% task().result %%>
      on-success: [upgrade_db, upgrade_app]
    upgrade_db:
      action: std.sleep seconds=0.4
      revert: std.echo output="downgrade db"
      on-success: [start_service]
    upgrade_app:
      action: std.echo output="app"
      revert: std.echo output="downgrade app"
      on-success: [start_service]
    start_service:
      join: all
      action: std.fail error_data="port in use"
      revert: std.echo output="stop service again"
"""


def test_the_failed_task_first_then_parallel_branches_in_reverse_order(api, unique):
    ex = api.run(UPGRADE % {"u": unique})
    assert ex["state"] == "ERROR"
    # upgrade_db (slower) finished after upgrade_app, so it is undone before it.
    assert reverts(api, "upgrade_%s" % unique) == [
        ("start_service", "stop service again"),
        ("upgrade_db", "downgrade db"),
        ("upgrade_app", "downgrade app"),
        ("backup_db", "restore backup-1"),
        ("stop_service", "start service"),
    ]
    assert set(task_states(api, ex["id"]).values()) == {"REVERTED"}
    assert "port in use" in ex["state_info"]
    assert ex["state_info"].endswith("Reverted tasks: start_service, upgrade_db, "
                                     "upgrade_app, backup_db, stop_service")
    # The new states filter like any other.
    listed = api.get("/v2/executions/%s/tasks?state=REVERTED" % ex["id"])["tasks"]
    assert len(listed) == 5
    assert api.get("/v2/tasks?workflow_execution_id=%s&state=REVERT_FAILED"
                   % ex["id"])["tasks"] == []
    report = api.get("/v2/executions/%s/report" % ex["id"])
    assert report["statistics"]["reverted_tasks_count"] == 5


def test_reverting_keeps_the_execution_running(api, unique):
    text = """\
version: '2.0'
slow_undo_%s:
  tasks:
    a:
      action: std.echo output="a"
      revert: std.sleep seconds=1
      on-success: [b]
    b:
      action: std.fail
""" % unique
    ex_id = api.start_text(text)

    def reverting():
        ex = api.get("/v2/executions/%s" % ex_id)
        return ex if "Reverting" in (ex["state_info"] or "") else None

    ex = wait_for(reverting, 10, interval=0.02, message="the execution never reverted")
    assert ex["state"] == "RUNNING"
    assert task_states(api, ex_id) == {"a": "SUCCESS", "b": "ERROR"}
    # A reverting execution cannot be paused.
    api.put("/v2/executions/%s" % ex_id, {"state": "PAUSED"}, status=400)
    # Recovery finds it, and leaves a revert action that runs to its executor.
    from mistral_svc import config
    from mistral_svc.engine import recovery

    config.CONF.set_override("recovery_interval", 0, group="engine")
    try:
        assert ex_id in recovery._stalled_reverts()
        assert recovery.scan(judge_actions=False)["reverts"] == 0
    finally:
        config.CONF.clear_override("recovery_interval", group="engine")
    ex = api.wait(ex_id)
    assert ex["state"] == "ERROR"
    assert task_states(api, ex_id) == {"a": "REVERTED", "b": "ERROR"}


def test_a_handled_error_reverts_nothing(api, unique):
    ex = api.run("""\
version: '2.0'
handled_%s:
  tasks:
    a:
      action: std.echo output="a"
      revert: std.echo output="undo a"
      on-success: [b]
    b:
      action: std.fail
      on-error: [handler]
    handler:
      action: std.noop
""" % unique)
    assert ex["state"] == "SUCCESS"
    assert reverts(api, "handled_%s" % unique) == []
    assert task_states(api, ex["id"])["a"] == "SUCCESS"


def test_a_fail_command_reverts_and_a_failing_revert_does_not_stop_the_others(api, unique):
    ex = api.run("""\
version: '2.0'
failing_undo_%s:
  tasks:
    a:
      action: std.echo output="a"
      revert: std.echo output="undo a"
      on-success: [b]
    b:
      action: std.echo output="b"
      revert: std.fail error_data="cannot undo b"
      on-success: [c]
    c:
      action: std.noop
      on-success:
        - fail: <%% true %%>
""" % unique)
    assert ex["state"] == "ERROR"
    assert [t for t, _ in reverts(api, "failing_undo_%s" % unique)] == ["b", "a"]
    tasks = api.tasks(ex["id"])
    assert {n: t["state"] for n, t in tasks.items()} == {
        "a": "REVERTED", "b": "REVERT_FAILED", "c": "SUCCESS"}
    assert "cannot undo b" in tasks["b"]["state_info"]
    assert "Reverted tasks: a" in ex["state_info"]
    assert "Revert failed for tasks: b" in ex["state_info"]


def test_sub_workflows_revert_their_tasks_and_revert_workflows_run_as_children(
        api, unique):
    api.post_yaml("/v2/workflows", """\
version: '2.0'
child_%(u)s:
  tasks:
    c1:
      action: std.echo output="c1"
      revert: std.echo output="undo c1"
      on-success: [c2]
    c2:
      action: std.echo output="c2"
      revert: std.echo output="undo c2"
undo_%(u)s:
  input:
    - what
  tasks:
    u:
      action: std.echo output="undoing <%% $.what %%>"
""" % {"u": unique})
    ex = api.run("""\
version: '2.0'
parent_%(u)s:
  tasks:
    a:
      action: std.echo output="a"
      revert:
        workflow: undo_%(u)s
        input:
          what: <%% task().result %%>
      on-success: [call]
    call:
      workflow: child_%(u)s
      on-success: [boom]
    boom:
      action: std.fail
""" % {"u": unique})
    assert ex["state"] == "ERROR"
    tasks = api.tasks(ex["id"])
    assert {n: t["state"] for n, t in tasks.items()} == {
        "a": "REVERTED", "call": "REVERTED", "boom": "ERROR"}
    (child,) = [e for e in api.get("/v2/executions?task_execution_id=%s"
                                   % tasks["call"]["id"])["executions"]]
    assert child["state"] == "ERROR"
    assert task_states(api, child["id"]) == {"c1": "REVERTED", "c2": "REVERTED"}
    assert reverts(api, "child_%s" % unique) == [("c2", "undo c2"), ("c1", "undo c1")]
    (undo,) = api.get("/v2/executions?task_execution_id=%s"
                      % tasks["a"]["id"])["executions"]
    assert undo["workflow_name"] == "undo_%s" % unique and undo["state"] == "SUCCESS"
    assert json.loads(undo["input"]) == {"what": "a"}
    assert json.loads(undo["params"])["revert"] is True
    # The revert workflow is not part of the task's result.
    assert json.loads(api.get("/v2/tasks/%s" % tasks["a"]["id"])["result"]) == "a"


def test_with_items_reverts_each_succeeded_item_and_a_retried_task_once(api, unique):
    ex = api.run("""\
version: '2.0'
items_%s:
  tasks:
    hosts:
      with-items: host in <%% [h1, h2, h3] %%>
      action: std.echo output=<%% $.host %%>
      revert: std.echo output="undo <%% $.host %%>"
      on-success: [flaky]
    flaky:
      action: std.echo output="flaky"
      retry:
        count: 2
        continue-on: <%% len(task().result) > 0 %%>
      revert: std.echo output="undo flaky"
      on-success: [boom]
    boom:
      action: std.fail
""" % unique)
    assert ex["state"] == "ERROR"
    assert reverts(api, "items_%s" % unique) == [
        ("flaky", "undo flaky"),
        ("hosts", "undo h3"), ("hosts", "undo h2"), ("hosts", "undo h1")]
    tasks = api.tasks(ex["id"])
    assert tasks["hosts"]["state"] == "REVERTED" and tasks["flaky"]["state"] == "REVERTED"
    flaky_actions = api.get("/v2/tasks/%s/action_executions"
                            % tasks["flaky"]["id"])["action_executions"]
    # Three attempts, one revert.
    assert len(flaky_actions) == 4


def test_a_workflow_without_revert_fails_as_before(api, unique):
    ex = api.run("""\
version: '2.0'
plain_%s:
  tasks:
    a:
      action: std.echo output="a"
      on-success: [b]
    b:
      action: std.fail
""" % unique)
    assert ex["state"] == "ERROR"
    assert ex["state_info"].startswith("Failure caused by error in tasks: b")
    assert task_states(api, ex["id"]) == {"a": "SUCCESS", "b": "ERROR"}
    assert "reverted_tasks_count" not in api.get(
        "/v2/executions/%s/report" % ex["id"])["statistics"]


def test_a_bad_revert_is_refused_with_its_line(api, unique):
    resp = api.app.post("/v2/workflows", """\
version: '2.0'
bad_%s:
  tasks:
    a:
      action: std.noop
      revert:
        action: std.echo
        workflow: other
""" % unique, headers={"Content-Type": "text/plain"}, status=400)
    assert "either 'action' or 'workflow'" in resp.json["faultstring"]
    assert "line 6" in resp.json["faultstring"]


def test_the_shipped_upgrade_example_rolls_back_a_failed_upgrade(api):
    from mistral_svc import examples

    with open(examples.path("upgrade.yaml")) as f:
        api.post_yaml("/v2/workflows?namespace=examples", f.read())
    ok = api.wait(api.start("upgrade", {}, workflow_namespace="examples")["id"])
    assert ok["state"] == "SUCCESS"
    assert set(task_states(api, ok["id"]).values()) == {"SUCCESS"}

    ex = api.wait(api.start("upgrade", {"fail_at": "upgrade_app"},
                            workflow_namespace="examples")["id"])
    assert ex["state"] == "ERROR"
    assert task_states(api, ex["id"]) == {
        "stop_service": "REVERTED", "backup_db": "REVERTED", "upgrade_db": "REVERTED",
        "upgrade_app": "REVERTED",
        # The join can never fire: it fails, and has nothing to undo.
        "start_service": "ERROR"}
    assert ex["state_info"].endswith(
        "Reverted tasks: upgrade_app, upgrade_db, backup_db, stop_service")
    actions = api.get("/v2/tasks/%s/action_executions?include_output=true"
                      % api.tasks(ex["id"])["backup_db"]["id"])["action_executions"]
    assert [json.loads(a["output"])["result"] for a in actions] == [
        "backup-2.0", "restored backup-2.0"]
