"""Compensation is crash-safe in the distributed shape: the engine killed with SIGKILL
while a revert runs, and a new engine goes on where it stopped, running no revert
twice (api, engine and executor as separate processes over RabbitMQ and PostgreSQL)."""

import json
import os
import signal

import requests

from tests.integration.conftest import deployed
from tests.waiting import poll

WORKFLOW = """\
version: '2.0'
revert_crash_it:
  tasks:
    a:
      action: std.echo output="a"
      revert: std.echo output="undo a"
      on-success: [b]
    b:
      action: std.echo output="b"
      revert: std.sleep seconds=3
      on-success: [c]
    c:
      action: std.fail
"""


def _revert_actions(url):
    rows = requests.get(url + "/action_executions?workflow_name=revert_crash_it",
                        timeout=5).json()["action_executions"]
    return [r for r in rows if (json.loads(r["params"] or "null") or {}).get("revert")]


def test_an_engine_killed_while_reverting_is_replaced_and_reverting_goes_on():
    with deployed("postgresql") as dep:
        engine = dep.start("engine")
        dep.start("executor")
        dep.start("api")
        dep.wait_api()
        url = dep.url
        r = requests.post(url + "/workflows", data=WORKFLOW,
                          headers={"Content-Type": "text/plain"}, timeout=10)
        assert r.status_code == 201, r.text
        r = requests.post(url + "/executions", json={"workflow_name": "revert_crash_it"},
                          timeout=30)
        assert r.status_code == 201, r.text
        ex_id = r.json()["id"]

        # b's revert (a 3 s sleep) is running: the execution is reverting.
        running = poll(lambda: [a for a in _revert_actions(url)
                                 if a["task_name"] == "b" and a["state"] == "RUNNING"],
                       timeout=60)
        assert running, "b's revert never started:\n" + dep.logs()
        os.kill(engine.pid, signal.SIGKILL)
        engine.wait()
        ex = requests.get(url + "/executions/" + ex_id, timeout=5).json()
        assert ex["state"] == "RUNNING" and "Reverting" in ex["state_info"]

        dep.start("engine")

        def finished():
            ex = requests.get(url + "/executions/" + ex_id, timeout=5).json()
            return ex if ex["state"] in ("SUCCESS", "ERROR") else None

        ex = poll(finished, timeout=90)
        assert ex is not None, "execution never finished:\n" + dep.logs()
        assert ex["state"] == "ERROR"
        assert ex["state_info"].endswith("Reverted tasks: b, a"), ex["state_info"]
        tasks = requests.get(url + "/executions/%s/tasks" % ex_id,
                             timeout=5).json()["tasks"]
        assert {t["name"]: t["state"] for t in tasks} == {
            "a": "REVERTED", "b": "REVERTED", "c": "ERROR"}
        # One revert per task, each run once, in reverse order.
        reverts = _revert_actions(url)
        assert [(a["task_name"], a["state"]) for a in reverts] == [
            ("b", "SUCCESS"), ("a", "SUCCESS")]
        assert reverts[0]["id"] == running[0]["id"]
