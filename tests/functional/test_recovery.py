"""Recovery of work lost with a dead process, driven synchronously through one scan.

An action sent to a ``target`` that no executor serves is never acknowledged, exactly
like one whose message was lost: it is sent again, never failed. Acknowledged on an
executor's behalf and then left without heartbeats, it is like one whose executor was
killed while running it. A finished result an engine never handled is asked for again
by the next heartbeat.
"""

import time

from mistral_svc import config
from mistral_svc.engine import acks, recovery

CONF = config.CONF


def _started(api, unique, safe_rerun):
    name = "lost_%s_%s" % (unique, "safe" if safe_rerun else "unsafe")
    api.create_workflow("""\
version: '2.0'
%s:
  tasks:
    t:
      action: std.echo output=1
      target: no-such-executor-host
      safe-rerun: %s
      on-error: [handler]
    handler:
      action: std.noop
""" % (name, "true" if safe_rerun else "false"))
    ex_id = api.start(name)["id"]
    task = api.tasks(ex_id)["t"]
    action = api.get("/v2/tasks/%s/action_executions" % task["id"])["action_executions"][0]
    return ex_id, task, action


def _acknowledged(action):
    """As an executor's acknowledgement, once stored."""
    acks.write("exec-1", [action["id"]])


def test_an_action_nobody_acknowledged_is_sent_again_not_failed(api, unique):
    ex_id, task, action = _started(api, unique, safe_rerun=False)
    assert recovery.scan(ack_timeout=60)["resent"] == 0
    time.sleep(0.3)
    fixed = recovery.scan(ack_timeout=0.2)
    assert fixed["resent"] == 1 and fixed["failed"] == 0
    a = api.get("/v2/action_executions/%s" % action["id"])
    assert a["state"] == "RUNNING"
    assert recovery.scan(ack_timeout=0.2)["resent"] == 0  # just sent again
    # Claimed by one executor, it is no longer anybody else's; the same executor
    # asking again (its answer lost) is granted it again.
    assert recovery.claim_actions("exec-1", [action["id"]]) == [action["id"]]
    assert recovery.claim_actions("exec-2", [action["id"]]) == []
    assert recovery.claim_actions("exec-1", [action["id"]]) == [action["id"]]
    time.sleep(0.3)
    assert recovery.scan(ack_timeout=0.2)["resent"] == 0
    api.put("/v2/executions/%s" % ex_id, {"state": "CANCELLED"})


def test_an_action_handed_back_is_sent_again(api, unique):
    ex_id, task, action = _started(api, unique, safe_rerun=False)
    _acknowledged(action)
    recovery.release_actions("exec-2", [action["id"]])  # not exec-2's to give back
    assert recovery.claim_actions("exec-2", [action["id"]]) == []
    recovery.release_actions("exec-1", [action["id"]])
    # Sent again at once, as a delivery to be claimed.
    assert recovery.claim_actions("exec-2", [action["id"]]) == [action["id"]]
    api.put("/v2/executions/%s" % ex_id, {"state": "CANCELLED"})


def test_action_of_a_silent_executor_fails_its_task(api, unique):
    ex_id, task, action = _started(api, unique, safe_rerun=False)
    _acknowledged(action)
    CONF.set_override("action_heartbeat_timeout", 0.2, group="engine")
    try:
        time.sleep(0.3)
        recovery.scan()
    finally:
        CONF.clear_override("action_heartbeat_timeout", group="engine")
    ex = api.wait(ex_id)
    assert ex["state"] == "SUCCESS"  # the failure was handled by on-error
    t = api.tasks(ex_id)["t"]
    assert t["state"] == "ERROR" and "stopped responding" in t["state_info"]
    a = api.get("/v2/action_executions/%s" % action["id"])
    assert a["state"] == "ERROR"


def test_safe_rerun_dispatches_the_action_again(api, unique):
    ex_id, task, action = _started(api, unique, safe_rerun=True)
    _acknowledged(action)
    CONF.set_override("action_heartbeat_timeout", 0.2, group="engine")
    try:
        time.sleep(0.3)
        fixed = recovery.scan()
    finally:
        CONF.clear_override("action_heartbeat_timeout", group="engine")
    assert fixed["rerun"] >= 1
    assert api.get("/v2/executions/%s" % ex_id)["state"] == "RUNNING"
    assert api.get("/v2/action_executions/%s" % action["id"])["state"] == "RUNNING"
    api.put("/v2/executions/%s" % ex_id, {"state": "CANCELLED"})


def test_heartbeat_keeps_a_running_action_alive_and_asks_for_lost_results(api, unique):
    ex_id, task, action = _started(api, unique, safe_rerun=False)
    CONF.set_override("action_heartbeat_timeout", 0.5, group="engine")
    try:
        time.sleep(0.6)
        answer = recovery.report_actions("exec-1", running=[action["id"]], finished=[])
        assert answer == {"resend": []}
        recovery.scan()  # fresh heartbeat: nothing is taken for lost
        assert api.get("/v2/action_executions/%s" % action["id"])["state"] == "RUNNING"
        answer = recovery.report_actions("exec-1", running=[], finished=[action["id"]])
        assert answer == {"resend": [action["id"]]}
    finally:
        CONF.clear_override("action_heartbeat_timeout", group="engine")
    api.put("/v2/executions/%s" % ex_id, {"state": "CANCELLED"})


def test_a_standalone_action_nobody_acknowledged_is_sent_again(api):
    import json

    a_ex = api.post("/v2/action_executions", {
        "name": "std.echo", "input": json.dumps({"output": 1}),
        "params": json.dumps({"save_result": True, "run_sync": False,
                              "target": "no-such-executor-host"})})
    assert a_ex["state"] == "RUNNING"
    time.sleep(0.3)
    assert recovery.scan(ack_timeout=0.2)["resent"] >= 1
    assert recovery.claim_actions("exec-1", [a_ex["id"]]) == [a_ex["id"]]
    assert api.get("/v2/action_executions/%s" % a_ex["id"])["state"] == "RUNNING"
    api.put("/v2/action_executions/%s" % a_ex["id"],
            {"state": "SUCCESS", "output": json.dumps(1)})
