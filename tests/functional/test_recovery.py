"""Recovery of work lost with a dead process, driven synchronously through one scan.

An action sent to a ``target`` that no executor serves never reports back, exactly
like one whose executor was killed; a finished result an engine never handled is asked
for again by the next heartbeat.
"""

import time

from mistral_svc import config
from mistral_svc.engine import recovery

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


def test_action_of_a_silent_executor_fails_its_task(api, unique):
    ex_id, task, action = _started(api, unique, safe_rerun=False)
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
