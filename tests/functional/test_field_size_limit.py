"""[engine] execution_field_size_limit_kb holds as in Mistral: a start with input or
params past it is a 400 that stores nothing; an action input, action output or
published value past it fails the task with Mistral's message; a number JSON cannot
store fails its task cleanly instead of being sent again and again."""

import json

import pytest

from mistral_svc import config

MESSAGE = "Field size limit exceeded [class=TaskExecution, field=%s, size=%dKB, limit=1KB]"
# What Mistral measures: sys.getsizeof(str(value)) in whole KiB, so 4000 characters
# in a small dict are 3 KiB.
BIG = "A" * 4000


@pytest.fixture(scope="module", autouse=True)
def one_kib(service):
    config.CONF.set_override("execution_field_size_limit_kb", 1, group="engine")
    yield
    config.CONF.clear_override("execution_field_size_limit_kb", group="engine")


def _workflow(api, name, tasks, inputs=()):
    head = "version: '2.0'\n%s:\n" % name
    if inputs:
        head += "  input: [%s]\n" % ", ".join(inputs)
    api.create_workflow(head + "  tasks:\n" + tasks)


def _executions_of(api, name):
    return [e for e in api.get("/v2/executions?limit=1000")["executions"]
            if e["workflow_name"] == name]


@pytest.mark.parametrize("field", ["input", "params"])
def test_a_start_with_too_large_input_or_params_is_refused(api, unique, field):
    name = "wf_" + unique
    _workflow(api, name, "    t:\n      action: std.noop\n", inputs=["a"])
    big = BIG
    body = {"workflow_name": name, "input": json.dumps({"a": "x"})}
    if field == "input":
        body["input"] = json.dumps({"a": big})
    else:
        body["params"] = json.dumps({"env": {"a": big}})
    fault = api.post("/v2/executions", body, status=400)["faultstring"]
    assert MESSAGE % (field, 3) in fault
    assert _executions_of(api, name) == []


def test_too_large_action_input_fails_the_execution(api, unique):
    name = "wf_" + unique
    _workflow(api, name, "    t:\n      action: std.echo output=<% 'A' * 4000 %>\n")
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    assert MESSAGE % ("input", 3) in ex["state_info"]


def test_too_large_action_output_fails_the_task(api, unique):
    name = "wf_" + unique
    _workflow(api, name, "    t:\n      action: std.test_dict size=100 key_prefix='k' "
                         "val=<% 'v' * 40 %>\n")
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    task = api.tasks(ex["id"])["t"]
    assert task["state"] == "ERROR"
    assert "Failed to handle action completion [error=Field size limit exceeded " \
           "[class=TaskExecution, field=output" in task["state_info"]


def test_too_large_published_value_fails_the_task(api, unique):
    name = "wf_" + unique
    _workflow(api, name, "    t:\n      action: std.noop\n      publish:\n"
                         "        big: <% 'x' * 3000 %>\n")
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    task = api.tasks(ex["id"])["t"]
    assert task["state"] == "ERROR"
    assert "field=published" in task["state_info"]


def test_a_number_json_cannot_store_fails_the_task_once(api, unique):
    name = "wf_" + unique
    _workflow(api, name, "    t:\n      action: std.noop\n      publish:\n"
                         "        n: <% pow(10, 5000) %>\n")
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    task = api.tasks(ex["id"])["t"]
    assert "Field cannot be stored [class=TaskExecution, field=published]" \
        in task["state_info"]
    assert "4300" in task["state_info"]
    assert len(api.get("/v2/action_executions?task_execution_id=%s" % task["id"])
               ["action_executions"]) == 1


def test_within_the_limit_everything_runs(api, unique):
    name = "wf_" + unique
    _workflow(api, name, "    t:\n      action: std.echo output=<% $.a %>\n"
                         "      publish:\n        b: <% task().result %>\n", inputs=["a"])
    ex = api.wait(api.start(name, {"a": "A" * 500})["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
