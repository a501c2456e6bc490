"""python-mistralclient: actions, action runs, workbooks, environments, cron triggers,
members and event triggers."""

import json

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import controller_missing, unique

NO_ID = "00000000-0000-0000-0000-000000000000"

actions_pending = pytest.mark.skipif(
    controller_missing("actions"), reason="/v2/actions is not implemented yet")
runs_pending = pytest.mark.skipif(
    controller_missing("action_executions", "post", "ActionExecutionsController"),
    reason="POST/PUT/DELETE /v2/action_executions are not implemented yet")
workbooks_pending = pytest.mark.skipif(
    controller_missing("workbooks"), reason="/v2/workbooks is not implemented yet")
environments_pending = pytest.mark.skipif(
    controller_missing("environments"), reason="/v2/environments is not implemented yet")
cron_pending = pytest.mark.skipif(
    controller_missing("cron_triggers"), reason="/v2/cron_triggers is not implemented yet")
members_pending = pytest.mark.skipif(
    controller_missing("members"), reason="resource members are not implemented yet")
event_triggers_pending = pytest.mark.skipif(
    controller_missing("event_triggers"),
    reason="/v2/event_triggers is not implemented yet")


# -- actions -------------------------------------------------------------------------


@actions_pending
def test_system_actions(mc):
    echo = mc.actions.get("std.echo")
    assert echo.name == "std.echo"
    assert echo.is_system is True
    assert echo.input.startswith("output")
    assert echo.description
    listed = mc.actions.list(name="in:std.echo,std.fail,std.noop", sort_keys="name")
    assert [a.name for a in listed] == ["std.echo", "std.fail", "std.noop"]
    assert len(mc.actions.list(limit=3)) == 3


@actions_pending
def test_adhoc_action_lifecycle(mc, api_error):
    name = unique("act")
    (action,) = mc.actions.create(scenarios.adhoc_action(name))
    assert action.name == name
    assert action.is_system is False
    assert action.input == 'who, punctuation="!"'
    assert action.tags == ["greeting"]
    assert action.description == "Says hello to someone"
    assert action.scope == "private"

    got = mc.actions.get(name)
    assert got.id == action.id
    assert got.definition == scenarios.adhoc_action(name)
    assert mc.actions.get(action.id).name == name
    assert [a.name for a in mc.actions.list(is_system=False, name=name)] == [name]

    changed = scenarios.adhoc_action(name).replace('punctuation: "!"', 'punctuation: "?"')
    (updated,) = mc.actions.update(changed)
    assert updated.id == action.id
    assert updated.input == 'who, punctuation="?"'

    assert mc.actions.validate(changed)["valid"] is True
    assert mc.actions.validate("---\nversion: '2.0'\nbroken:\n  input: [x]\n")[
        "valid"] is False

    mc.actions.delete(name)
    with api_error(404):
        mc.actions.get(name)
    with api_error(404):
        mc.actions.delete("std.echo")


@actions_pending
def test_action_in_a_namespace(mc, api_error):
    name, ns = unique("act"), unique("ns")
    (action,) = mc.actions.create(scenarios.adhoc_action(name), namespace=ns,
                                  scope="public")
    assert action.scope == "public"
    with api_error(404):
        mc.actions.get(name)
    assert mc.actions.get(name, namespace=ns).id == action.id
    assert [a.name for a in mc.actions.list(namespace=ns, is_system=False)] == [name]
    mc.actions.delete(name, namespace=ns)
    with api_error(404):
        mc.actions.get(name, namespace=ns)


# -- running actions ---------------------------------------------------------------


@runs_pending
def test_run_action(mc, api_error):
    a_ex = mc.action_executions.create("std.echo", {"output": "hi"})
    assert json.loads(a_ex.output) == {"result": "hi"}
    sync = mc.action_executions.create("std.echo", {"output": [1]}, run_sync=True)
    assert json.loads(sync.output) == {"result": [1]}
    with api_error(400) as err:
        mc.action_executions.create(unique("no_such_action"))
    assert "find action" in err.message


