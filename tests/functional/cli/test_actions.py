"""action-* commands, run-action, action-execution-update and action-execution-delete."""

import json

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import controller_missing, unique

actions_pending = pytest.mark.skipif(
    controller_missing("actions"), reason="/v2/actions is not implemented yet")
runs_pending = pytest.mark.skipif(
    controller_missing("action_executions", "post", "ActionExecutionsController"),
    reason="POST/PUT/DELETE /v2/action_executions are not implemented yet")


def _create_action(mistral, definition_file, name, *options):
    return mistral("action-create", definition_file(scenarios.adhoc_action(name)),
                   *options, "-f", "json").json


@actions_pending
def test_system_action_get_and_list(mistral):
    echo = mistral("action-get", "std.echo")
    fields = echo.show_fields()
    assert list(fields) == scenarios.ACTION_COLUMNS
    assert fields["Name"] == "std.echo"
    assert fields["Is system"] == "True"
    assert fields["Input"].startswith("output")

    listed = mistral("action-list", "--filter", "name=std.noop")
    assert listed.table_headers == scenarios.ACTION_COLUMNS
    (row,) = listed.table_dicts()
    assert row["Name"] == "std.noop"
    assert row["Is system"] == "True"
    std = mistral("action-list", "--filter", "name=in:std.echo,std.fail,std.noop",
                  "--sort_keys", "name", "-c", "Name", "-f", "value")
    assert std.lines == ["std.echo", "std.fail", "std.noop"]
    assert len(mistral("action-list", "--limit", "5", "-f", "json").json) == 5


@actions_pending
def test_adhoc_action_lifecycle(mistral, definition_file):
    name = unique("act")
    created = mistral("action-create", definition_file(scenarios.adhoc_action(name)))
    assert created.table_headers == scenarios.ACTION_COLUMNS
    (row,) = created.table_dicts()
    assert row["Name"] == name
    assert row["Is system"] == "False"
    assert row["Input"] == 'who, punctuation="!"'
    assert row["Tags"] == "greeting"

    shown = mistral("action-get", name, "-f", "json").json
    assert shown["ID"] == row["ID"]
    assert shown["Description"] == "Says hello to someone"
    assert mistral("action-get", row["ID"], "-f", "json").json["Name"] == name
    text = mistral("action-get-definition", name).out
    assert text == scenarios.adhoc_action(name)

    only = mistral("action-list", "--filter", "is_system=false", "--filter",
                   "name=%s" % name, "-c", "Name", "-f", "value")
    assert only.lines == [name]

    changed = scenarios.adhoc_action(name).replace('punctuation: "!"', 'punctuation: "?"')
    (updated,) = mistral("action-update", definition_file(changed), "-f", "json").json
    assert updated["ID"] == row["ID"]
    assert updated["Input"] == 'who, punctuation="?"'

    deleted = mistral("action-delete", name)
    assert deleted.lines == ["Request to delete action %s has been accepted." % name]
    assert "not found" in mistral("action-get", name, expect=1).err.lower()


@actions_pending
def test_action_in_a_namespace_and_public(mistral, definition_file):
    name, ns = unique("act"), unique("ns")
    (row,) = _create_action(mistral, definition_file, name, "--namespace", ns, "--public")
    assert row["Name"] == name
    mistral("action-get", name, expect=1)
    assert mistral("action-get", name, "--namespace", ns, "-f", "json").json["ID"] == row["ID"]
    mistral("action-delete", name, "--namespace", ns)


@actions_pending
def test_action_validate_and_errors(mistral, definition_file):
    good = mistral("action-validate", definition_file(scenarios.adhoc_action(unique("a"))))
    assert good.show_fields() == {"Valid": "True", "Error": "None"}
    broken = "---\nversion: '2.0'\nbroken:\n  input: [x]\n"
    bad = mistral("action-validate", definition_file(broken), "-f", "json").json
    assert bad["Valid"] is False and bad["Error"]
    refused = mistral("action-create", definition_file(broken), expect=1)
    assert refused.err.strip()

    system = mistral("action-delete", "std.echo", expect=1)
    assert "std.echo" in system.err and "not found" in system.err.lower()
    assert "Unable to delete the specified action(s)." in system.err


