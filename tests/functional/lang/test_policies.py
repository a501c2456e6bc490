"""Task policies through the API: retry, waits, timeout, pause-before, keep-result.

Delays go through the scheduler's due jobs; the asserts check order and counts, with
wall-clock checks kept loose (they only show a delay happened at all).
"""

import json
import time



def actions_of(api, task_id):
    return api.get("/v2/tasks/%s/action_executions" % task_id)["action_executions"]


def test_retry_runs_the_action_count_plus_one_times(api, unique):
    ex_id = api.start_text("""\
version: '2.0'
retry_%s:
  tasks:
    t:
      action: std.fail
      retry:
        count: 2
        delay: 0
""" % unique)
    ex = api.wait(ex_id)
    assert ex["state"] == "ERROR"
    task = api.tasks(ex_id)["t"]
    assert len(actions_of(api, task["id"])) == 3
    assert json.loads(task["runtime_context"])["retry_no"] == 2


def test_retry_with_delay_and_break_on(api, unique):
    began = time.monotonic()
    ex_id = api.start_text("""\
version: '2.0'
retryd_%s:
  tasks:
    t:
      action: std.fail
      retry:
        count: 5
        delay: 1
        break-on: <%% false %%>
""" % unique)
    ex = api.wait(ex_id, timeout=30)
    assert ex["state"] == "ERROR"
    assert len(actions_of(api, api.tasks(ex_id)["t"]["id"])) == 6
    assert time.monotonic() - began >= 4  # five waits of a second each, with slack


def test_retry_stops_when_break_on_holds(api, unique):
    ex_id = api.start_text("""\
version: '2.0'
retryb_%s:
  tasks:
    t:
      action: std.fail
      retry:
        count: 5
        break-on: <%% true %%>
""" % unique)
    ex = api.wait(ex_id)
    assert ex["state"] == "ERROR"
    assert len(actions_of(api, api.tasks(ex_id)["t"]["id"])) == 1


def test_continue_on_polls_until_false(api, unique):
    ex_id = api.start_text("""\
version: '2.0'
retryc_%s:
  tasks:
    t:
      action: std.echo output=1
      retry:
        count: 3
        continue-on: <%% task().result = 1 %%>
""" % unique)
    ex = api.wait(ex_id)
    assert ex["state"] == "SUCCESS"
    assert len(actions_of(api, api.tasks(ex_id)["t"]["id"])) == 4


def test_wait_before_and_wait_after(api, unique):
    began = time.monotonic()
    ex_id = api.start_text("""\
version: '2.0'
waits_%s:
  tasks:
    t:
      action: std.noop
      wait-before: 1
      wait-after: 1
""" % unique)
    seen = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        tasks = api.tasks(ex_id)
        if "t" in tasks:
            seen.add(tasks["t"]["state"])
        if api.get("/v2/executions/%s" % ex_id)["state"] == "SUCCESS":
            break
        time.sleep(0.05)
    assert api.get("/v2/executions/%s" % ex_id)["state"] == "SUCCESS"
    assert "RUNNING_DELAYED" in seen
    assert time.monotonic() - began >= 1.8


def test_timeout_fails_the_task(api, unique):
    ex_id = api.start_text("""\
version: '2.0'
timeout_%s:
  tasks:
    t:
      action: std.sleep seconds=5
      timeout: 1
      on-error: [after]
    after:
      action: std.noop
""" % unique)
    ex = api.wait(ex_id, timeout=20)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    task = api.tasks(ex_id)["t"]
    assert task["state"] == "ERROR" and "timed out" in task["state_info"]


def test_pause_before_pauses_then_resume_runs_the_task(api, unique):
    ex_id = api.start_text("""\
version: '2.0'
pb_%s:
  tasks:
    a:
      action: std.noop
      on-success: [b]
    b:
      action: std.echo output="done"
      pause-before: true
""" % unique)
    ex = api.wait(ex_id, states=("PAUSED",))
    assert api.tasks(ex_id)["b"]["state"] == "IDLE"
    api.put("/v2/executions/%s" % ex_id, {"state": "RUNNING"})
    ex = api.wait(ex_id)
    assert ex["state"] == "SUCCESS"
    assert api.tasks(ex_id)["b"]["state"] == "SUCCESS"


def test_keep_result_false_still_publishes(api, unique):
    ex_id = api.start_text("""\
version: '2.0'
keep_%s:
  output:
    v: <%% $.v %%>
  tasks:
    t:
      action: std.echo output="secret"
      keep-result: false
      publish:
        v: <%% task().result %%>
""" % unique)
    ex = api.wait(ex_id)
    assert json.loads(ex["output"]) == {"v": "secret"}
    task = api.tasks(ex_id)["t"]
    action = actions_of(api, task["id"])[0]
    assert api.get("/v2/action_executions/%s" % action["id"])["output"] is None
