"""task-* commands."""

import json

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import unique


@pytest.fixture
def finished_hello(mistral_server):
    """A SUCCESS execution of the hello workflow and its tasks by name."""
    name = unique("hello")
    mistral_server.create_workflows(scenarios.hello(name))
    ex = mistral_server.start_execution(name, {"who": "Lu"})
    ex = mistral_server.wait_execution(ex["id"])
    assert ex["state"] == "SUCCESS", ex
    return ex, mistral_server.tasks(ex["id"])


def test_list_of_an_execution(mistral, finished_hello):
    ex, tasks = finished_hello
    result = mistral("task-list", ex["id"])
    assert result.table_headers == scenarios.TASK_COLUMNS
    rows = result.table_dicts()
    assert sorted(r["Name"] for r in rows) == ["finish", "greet"]
    for row in rows:
        assert row["ID"] == tasks[row["Name"]]["id"]
        assert row["Workflow name"] == ex["workflow_name"]
        assert row["Workflow Execution ID"] == ex["id"]
        assert row["State"] == "SUCCESS"
        assert row["Finished at"] not in ("", "<none>")


def test_list_all_with_filters(mistral, finished_hello):
    ex, tasks = finished_hello
    by_name = mistral("task-list", "--filter", "workflow_execution_id=%s" % ex["id"],
                      "--filter", "name=greet", "-f", "json").json
    assert [t["ID"] for t in by_name] == [tasks["greet"]["id"]]
    assert set(by_name[0]) == set(scenarios.TASK_COLUMNS)
    limited = mistral("task-list", ex["id"], "--limit", "1", "-c", "Name", "-f", "value")
    assert len(limited.lines) == 1
    by_state = mistral("task-list", ex["id"], "--filter", "state=ERROR", "-f", "json")
    # As with ``mistral``, an empty list is one row of empty cells.
    assert [any(r.values()) for r in by_state.json] == [False]


def test_get(mistral, finished_hello):
    ex, tasks = finished_hello
    result = mistral("task-get", tasks["greet"]["id"])
    fields = result.show_fields()
    assert list(fields) == scenarios.TASK_COLUMNS
    assert fields["Name"] == "greet"
    assert fields["Workflow Execution ID"] == ex["id"]
    assert fields["State"] == "SUCCESS"
    assert fields["State info"] == "None"
    info = mistral("task-get", tasks["greet"]["id"], "-c", "State info", "-f", "value")
    assert info.lines == ["None"]
    missing = mistral("task-get", "00000000-0000-0000-0000-000000000000", expect=1)
    assert "Task execution not found" in missing.err


def test_get_result_and_published(mistral, finished_hello):
    _, tasks = finished_hello
    assert mistral("task-get-result", tasks["greet"]["id"]).out == '"Hello, Lu"\n'
    published = mistral("task-get-published", tasks["greet"]["id"]).out
    assert published == json.dumps({"msg": "Hello, Lu"}, indent=4) + "\n"
    assert json.loads(mistral("task-get-published", tasks["finish"]["id"]).out) == {}
    assert mistral("task-get-result", tasks["finish"]["id"]).out == "null\n"


def test_rerun_a_failed_task_with_a_new_env(mistral, mistral_server):
    name = unique("needs_env")
    mistral_server.create_workflows(scenarios.needs_env(name))
    ex = mistral_server.start_execution(name)
    assert mistral_server.wait_execution(ex["id"])["state"] == "ERROR"
    task = mistral_server.tasks(ex["id"])["say"]
    assert task["state"] == "ERROR"
    failed = mistral("task-get", task["id"], "-c", "State info", "-f", "value").out
    assert "word" in failed

    rerun = mistral("task-rerun", task["id"], "-e", '{"word": "again"}', "-f", "json").json
    assert list(rerun) == scenarios.TASK_COLUMNS
    assert rerun["ID"] == task["id"]
    # The rerun may already have finished by the time the answer is written.
    assert rerun["State"] in ("RUNNING", "SUCCESS")
    done = mistral_server.wait_execution(ex["id"])
    assert done["state"] == "SUCCESS", done
    assert mistral("task-get-result", task["id"]).out == '"again"\n'


def test_rerun_refused_for_a_successful_task(mistral, finished_hello):
    _, tasks = finished_hello
    result = mistral("task-rerun", tasks["greet"]["id"], expect=1)
    assert "ERROR" in result.err or "SUCCESS" in result.err


def test_rerun_bad_env_is_rejected_before_any_request(mistral):
    result = mistral("--os-mistral-url", "http://127.0.0.1:9/v2", "task-rerun",
                     "00000000-0000-0000-0000-000000000000", "-e", "[1]", expect=1,
                     url=False)
    assert "Env" in result.err and "Unable to connect" not in result.err


def test_sub_executions_of_a_task(mistral, mistral_server):
    parent, child = unique("parent"), unique("child")
    mistral_server.create_workflows(scenarios.parent_and_child(parent, child))
    ex = mistral_server.wait_execution(mistral_server.start_execution(parent)["id"])
    task = mistral_server.tasks(ex["id"])["call_child"]
    result = mistral("task-get-sub-executions", task["id"])
    assert result.table_headers == scenarios.EXECUTION_COLUMNS
    (sub,) = result.table_dicts()
    assert sub["Workflow name"] == child
    assert sub["Task Execution ID"] == task["id"]
    assert sub["State"] == "SUCCESS"
    shallow = mistral("task-get-sub-executions", task["id"], "--max-depth", "0",
                      "-c", "ID", "-f", "value")
    assert shallow.lines == [sub["ID"]]
    failed = mistral("task-get-sub-executions", task["id"], "--errors-only", "-f", "json")
    assert [any(r.values()) for r in failed.json] == [False]
    published = json.loads(mistral("task-get-published", task["id"]).out)
    assert published == {"from_child": 42}


def test_reverted_tasks_in_list_filters_and_watch(mistral, mistral_server):
    name = unique("reverted")
    mistral_server.create_workflows("""\
version: '2.0'
%s:
  tasks:
    a:
      action: std.echo output="a"
      revert: std.echo output="undo a"
      on-success: [b]
    b:
      action: std.fail
""" % name)
    ex = mistral_server.wait_execution(mistral_server.start_execution(name)["id"])
    assert ex["state"] == "ERROR"
    rows = mistral("task-list", ex["id"], "--filter", "state=REVERTED", "-f", "json").json
    assert [(r["Name"], r["State"]) for r in rows] == [("a", "REVERTED")]
    watched = mistral("execution-watch", ex["id"], expect=1)
    assert "REVERTED" in watched.out
    assert "2/2 finished" in watched.out


def test_the_readme_commands_run_the_shipped_upgrade_example(mistral, mistral_server):
    from mistral_svc import examples

    namespace = unique("examples")
    mistral("workflow-create", examples.path("upgrade.yaml"), "--namespace", namespace)
    result = mistral("execution-create", "upgrade", '{"fail_at": "upgrade_app"}',
                     "--namespace", namespace, "--wait", expect=1)
    assert "Tasks: 5  ERROR 1  REVERTED 4" in result.err
    assert "5/5 finished" in result.err
    assert "| ERROR" in result.out
