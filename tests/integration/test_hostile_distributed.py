"""The hostile-input bounds on the distributed shape (api, engine, executor and
scheduler processes over RabbitMQ and PostgreSQL): std.http refuses loopback in the
executor process, a start past execution_field_size_limit_kb is the same 400 over the
broker, a runaway expression and a self-calling workflow fail their execution."""

import json

import pytest
import requests

from tests.integration.conftest import deployed
from tests.waiting import poll

CONFIG = """\
[engine]
execution_field_size_limit_kb = 8
max_subworkflow_depth = 3
[expressions]
evaluation_timeout = 1
"""


@pytest.fixture(scope="module")
def url():
    with deployed("postgresql", extra=CONFIG) as dep:
        for server in ("engine", "executor", "scheduler", "api"):
            dep.start(server)
        dep.wait_api()
        yield dep.url


def _run(url, name, tasks, wf_input=None):
    text = "version: '2.0'\n%s:\n  tasks:\n%s" % (name, tasks)
    r = requests.post(url + "/workflows", data=text, headers={"Content-Type": "text/plain"},
                      timeout=10)
    assert r.status_code == 201, r.text
    r = requests.post(url + "/executions", json={
        "workflow_name": name, "input": json.dumps(wf_input or {})}, timeout=30)
    assert r.status_code == 201, r.text
    ex_id = r.json()["id"]

    def finished():
        ex = requests.get(url + "/executions/" + ex_id, timeout=5).json()
        return ex if ex["state"] in ("SUCCESS", "ERROR", "CANCELLED") else None

    ex = poll(finished, timeout=60)
    assert ex is not None, "execution %s never finished" % ex_id
    return ex


def _task(url, ex_id, name):
    tasks = requests.get(url + "/executions/%s/tasks" % ex_id, timeout=5).json()["tasks"]
    return {t["name"]: t for t in tasks}[name]


def test_std_http_to_the_api_itself_is_refused(url):
    ex = _run(url, "egress_it", "    t:\n      action: std.http\n      input:\n"
                                "        url: %s/environments\n" % url)
    assert ex["state"] == "ERROR"
    assert "127.0.0.1 is a blocked address" in _task(url, ex["id"], "t")["state_info"]


def test_a_too_large_start_is_a_400_over_the_broker(url):
    text = "version: '2.0'\nbig_it:\n  input: [a]\n  tasks:\n    t:\n      action: std.noop\n"
    requests.post(url + "/workflows", data=text, headers={"Content-Type": "text/plain"},
                  timeout=10)
    r = requests.post(url + "/executions", json={
        "workflow_name": "big_it", "input": json.dumps({"a": "A" * 16000})}, timeout=30)
    assert r.status_code == 400, r.text
    assert "Field size limit exceeded [class=TaskExecution, field=input" \
        in r.json()["faultstring"]


def test_a_runaway_expression_fails_its_task(url):
    ex = _run(url, "slow_it", "    t:\n      action: std.noop\n      publish:\n"
                              "        n: <% range(400000000).len() %>\n")
    assert ex["state"] == "ERROR"
    assert "took longer than 1 seconds" in _task(url, ex["id"], "t")["state_info"]


def test_a_workflow_calling_itself_ends_at_the_depth_limit(url):
    ex = _run(url, "self_it", "    again:\n      workflow: self_it\n")
    assert ex["state"] == "ERROR"
    assert "Sub-workflow depth limit exceeded" in ex["state_info"]
    listed = requests.get(url + "/executions/%s/executions" % ex["id"],
                          timeout=10).json()["executions"]
    assert len(listed) == 4  # the execution itself and three levels below it
