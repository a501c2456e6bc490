"""execution-* commands."""

import json

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import unique


@pytest.fixture
def hello_wf(mistral_server):
    name = unique("hello")
    (wf,) = mistral_server.create_workflows(scenarios.hello(name))
    return wf


@pytest.fixture
def waiting_wf(mistral_server):
    name = unique("waits")
    (wf,) = mistral_server.create_workflows(scenarios.waits(name))
    return wf


def _create(mistral, *args):
    return mistral("execution-create", *args, "-f", "json").json


def test_create_by_name_with_inline_input(mistral, mistral_server, hello_wf):
    result = mistral("execution-create", hello_wf["name"], '{"who": "Ann"}',
                     "-d", "first run")
    assert result.table_headers == ["Field", "Value"]
    fields = result.show_fields()
    assert list(fields) == scenarios.EXECUTION_COLUMNS
    assert fields["Workflow ID"] == hello_wf["id"]
    assert fields["Workflow name"] == hello_wf["name"]
    assert fields["Description"] == "first run"
    assert fields["Task Execution ID"] == "<none>"
    assert fields["State"] in ("RUNNING", "SUCCESS")

    ex = mistral_server.wait_execution(fields["ID"])
    assert ex["state"] == "SUCCESS"
    assert json.loads(ex["output"]) == {"msg": "Hello, Ann"}


def test_create_by_id_with_input_and_params_files(mistral, mistral_server, hello_wf,
                                                   definition_file):
    input_file = definition_file("who: Bo\ngreeting: Hi\n")
    params_file = definition_file(json.dumps({"env": {"colour": "blue"}}), ".json")
    created = _create(mistral, hello_wf["id"], input_file, params_file)
    assert created["Workflow name"] == hello_wf["name"]
    assert created["Description"] == ""
    ex = mistral_server.wait_execution(created["ID"])
    assert json.loads(ex["input"]) == {"who": "Bo", "greeting": "Hi"}
    assert json.loads(ex["params"])["env"] == {"colour": "blue"}
    assert json.loads(ex["output"]) == {"msg": "Hi, Bo"}


def test_create_in_a_namespace(mistral, mistral_server):
    name, ns = unique("hello"), unique("ns")
    mistral_server.create_workflows(scenarios.hello(name), namespace=ns)
    missing = mistral("execution-create", name, '{"who": "x"}', expect=1)
    assert "not found" in missing.err.lower()
    created = _create(mistral, name, '{"who": "x"}', "--namespace", ns)
    assert created["Workflow namespace"] == ns


def test_create_from_a_source_execution(mistral, mistral_server, hello_wf):
    source = _create(mistral, hello_wf["name"], '{"who": "Cy"}')
    mistral_server.wait_execution(source["ID"])
    copy = _create(mistral, "-s", source["ID"])
    assert copy["ID"] != source["ID"]
    assert copy["Workflow name"] == hello_wf["name"]
    ex = mistral_server.wait_execution(copy["ID"])
    assert json.loads(ex["output"]) == {"msg": "Hello, Cy"}


def test_create_errors(mistral, hello_wf):
    unknown = mistral("execution-create", unique("nope"), expect=1)
    assert "Workflow not found" in unknown.err

    missing_input = mistral("execution-create", hello_wf["name"], expect=1)
    assert "who" in missing_input.err and "Invalid input" in missing_input.err

    # Bad JSON is reported without contacting the server (whose URL is unreachable).
    bad_json = mistral("--os-mistral-url", "http://127.0.0.1:9/v2", "execution-create",
                       hello_wf["name"], "{not json", expect=1, url=False)
    assert "not valid JSON" in bad_json.err
    assert "Unable to connect" not in bad_json.err

    not_a_dict = mistral("execution-create", hello_wf["name"], "[1, 2]", expect=1)
    assert "must be a JSON object" in not_a_dict.err

    nothing = mistral("execution-create", expect=1)
    assert "workflow ID or name" in nothing.err


def test_get_and_its_formats(mistral, mistral_server, hello_wf):
    created = _create(mistral, hello_wf["name"], '{"who": "Di"}', "-d", "desc")
    mistral_server.wait_execution(created["ID"])
    shown = mistral("execution-get", created["ID"], "-f", "json").json
    assert list(shown) == scenarios.EXECUTION_COLUMNS
    assert shown["ID"] == created["ID"]
    assert shown["State"] == "SUCCESS"
    assert shown["State info"] is None
    assert shown["Description"] == "desc"
    assert shown["Updated at"] != "<none>"
    assert shown["Duration"].count(":") == 2  # H:MM:SS of a finished execution

    state = mistral("execution-get", created["ID"], "-c", "State", "-f", "value")
    assert state.lines == ["SUCCESS"]

    missing = mistral("execution-get", "00000000-0000-0000-0000-000000000000", expect=1)
    assert "Execution not found" in missing.err