@runs_pending
def test_run_action_prints_the_result(mistral):
    result = mistral("run-action", "std.echo", '{"output": "hi there"}')
    assert json.loads(result.out) == {"result": "hi there"}
    sync = mistral("run-action", "std.echo", '{"output": [1, 2]}', "--run-sync")
    assert json.loads(sync.out) == {"result": [1, 2]}


@runs_pending
@actions_pending
def test_run_adhoc_action(mistral, definition_file):
    name = unique("act")
    _create_action(mistral, definition_file, name)
    result = mistral("run-action", name, '{"who": "Zed"}')
    assert json.loads(result.out) == {"result": "Hello, Zed!"}


@runs_pending
def test_run_action_saved_then_listed(mistral):
    saved = mistral("run-action", "std.echo", '{"output": "kept"}', "--save-result")
    fields = saved.show_fields()
    assert list(fields) == scenarios.ACTION_EXECUTION_COLUMNS
    assert fields["Name"] == "std.echo"
    assert fields["Task name"] == "None"
    a_ex_id = fields["ID"]
    assert mistral("action-execution-get", a_ex_id, "-f", "json").json["ID"] == a_ex_id
    assert json.loads(mistral("action-execution-get-input", a_ex_id).out) == {
        "output": "kept"}


@runs_pending
def test_run_action_errors(mistral):
    missing = unique("no_such_action")
    unknown = mistral("run-action", missing, expect=1)
    assert "find action" in unknown.err and missing in unknown.err
    bad = mistral("--os-mistral-url", "http://127.0.0.1:9/v2", "run-action", "std.echo",
                  "{oops", expect=1, url=False)
    assert "not valid JSON" in bad.err and "Unable to connect" not in bad.err


@runs_pending
def test_update_and_delete_an_async_action_execution(mistral, mistral_server):
    started = mistral("run-action", "std.async_noop", "--save-result", "-f", "json").json
    a_ex_id = started["ID"]
    assert started["State"] == "RUNNING"

    updated = mistral("action-execution-update", a_ex_id, "--state", "SUCCESS",
                      "--output", '{"answer": 42}')
    fields = updated.show_fields()
    assert list(fields) == scenarios.ACTION_EXECUTION_COLUMNS
    assert fields["State"] == "SUCCESS"
    assert json.loads(mistral("action-execution-get-output", a_ex_id).out) == {
        "result": {"answer": 42}}

    deleted = mistral("action-execution-delete", a_ex_id)
    assert deleted.lines == [
        "Request to delete action execution %s has been accepted." % a_ex_id]
    mistral("action-execution-get", a_ex_id, expect=1)


@runs_pending
def test_completing_a_workflow_action_resumes_the_workflow(mistral, mistral_server):
    name = unique("waits")
    mistral_server.create_workflows(scenarios.waits(name))
    ex = mistral_server.start_execution(name)
    mistral_server.wait_execution(ex["id"], states=("RUNNING",))
    task = mistral_server.tasks(ex["id"])["hold"]
    (a_ex,) = mistral("action-execution-list", task["id"], "-f", "json").json
    assert a_ex["Name"] == "std.async_noop"

    mistral("action-execution-update", a_ex["ID"], "--state", "SUCCESS", "--output", '"ok"')
    assert mistral_server.wait_execution(ex["id"])["state"] == "SUCCESS"
    refused = mistral("action-execution-delete", a_ex["ID"], expect=1)
    assert "Unable to delete the specified action execution(s)." in refused.err


@runs_pending
def test_action_execution_update_errors(mistral):
    nothing = mistral("action-execution-update", "00000000-0000-0000-0000-000000000000",
                      expect=1)
    assert "state or output" in nothing.err
    missing = mistral("action-execution-update", "00000000-0000-0000-0000-000000000000",
                      "--state", "SUCCESS", expect=1)
    assert "not found" in missing.err.lower()


def test_an_empty_action_execution_list_is_one_row_of_empty_cells(mistral):
    # As ``mistral`` shows it (OpenStack's CLI tests count that row).
    listed = mistral("action-execution-list", "--filter", "name=" + unique("none"),
                     "-f", "json").json
    assert [any(r.values()) for r in listed] == [False]