@runs_pending
@actions_pending
def test_run_adhoc_action(mc):
    name = unique("act")
    mc.actions.create(scenarios.adhoc_action(name))
    a_ex = mc.action_executions.create(name, {"who": "Zed"})
    assert json.loads(a_ex.output) == {"result": "Hello, Zed!"}


@runs_pending
def test_saved_async_action_update_and_delete(mc, api_error):
    a_ex = mc.action_executions.create("std.async_noop", save_result=True)
    assert a_ex.state == "RUNNING"
    assert a_ex.name == "std.async_noop"
    assert a_ex.accepted is False
    assert mc.action_executions.get(a_ex.id).state == "RUNNING"

    done = mc.action_executions.update(a_ex.id, state="SUCCESS", output={"answer": 42})
    assert done.state == "SUCCESS"
    assert json.loads(mc.action_executions.get(a_ex.id).output) == {
        "result": {"answer": 42}}
    mc.action_executions.delete(a_ex.id)
    with api_error(404):
        mc.action_executions.get(a_ex.id)
    with api_error(404):
        mc.action_executions.update(NO_ID, state="SUCCESS")


@runs_pending
def test_completing_a_workflow_action(mc, mistral_server, api_error):
    name = unique("waits")
    mc.workflows.create(scenarios.waits(name))
    ex = mc.executions.create(name)
    mistral_server.wait_execution(ex.id, states=("RUNNING",))
    (task,) = mc.tasks.list(ex.id)
    (a_ex,) = mc.action_executions.list(task.id)
    mc.action_executions.update(a_ex.id, state="ERROR", output="gave up")
    done = mistral_server.wait_execution(ex.id)
    assert done["state"] == "ERROR"
    assert "gave up" in mc.tasks.get(task.id).state_info
    with api_error(403):
        mc.action_executions.delete(a_ex.id)


# -- workbooks -----------------------------------------------------------------------


@workbooks_pending
def test_workbook_lifecycle(mc, mistral_server, api_error):
    name = unique("book")
    text = scenarios.workbook(name)
    wb = mc.workbooks.create(text)
    assert wb.name == name
    assert wb.tags == ["book"]
    assert wb.scope == "private"
    assert wb.namespace == ""
    assert wb.definition == text

    ex = mc.executions.create("%s.wb_flow" % name)
    assert mistral_server.wait_execution(ex.id)["state"] == "SUCCESS"
    (task,) = mc.tasks.list(ex.id)
    assert json.loads(mc.tasks.get(task.id).published) == {"said": "fromwb"}

    assert mc.workbooks.get(name).definition == text
    assert name in [w.name for w in mc.workbooks.list()]
    assert mc.workbooks.validate(text)["valid"] is True

    changed = text.replace("tags: [book]", "tags: [book, v2]")
    updated = mc.workbooks.update(changed)
    assert updated.tags == ["book", "v2"]
    assert mc.workbooks.get(name).definition == changed

    mc.workbooks.delete(name)
    with api_error(404):
        mc.workbooks.get(name)
    # As in Mistral, the workbook's workflows outlive it.
    assert mc.workflows.get("%s.wb_flow" % name).name == "%s.wb_flow" % name
    mc.workflows.delete("%s.wb_flow" % name)


@workbooks_pending
def test_workbook_in_a_namespace(mc, api_error):
    name, ns = unique("book"), unique("ns")
    wb = mc.workbooks.create(scenarios.workbook(name), namespace=ns, scope="public")
    assert (wb.namespace, wb.scope) == (ns, "public")
    with api_error(404):
        mc.workbooks.get(name)
    assert mc.workbooks.get(name, namespace=ns).name == name
    assert [w.name for w in mc.workbooks.list(namespace=ns)] == [name]
    mc.workbooks.delete(name, namespace=ns)


# -- environments --------------------------------------------------------------------


