"""action-execution-list/get/get-input/get-output and service-list."""

import json

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import unique


@pytest.fixture
def greet_task(mistral_server):
    """The finished ``greet`` task of a hello execution, and the execution."""
    name = unique("hello")
    mistral_server.create_workflows(scenarios.hello(name))
    ex = mistral_server.wait_execution(
        mistral_server.start_execution(name, {"who": "Mo"})["id"])
    return mistral_server.tasks(ex["id"])["greet"], ex


def test_list_of_a_task(mistral, greet_task):
    task, ex = greet_task
    result = mistral("action-execution-list", task["id"])
    assert result.table_headers == scenarios.ACTION_EXECUTION_LIST_COLUMNS
    (row,) = result.table_dicts()
    assert row["Name"] == "std.echo"
    assert row["Workflow name"] == ex["workflow_name"]
    assert row["Task name"] == "greet"
    assert row["Task ID"] == task["id"]
    assert row["State"] == "SUCCESS"
    assert row["Accepted"] == "True"


def test_list_all_with_filters_and_limit(mistral, greet_task):
    task, _ = greet_task
    listed = mistral("action-execution-list", "--filter",
                     "task_execution_id=%s" % task["id"], "-f", "json").json
    assert [a["Task ID"] for a in listed] == [task["id"]]
    assert set(listed[0]) == set(scenarios.ACTION_EXECUTION_LIST_COLUMNS)
    assert listed[0]["Accepted"] is True
    limited = mistral("action-execution-list", "--limit", "1", "-c", "ID", "-f", "value")
    assert len(limited.lines) == 1


def test_get_input_and_output(mistral, greet_task):
    task, _ = greet_task
    (a_ex,) = mistral("action-execution-list", task["id"], "-f", "json").json
    shown = mistral("action-execution-get", a_ex["ID"])
    fields = shown.show_fields()
    assert list(fields) == scenarios.ACTION_EXECUTION_COLUMNS
    assert fields["ID"] == a_ex["ID"]
    assert fields["Name"] == "std.echo"
    assert fields["State info"] == "None"
    assert json.loads(mistral("action-execution-get-input", a_ex["ID"]).out) == {
        "output": "Hello, Mo"}
    out = mistral("action-execution-get-output", a_ex["ID"]).out
    assert out == json.dumps({"result": "Hello, Mo"}, indent=4) + "\n"


def test_get_of_a_failed_action_shows_its_error(mistral, mistral_server):
    name = unique("failing")
    mistral_server.create_workflows(scenarios.failing(name))
    ex = mistral_server.wait_execution(mistral_server.start_execution(name)["id"])
    task = mistral_server.tasks(ex["id"])["explode"]
    (a_ex,) = mistral("action-execution-list", task["id"], "-f", "json").json
    assert a_ex["State"] == "ERROR"
    shown = mistral("action-execution-get", a_ex["ID"], "-f", "json").json
    assert "it broke" in shown["State info"]


def test_get_unknown(mistral):
    result = mistral("action-execution-get", "00000000-0000-0000-0000-000000000000",
                     expect=1)
    assert "Action execution not found" in result.err
    result = mistral("action-execution-get-output", "nope", expect=1)
    assert "not found" in result.err


def test_service_list(mistral):
    result = mistral("service-list")
    assert result.table_headers == scenarios.SERVICE_COLUMNS
    rows = mistral("service-list", "-f", "json").json
    types = {r["Type"] for r in rows}
    assert {"api_group", "engine_group", "executor_group", "scheduler_group"} <= types
    names = {r["Name"] for r in rows}
    # All four services live in the one embedded process, hence one member name.
    assert len(names) == 1
