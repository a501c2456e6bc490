"""POST /v2/action_executions (run-action), PUT of asynchronous results, DELETE."""

import json
import time

import pytest

from mistral_svc import config
from tests.waiting import wait_for


@pytest.fixture(autouse=True)
def deletion_allowed():
    """These tests delete action executions, which takes the operator's consent."""
    config.CONF.set_override("allow_action_execution_deletion", True, group="api")
    yield
    config.CONF.clear_override("allow_action_execution_deletion", group="api")


def _run(api, name, action_input=None, status=201, **params):
    body = {"name": name}
    if action_input is not None:
        body["input"] = json.dumps(action_input)
    if params:
        body["params"] = json.dumps(params)
    return api.post("/v2/action_executions", body, status=status)


def _wait(api, a_ex_id, states=("SUCCESS", "ERROR", "CANCELLED"), timeout=15):
    seen = {}

    def reached():
        seen["a_ex"] = api.get("/v2/action_executions/%s" % a_ex_id)
        return seen["a_ex"] if seen["a_ex"]["state"] in states else None

    return wait_for(reached, timeout, interval=0.02, max_interval=0.1,
                    message=lambda: "action execution stuck in %s" % seen["a_ex"]["state"])


def _output(a_ex):
    return json.loads(a_ex["output"])


def test_synchronous_by_default_and_not_stored(api):
    a_ex = _run(api, "std.echo", {"output": {"a": [1, 2]}})
    assert a_ex["state"] == "SUCCESS"
    assert _output(a_ex) == {"result": {"a": [1, 2]}}
    assert a_ex.get("id") is None
    assert json.loads(a_ex["input"]) == {"output": {"a": [1, 2]}}


def test_failure_is_returned_as_error_output(api):
    a_ex = _run(api, "std.fail", {"error_data": "broken"})
    assert a_ex["state"] == "ERROR"
    assert _output(a_ex) == {"result": "broken"}


def test_save_result_runs_in_the_background_and_stores_it(api, unique):
    a_ex = _run(api, "std.echo", {"output": unique}, save_result=True)
    # The action may already have finished by the time the answer is written.
    assert a_ex["id"] and a_ex["state"] in ("RUNNING", "SUCCESS")
    done = _wait(api, a_ex["id"])
    assert done["state"] == "SUCCESS" and _output(done) == {"result": unique}
    assert done["task_execution_id"] is None and done["workflow_name"] is None


def test_run_sync_with_save_result_answers_finished_and_stored(api, unique):
    a_ex = _run(api, "std.echo", {"output": unique}, save_result=True, run_sync=True)
    assert a_ex["state"] == "SUCCESS" and _output(a_ex) == {"result": unique}
    stored = api.get("/v2/action_executions/%s" % a_ex["id"])
    assert stored["state"] == "SUCCESS" and _output(stored) == {"result": unique}
    assert json.loads(stored["params"]) == {"save_result": True, "run_sync": True}


def test_run_sync_false_returns_running_at_once(api):
    start = time.monotonic()
    a_ex = _run(api, "std.sleep", {"seconds": 0.3}, run_sync=False)
    assert a_ex["state"] == "RUNNING" and time.monotonic() - start < 0.3
    assert _wait(api, a_ex["id"])["state"] == "SUCCESS"


def test_timeout_fails_a_slow_action(api):
    a_ex = _run(api, "std.sleep", {"seconds": 1}, run_sync=True, timeout=0.2)
    assert a_ex["state"] == "ERROR"
    assert "timed out" in _output(a_ex)["result"]
    a_ex = _run(api, "std.sleep", {"seconds": 1}, save_result=True, timeout=0.2)
    done = _wait(api, a_ex["id"])
    assert done["state"] == "ERROR" and "timed out" in done["state_info"]


def test_bad_input_and_unknown_actions_are_400(api):
    body = _run(api, "std.echo", {"colour": "red"}, status=400)
    assert "missing=['output']" in body["faultstring"]
    assert "unexpected=['colour']" in body["faultstring"]
    body = _run(api, "no.such_action", {}, status=400)
    assert "no.such_action" in body["faultstring"]
    api.post("/v2/action_executions", {"input": "{}"}, status=400)
    api.post("/v2/action_executions", {"name": "std.echo", "input": "[1]"}, status=400)