@environments_pending
def test_environment_lifecycle(mc, mistral_server, tmp_path, api_error):
    name = unique("env")
    env = mc.environments.create(name=name, description="test env",
                                 variables={"word": "from-env", "n": 3})
    assert env.name == name
    assert env.description == "test env"
    assert env.variables == {"word": "from-env", "n": 3}
    assert env.scope == "private"

    got = mc.environments.get(name)
    assert got.variables == {"word": "from-env", "n": 3}
    assert name in [e.name for e in mc.environments.list()]

    wf_name = unique("needs_env")
    mc.workflows.create(scenarios.needs_env(wf_name))
    ex = mc.executions.create(wf_name, env=name)
    assert mistral_server.wait_execution(ex.id)["state"] == "SUCCESS"

    path = tmp_path / "env.yaml"
    path.write_text("name: %s\nvariables:\n  word: bye\n" % name)
    updated = mc.environments.update(file=str(path))
    assert updated.variables == {"word": "bye"}
    assert updated.updated_at

    mc.environments.delete(name)
    with api_error(404):
        mc.environments.get(name)
    with api_error(404):
        mc.environments.delete(name)


# -- cron triggers -------------------------------------------------------------------


@cron_pending
def test_cron_trigger_lifecycle(mc, api_error):
    (wf,) = mc.workflows.create(scenarios.hello(unique("hello")))
    name = unique("trigger")
    trigger = mc.cron_triggers.create(name, wf.name, {"who": "cron"}, {"env": {"a": 1}},
                                      pattern="0 5 * * *", count=3)
    assert trigger.name == name
    assert trigger.workflow_name == wf.name
    assert trigger.workflow_id == wf.id
    assert trigger.pattern == "0 5 * * *"
    assert trigger.remaining_executions == 3
    assert trigger.next_execution_time.endswith("05:00:00")
    assert json.loads(trigger.workflow_input) == {"who": "cron"}
    assert json.loads(trigger.workflow_params) == {"env": {"a": 1}}

    assert mc.cron_triggers.get(name).id == trigger.id
    assert [t.name for t in mc.cron_triggers.list(name=name)] == [name]

    by_id = mc.cron_triggers.create(unique("trigger"), wf.id, {"who": "x"},
                                    first_time="2099-01-01 10:00")
    assert by_id.next_execution_time == "2099-01-01 10:00:00"
    assert by_id.remaining_executions == 1

    with api_error(400):
        mc.cron_triggers.create(unique("trigger"), wf.name, {"who": "x"},
                                pattern="bad pattern")
    with api_error(409):
        mc.cron_triggers.create(name, wf.name, {"who": "x"}, pattern="0 5 * * *")
    mc.cron_triggers.delete(name)
    mc.cron_triggers.delete(by_id.name)
    with api_error(404):
        mc.cron_triggers.get(name)


# -- members -------------------------------------------------------------------------


@members_pending
def test_members_need_authentication(mc, api_error):
    (wf,) = mc.workflows.create(scenarios.failing(unique("wf")))
    with api_error(400) as err:
        mc.members.list(wf.id, "workflow")
    assert "authentication enabled" in err.message
    with api_error(400):
        mc.members.create(wf.id, "workflow", "other")


# -- event triggers ------------------------------------------------------------------


@event_triggers_pending
def test_event_trigger_lifecycle(mc, api_error):
    (wf,) = mc.workflows.create(scenarios.hello(unique("hello")))
    name = unique("event")
    trigger = mc.event_triggers.create(name, wf.id, "nova", "notifications",
                                       "compute.instance.create.end", {"who": "event"})
    assert trigger.name == name
    assert trigger.workflow_id == wf.id
    assert (trigger.exchange, trigger.topic) == ("nova", "notifications")
    assert trigger.event == "compute.instance.create.end"
    assert mc.event_triggers.get(trigger.id).name == name
    assert trigger.id in [t.id for t in mc.event_triggers.list()]
    mc.event_triggers.delete(trigger.id)
    with api_error(404):
        mc.event_triggers.get(trigger.id)
