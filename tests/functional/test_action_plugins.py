"""A package installed beside the service: its mistral-lib actions are listed after
``populate`` and run in workflows on the embedded service; bad classes fail their task
and leave the executor working."""

import json
import time

import pytest

from mistral_svc import expressions
from mistral_svc.services import action_catalog
from tests import plugin_package


@pytest.fixture(scope="module")
def package(service):
    with plugin_package.installed():
        action_catalog.populate()
        expressions.load_plugin_functions()
        yield
    action_catalog.populate()
    expressions.load_plugin_functions()


def _workflow(api, name, body, input_names=()):
    text = "version: '2.0'\n%s:\n" % name
    if input_names:
        text += "  input: [%s]\n" % ", ".join(input_names)
    api.create_workflow(text + "  tasks:\n" + body)
    return name


def _task_result(api, ex_id, task):
    return json.loads(api.get("/v2/tasks/%s" % api.tasks(ex_id)[task]["id"])["result"])


def test_listed_with_signature_and_description(api, package):
    greet = api.get("/v2/actions/testpkg.greet")
    assert greet["input"] == 'name, greeting="Hello"'
    assert greet["is_system"] is True
    assert greet["description"].startswith("Greets someone and tells which execution asked.")
    names = {a["name"] for a in api.get("/v2/actions?name=has:testpkg.")["actions"]}
    assert names == set(plugin_package.NAMES)  # entries that failed to load are not listed


def test_runs_in_a_workflow_with_the_execution_context(api, package, unique):
    name = _workflow(api, "wf_" + unique, """\
    greet:
      action: testpkg.greet name=<% $.who %> greeting="Hi"
      publish:
        text: <% task().result.text %>
""", ["who"])
    ex = api.wait(api.start(name, {"who": "World"})["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    result = _task_result(api, ex["id"], "greet")
    task = api.tasks(ex["id"])["greet"]
    action_ex = api.get("/v2/tasks/%s/action_executions" % task["id"])["action_executions"][0]
    assert result["text"] == "Hi, World!"
    assert result["workflow_execution_id"] == ex["id"]
    assert result["task_execution_id"] == task["id"]
    assert result["action_execution_id"] == action_ex["id"]
    assert result["callback_url"].startswith("http://")


def test_error_result_fails_the_task_and_takes_on_error(api, package, unique):
    name = _workflow(api, "wf_" + unique, """\
    ask:
      action: testpkg.refuse reason="closed"
      on-error: [handle]
    handle:
      action: std.echo output=<% task(ask).result %>
""")
    ex = api.wait(api.start(name)["id"])
    tasks = api.tasks(ex["id"])
    assert tasks["ask"]["state"] == "ERROR"
    assert _task_result(api, ex["id"], "handle") == {"refused": "closed"}


def test_async_action_completes_through_the_api(api, package, unique):
    name = _workflow(api, "wf_" + unique, "    hold:\n      action: testpkg.wait\n")
    ex = api.start(name)
    deadline = time.monotonic() + 10
    while True:
        a_exs = api.get("/v2/action_executions?workflow_name=%s" % name)["action_executions"]
        if a_exs:
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.1)
    assert api.get("/v2/executions/%s" % ex["id"])["state"] == "RUNNING"
    api.put("/v2/action_executions/%s" % a_exs[0]["id"], {"state": "SUCCESS", "output": 7})
    assert api.wait(ex["id"])["state"] == "SUCCESS"
    assert _task_result(api, ex["id"], "hold") == 7


@pytest.mark.parametrize("task, expected", [
    ("testpkg.no_licence", "Failed to create action testpkg.no_licence "
                           "[class=msvc_testpkg.NoLicenceAction]: RuntimeError: "
                           "no licence for this action"),
    ("testpkg.exit", "testpkg.exit failed: SystemExit: 3"),
    ("testpkg.gone", "Failed to load action testpkg.gone from "
                     "msvc_testpkg_missing.module:GoneAction: ModuleNotFoundError"),
    ("testpkg.greet", "Invalid input [name=testpkg.greet, class=GreetAction, "
                      "missing=['name']]"),
])
def test_bad_classes_fail_the_task_not_the_executor(api, package, unique, task, expected):
    name = _workflow(api, "wf_" + unique, "    bad:\n      action: %s\n" % task)
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "ERROR"
    assert expected in api.tasks(ex["id"])["bad"]["state_info"]
    # The executor is still there for the next action.
    again = _workflow(api, "again_" + unique, "    ok:\n      action: std.echo output=1\n")
    assert api.wait(api.start(again)["id"])["state"] == "SUCCESS"


def test_run_action_outside_a_workflow(api, package):
    out = api.post("/v2/action_executions",
                   {"name": "testpkg.greet", "input": json.dumps({"name": "you"})})
    assert out["state"] == "SUCCESS"
    assert json.loads(out["output"])["result"]["text"] == "Hello, you!"


def test_expression_functions_of_the_package(api, package, unique):
    assert expressions.load_plugin_functions() == ["testpkg_double", "testpkg_var"]
    name = _workflow(api, "wf_" + unique, """\
    compute:
      action: std.noop
      publish:
        yaql: <% testpkg_double(21) %>
        jinja: "{{ testpkg_double(4) }}"
        filtered: "{{ 5 | testpkg_double }}"
        yaql_ctx: <% testpkg_var(who) %>
        jinja_ctx: "{{ testpkg_var('who') }}"
        env_untouched: <% env() %>
""", ["who"])
    ex = api.wait(api.start(name, {"who": "me"})["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    published = json.loads(api.tasks(ex["id"])["compute"]["published"])
    assert published == {"yaql": 42, "jinja": 8, "filtered": 10, "yaql_ctx": "me",
                         "jinja_ctx": "me", "env_untouched": {}}