def test_root_execution_has_no_root_execution_id(mistral, mistral_server, hello_wf):
    created = _create(mistral, hello_wf["name"], '{"who": "Ed"}')
    assert created["Root Execution ID"] == "<none>"
    mistral_server.wait_execution(created["ID"])
    roots = mistral("execution-list", "--rootsonly", "--filter",
                    "workflow_name=%s" % hello_wf["name"], "-c", "ID", "-f", "value")
    assert roots.lines == [created["ID"]]


def test_get_input_output_and_published(mistral, mistral_server, hello_wf):
    created = _create(mistral, hello_wf["name"], '{"who": "Fay"}')
    mistral_server.wait_execution(created["ID"])
    out = mistral("execution-get-output", created["ID"]).out
    assert out == json.dumps({"msg": "Hello, Fay"}, indent=4) + "\n"
    assert json.loads(mistral("execution-get-input", created["ID"]).out) == {
        "who": "Fay", "greeting": "Hello"}
    assert json.loads(mistral("execution-get-published", created["ID"]).out) == {}


def test_list_filters_limits_and_columns(mistral, mistral_server, hello_wf):
    ids = []
    for who in ("Gil", "Hal", "Ida"):
        ids.append(_create(mistral, hello_wf["name"], json.dumps({"who": who}))["ID"])
    for ex_id in ids:
        mistral_server.wait_execution(ex_id)
    by_wf = "workflow_name=%s" % hello_wf["name"]

    table = mistral("execution-list", "--filter", by_wf)
    assert table.table_headers == scenarios.EXECUTION_COLUMNS
    assert sorted(r["ID"] for r in table.table_dicts()) == sorted(ids)
    assert {r["State"] for r in table.table_dicts()} == {"SUCCESS"}

    listed = mistral("execution-list", "--filter", by_wf, "-f", "json").json
    assert {e["ID"] for e in listed} == set(ids)
    assert all(e["Workflow ID"] == hello_wf["id"] for e in listed)

    assert len(mistral("execution-list", "--filter", by_wf, "--limit", "2",
                       "-c", "ID", "-f", "value").lines) == 2
    assert len(mistral("execution-list", "--filter", by_wf, "--limit", "2", "--oldest",
                       "-c", "ID", "-f", "value").lines) == 2
    errors = mistral("execution-list", "--filter", by_wf, "--filter", "state=ERROR",
                     "-c", "ID", "-f", "value")
    assert errors.lines == []

    bad_filter = mistral("execution-list", "--filter", "state", expect=1)
    assert "Invalid filter" in bad_filter.err


def test_list_sorted_and_paged_by_id(mistral, mistral_server, hello_wf):
    ids = sorted(_create(mistral, hello_wf["name"], '{"who": "Jo"}')["ID"]
                 for _ in range(3))
    by_wf = "workflow_name=%s" % hello_wf["name"]
    ascending = mistral("execution-list", "--filter", by_wf, "--sort_keys", "id",
                        "-c", "ID", "-f", "value")
    assert ascending.lines == ids
    descending = mistral("execution-list", "--filter", by_wf, "--sort_keys", "id",
                         "--sort_dirs", "desc", "-c", "ID", "-f", "value")
    assert descending.lines == ids[::-1]
    page = mistral("execution-list", "--filter", by_wf, "--sort_keys", "id",
                   "--marker", ids[0], "--limit", "1", "-c", "ID", "-f", "value")
    assert page.lines == [ids[1]]
    for ex_id in ids:
        mistral_server.wait_execution(ex_id)


def test_update_state_description_and_env(mistral, mistral_server, waiting_wf):
    created = _create(mistral, waiting_wf["name"])
    ex_id = created["ID"]
    mistral_server.wait_execution(ex_id, states=("RUNNING",))

    paused = mistral("execution-update", ex_id, "-s", "PAUSED")
    assert paused.show_fields()["State"] == "PAUSED"

    env = mistral("execution-update", ex_id, "-e", '{"limit": 3}', "-f", "json").json
    assert env["ID"] == ex_id
    ex = mistral_server.api("GET", "/executions/%s" % ex_id)
    assert json.loads(ex["params"])["env"] == {"limit": 3}

    described = mistral("execution-update", ex_id, "-d", "on hold", "-f", "json").json
    assert described["Description"] == "on hold"

    resumed = mistral("execution-update", ex_id, "--state", "RUNNING", "-f", "json").json
    assert resumed["State"] == "RUNNING"

    cancelled = mistral("execution-update", ex_id, "-s", "CANCELLED", "-f", "json").json
    assert cancelled["State"] == "CANCELLED"
    assert mistral_server.wait_execution(ex_id)["state"] == "CANCELLED"

    refused = mistral("execution-update", ex_id, "-s", "RUNNING", expect=1)
    assert "CANCELLED" in refused.err


