"""The language's main constructs in the distributed shape: api, engine, executor and
scheduler as separate processes over RabbitMQ, on PostgreSQL and on MariaDB."""

import json

import requests

from tests.waiting import poll

DEFINITIONS = """\
version: '2.0'
child_it:
  input: [x]
  output:
    doubled: <% $.x * 2 %>
  tasks:
    t:
      action: std.noop
lang_it:
  output:
    joined: <% $.joined %>
    items: <% $.items %>
    sub: <% $.sub %>
  tasks:
    start:
      action: std.noop
      on-success: [left, right]
    left:
      action: std.echo output="L"
      publish: {l: <% task().result %>}
      on-success: [join]
    right:
      with-items: i in [1, 2, 3, 4]
      concurrency: 2
      action: std.echo output=<% $.i %>
      publish: {items: <% task().result %>}
      on-success: [join]
    join:
      join: all
      action: std.echo output="<% $.l %><% len($.items) %>"
      publish: {joined: <% task().result %>}
      on-success: [call]
    call:
      workflow: child_it x=21
      publish: {sub: <% task().result.doubled %>}
reverse_it:
  type: reverse
  tasks:
    a:
      action: std.noop
    b:
      action: std.noop
      requires: [a]
flaky_it:
  tasks:
    t:
      action: std.echo output="ok"
      fail-on: <% env().get(ok) = null %>
skip_it:
  tasks:
    t:
      action: std.fail
      publish-on-skip:
        skipped: <% env().greeting %>
      on-skip: after
    after:
      action: std.echo output=[1, "two"]
      target: <% $.get(nowhere) %>
      publish:
        got: <% task().result %>
"""


def _wait(url, ex_id, states=("SUCCESS", "ERROR", "CANCELLED"), timeout=60):
    def finished():
        ex = requests.get("%s/executions/%s" % (url, ex_id), timeout=5).json()
        return ex if ex["state"] in states else None

    ex = poll(finished, timeout)
    if ex is not None:
        return ex
    ex = requests.get("%s/executions/%s" % (url, ex_id), timeout=5).json()
    tasks = requests.get("%s/executions/%s/tasks" % (url, ex_id), timeout=5).json()["tasks"]
    raise AssertionError("execution %s (%s) did not reach %s; tasks: %s" % (
        ex_id, ex["workflow_name"], states,
        [(t["name"], t["state"], t["state_info"]) for t in tasks]))


def _start(url, name, **body):
    body["workflow_name"] = name
    r = requests.post(url + "/executions", json=body, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_language_constructs(deployment):
    for server in ("engine", "executor", "scheduler", "api"):
        deployment.start(server)
    deployment.wait_api()
    url = deployment.url
    r = requests.post(url + "/workflows", data=DEFINITIONS,
                      headers={"Content-Type": "text/plain"}, timeout=10)
    assert r.status_code == 201, r.text

    ex = _wait(url, _start(url, "lang_it"))
    assert ex["state"] == "SUCCESS", ex["state_info"] + deployment.logs()
    assert json.loads(ex["output"]) == {"joined": "L4", "items": [1, 2, 3, 4], "sub": 42}

    ex = _wait(url, _start(url, "reverse_it", params=json.dumps({"task_name": "b"})))
    assert ex["state"] == "SUCCESS"

    ex_id = _start(url, "flaky_it")
    assert _wait(url, ex_id)["state"] == "ERROR"
    tasks = requests.get("%s/executions/%s/tasks" % (url, ex_id), timeout=5).json()["tasks"]
    r = requests.put("%s/tasks/%s" % (url, tasks[0]["id"]), timeout=30, json={
        "state": "RUNNING", "reset": True, "env": json.dumps({"ok": 1})})
    assert r.status_code == 200, r.text
    assert _wait(url, ex_id)["state"] == "SUCCESS"

    # A skipped task follows on-skip; the env was evaluated at the start; a target
    # that evaluates to null runs anywhere.
    ex_id = _start(url, "skip_it", params=json.dumps({"env": {"greeting": "<% 'h' + 'i' %>"}}))
    assert _wait(url, ex_id)["state"] == "ERROR"
    tasks = requests.get("%s/executions/%s/tasks" % (url, ex_id), timeout=5).json()["tasks"]
    r = requests.put("%s/tasks/%s" % (url, tasks[0]["id"]), timeout=30,
                     json={"state": "SKIPPED"})
    assert r.status_code == 200, r.text
    ex = _wait(url, ex_id)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"skipped": "hi", "got": [1, "two"]}
