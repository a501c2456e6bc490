"""api, engine, executor and scheduler as four OS processes over RabbitMQ."""

import json

import requests

from tests.waiting import poll as _wait

WORKFLOW = """\
version: '2.0'
hello_it:
  input:
    - name
  output:
    greeting: <% $.greeting %>
  tasks:
    greet:
      action: std.echo output="Hello, <% $.name %>"
      publish:
        greeting: <% task().result %>
      on-success:
        - done
    done:
      action: std.noop
"""


def test_workflow_runs_across_four_processes(deployment):
    for server in ("engine", "executor", "scheduler", "api"):
        deployment.start(server)
    deployment.wait_api()
    url = deployment.url

    def all_groups():
        services = requests.get(url + "/services", timeout=5).json()["services"]
        types = {s["type"] for s in services}
        wanted = {"api_group", "engine_group", "executor_group", "scheduler_group"}
        return services if wanted <= types else None

    services = _wait(all_groups, timeout=30)
    assert services, "not every service joined its group:\n" + deployment.logs()
    # Four processes: four distinct members.
    assert len({s["name"] for s in services}) >= 4

    r = requests.post(url + "/workflows", data=WORKFLOW,
                      headers={"Content-Type": "text/plain"}, timeout=10)
    assert r.status_code == 201, r.text
    r = requests.post(url + "/executions", json={
        "workflow_name": "hello_it", "input": json.dumps({"name": "World"})}, timeout=30)
    assert r.status_code == 201, r.text
    ex_id = r.json()["id"]

    def finished():
        ex = requests.get(url + "/executions/" + ex_id, timeout=5).json()
        return ex if ex["state"] in ("SUCCESS", "ERROR") else None

    ex = _wait(finished, timeout=60)
    assert ex is not None, "execution never finished:\n" + deployment.logs()
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"greeting": "Hello, World"}

    tasks = requests.get(url + "/executions/%s/tasks" % ex_id, timeout=5).json()["tasks"]
    assert {t["name"]: t["state"] for t in tasks} == {"greet": "SUCCESS", "done": "SUCCESS"}
    actions = requests.get(url + "/action_executions", timeout=5).json()["action_executions"]
    assert sorted(a["name"] for a in actions) == ["std.echo", "std.noop"]
    assert all(a["state"] == "SUCCESS" for a in actions)