def test_update_errors(mistral, mistral_server, waiting_wf):
    ex = mistral_server.start_execution(waiting_wf["name"])
    nothing = mistral("execution-update", ex["id"], expect=1)
    assert "--state" in nothing.err
    bad_state = mistral("execution-update", ex["id"], "-s", "DONE", expect=2)
    assert "invalid choice" in bad_state.err
    running_env = mistral("execution-update", ex["id"], "-e", '{"a": 1}', expect=1)
    assert "environment" in running_env.err.lower()
    mistral("execution-update", ex["id"], "-s", "CANCELLED")


def test_delete(mistral, mistral_server, hello_wf, waiting_wf):
    done = _create(mistral, hello_wf["name"], '{"who": "Kim"}')["ID"]
    mistral_server.wait_execution(done)
    result = mistral("execution-delete", done)
    assert result.lines == ["Request to delete execution %s has been accepted." % done]
    mistral("execution-get", done, expect=1)

    running = _create(mistral, waiting_wf["name"])["ID"]
    refused = mistral("execution-delete", running, expect=1)
    assert "force" in refused.err
    assert "Unable to delete the specified execution(s)." in refused.err
    forced = mistral("execution-delete", running, "--force")
    assert "has been accepted" in forced.out
    mistral("execution-get", running, expect=1)


def test_report(mistral, mistral_server):
    name = unique("failing")
    mistral_server.create_workflows(scenarios.failing(name))
    ex_id = _create(mistral, name)["ID"]
    assert mistral_server.wait_execution(ex_id)["state"] == "ERROR"
    tasks = mistral_server.tasks(ex_id)

    errors_only = mistral("execution-get-report", ex_id).out
    assert "General Statistics" in errors_only
    assert "Number of tasks in ERROR state: 1" in errors_only
    assert "workflow '%s' [ERROR] %s" % (name, ex_id) in errors_only
    assert "task 'explode' [ERROR] %s" % tasks["explode"]["id"] in errors_only
    assert "(error info: it broke...)" in errors_only
    assert "action 'std.fail' [ERROR]" in errors_only
    assert "prepare" not in errors_only

    everything = mistral("execution-get-report", ex_id, "--no-errors-only").out
    assert "Number of tasks in SUCCESS state: 1" in everything
    assert "task 'prepare' [SUCCESS] %s" % tasks["prepare"]["id"] in everything
    assert "action 'std.noop' [SUCCESS]" in everything

    stats = mistral("execution-get-report", ex_id, "--statistics-only").out
    assert "Number of tasks in ERROR state: 1" in stats
    assert "Workflow Execution Tree" not in stats

    shallow = mistral("execution-get-report", ex_id, "--no-errors-only", "--max-depth",
                      "0").out
    assert "task 'prepare'" in shallow


def test_sub_executions(mistral, mistral_server):
    parent, child = unique("parent"), unique("child")
    mistral_server.create_workflows(scenarios.parent_and_child(parent, child))
    ex_id = _create(mistral, parent)["ID"]
    ex = mistral_server.wait_execution(ex_id)
    assert ex["state"] == "SUCCESS", ex
    task_id = mistral_server.tasks(ex_id)["call_child"]["id"]

    subs = mistral("execution-get-sub-executions", ex_id)
    assert subs.table_headers == scenarios.EXECUTION_COLUMNS
    (sub,) = [r for r in subs.table_dicts() if r["ID"] != ex_id]
    assert sub["Workflow name"] == child
    assert sub["Task Execution ID"] == task_id
    assert sub["Root Execution ID"] == ex_id
    assert sub["State"] == "SUCCESS"

    by_task = mistral("execution-list", "--task", task_id, "-c", "ID", "-f", "value")
    assert by_task.lines == [sub["ID"]]
    assert json.loads(mistral("execution-get-output", sub["ID"]).out) == {"echoed": 42}
    failed = mistral("execution-get-sub-executions", ex_id, "--errors-only", "-f", "json")
    assert sub["ID"] not in [e["ID"] for e in failed.json]