def test_adhoc_action_runs_with_its_output_transformation(api, unique):
    api.post_yaml("/v2/actions", """\
version: '2.0'
double_{u}:
  base: std.echo
  input: [n]
  base-input:
    output: <% $.n * 2 %>
  output:
    doubled: <% $ %>
""".format(u=unique))
    a_ex = _run(api, "double_" + unique, {"n": 21})
    assert a_ex["state"] == "SUCCESS" and _output(a_ex) == {"result": {"doubled": 42}}
    saved = _wait(api, _run(api, "double_" + unique, {"n": 2}, save_result=True)["id"])
    assert _output(saved) == {"result": {"doubled": 4}}
    assert saved["name"] == "double_" + unique


def test_async_action_completed_over_the_api(api):
    body = _run(api, "std.async_noop", run_sync=True, status=400)
    assert "synchronous" in body["faultstring"]
    a_ex = _run(api, "std.async_noop")
    assert a_ex["state"] == "RUNNING" and a_ex["id"]
    # The executor ran it but did not answer: it stays RUNNING until a result arrives.
    time.sleep(0.2)
    assert api.get("/v2/action_executions/%s" % a_ex["id"])["state"] == "RUNNING"
    api.delete("/v2/action_executions/%s" % a_ex["id"], status=403)
    done = api.put("/v2/action_executions/%s" % a_ex["id"],
                   {"state": "SUCCESS", "output": {"answer": 3}})
    assert done["state"] == "SUCCESS" and _output(done) == {"result": {"answer": 3}}
    body = api.put("/v2/action_executions/%s" % a_ex["id"],
                   {"state": "SUCCESS", "output": 4}, status=400)
    assert "already" in body["faultstring"]
    api.delete("/v2/action_executions/%s" % a_ex["id"])
    api.get("/v2/action_executions/%s" % a_ex["id"], status=404)


def test_put_validates_state_and_accepts_error_and_pause(api):
    a_ex = _run(api, "std.async_noop")
    url = "/v2/action_executions/%s" % a_ex["id"]
    api.put(url, {"state": "BOGUS"}, status=400)
    api.put("/v2/action_executions/no-such-id", {"state": "SUCCESS"}, status=404)
    assert api.put(url, {"state": "PAUSED"})["state"] == "PAUSED"
    assert api.put(url, {"state": "RUNNING"})["state"] == "RUNNING"
    failed = api.put(url, {"state": "ERROR", "output": "it broke"})
    assert failed["state"] == "ERROR" and failed["state_info"] == "it broke"


WF_ASYNC = """\
version: '2.0'
{name}:
  tasks:
    wait_for_human:
      action: std.async_noop
      publish:
        answer: <% task().result %>
      on-success: [after]
      on-error: [handle_error]
    after:
      action: std.echo output=<% $.answer %>
      publish:
        final: <% task().result %>
    handle_error:
      action: std.noop
"""


def _async_task_action(api, ex_id):
    def found():
        tasks = api.tasks(ex_id)
        if "wait_for_human" in tasks:
            task_id = tasks["wait_for_human"]["id"]
            a_exs = api.get("/v2/tasks/%s/action_executions" % task_id)["action_executions"]
            return a_exs[0] if a_exs else None

    return wait_for(found, 10, interval=0.02, max_interval=0.1,
                    message="the task's action execution never appeared")


def test_workflow_waits_for_async_result_then_continues(api, unique):
    name = "wf_" + unique
    api.create_workflow(WF_ASYNC.format(name=name))
    ex = api.start(name)
    a_ex = _async_task_action(api, ex["id"])
    assert a_ex["state"] == "RUNNING"
    time.sleep(0.2)
    assert api.get("/v2/executions/%s" % ex["id"])["state"] == "RUNNING"
    api.put("/v2/action_executions/%s" % a_ex["id"],
            {"state": "SUCCESS", "output": json.dumps({"votes": 7})})
    done = api.wait(ex["id"])
    assert done["state"] == "SUCCESS"
    assert json.loads(api.tasks(ex["id"])["after"]["published"]) == {"final": {"votes": 7}}
    # Action executions of workflow tasks cannot be deleted.
    api.delete("/v2/action_executions/%s" % a_ex["id"], status=403)


def test_async_error_result_takes_the_error_path(api, unique):
    name = "wf_" + unique
    api.create_workflow(WF_ASYNC.format(name=name))
    ex = api.start(name)
    a_ex = _async_task_action(api, ex["id"])
    api.put("/v2/action_executions/%s" % a_ex["id"], {"state": "ERROR", "output": "no"})
    done = api.wait(ex["id"])
    tasks = api.tasks(ex["id"])
    assert tasks["wait_for_human"]["state"] == "ERROR"
    assert tasks["wait_for_human"]["state_info"] == "no"
    assert "handle_error" in tasks and "after" not in tasks
    assert done["state"] == "SUCCESS"
