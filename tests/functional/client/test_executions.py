"""python-mistralclient: executions, tasks, action executions and services."""

import json

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import unique

NO_ID = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def hello_wf(mc):
    (wf,) = mc.workflows.create(scenarios.hello(unique("hello")))
    return wf


@pytest.fixture
def waiting_wf(mc):
    (wf,) = mc.workflows.create(scenarios.waits(unique("waits")))
    return wf


def test_create_by_name_and_get(mc, mistral_server, hello_wf):
    ex = mc.executions.create(hello_wf.name, workflow_input={"who": "Ann"},
                              description="first run")
    assert ex.workflow_name == hello_wf.name
    assert ex.workflow_id == hello_wf.id
    assert ex.workflow_namespace == ""
    assert ex.description == "first run"
    assert ex.state in ("RUNNING", "SUCCESS")
    assert ex.task_execution_id is None
    assert json.loads(ex.input) == {"who": "Ann", "greeting": "Hello"}
    mistral_server.wait_execution(ex.id)

    done = mc.executions.get(ex.id)
    assert done.state == "SUCCESS"
    assert done.state_info is None
    assert json.loads(done.output) == {"msg": "Hello, Ann"}
    assert json.loads(done.published_global) == {}
    assert done.created_at and done.updated_at


def test_create_by_id_with_params_and_json_input(mc, mistral_server, hello_wf):
    ex = mc.executions.create(hello_wf.id, workflow_input='{"who": "Bo"}',
                              env={"colour": "blue"})
    assert ex.workflow_name == hello_wf.name
    mistral_server.wait_execution(ex.id)
    done = mc.executions.get(ex.id)
    assert json.loads(done.params)["env"] == {"colour": "blue"}
    assert json.loads(done.output) == {"msg": "Hello, Bo"}


def test_create_in_a_namespace_and_from_a_source(mc, mistral_server, api_error):
    name, ns = unique("hello"), unique("ns")
    mc.workflows.create(scenarios.hello(name), namespace=ns)
    with api_error(404):
        mc.executions.create(name, workflow_input={"who": "x"})
    ex = mc.executions.create(name, namespace=ns, workflow_input={"who": "Cy"})
    assert ex.workflow_namespace == ns
    mistral_server.wait_execution(ex.id)
    copy = mc.executions.create(source_execution_id=ex.id)
    assert copy.id != ex.id
    assert copy.workflow_name == name
    mistral_server.wait_execution(copy.id)
    assert json.loads(mc.executions.get(copy.id).output) == {"msg": "Hello, Cy"}


def test_create_errors(mc, hello_wf, api_error):
    with api_error(404) as err:
        mc.executions.create(unique("nope"))
    assert "Workflow not found" in err.message
    with api_error(400) as err:
        mc.executions.create(hello_wf.name)
    assert "Invalid input" in err.message and "who" in err.message
    with api_error(404) as err:
        mc.executions.get(NO_ID)
    assert "Execution not found" in err.message


def test_root_executions_only(mc, mistral_server, hello_wf):
    ex = mc.executions.create(hello_wf.name, workflow_input={"who": "Ed"})
    assert ex.root_execution_id is None
    roots = mc.executions.list(nulls="root_execution_id", workflow_name=hello_wf.name)
    assert [e.id for e in roots] == [ex.id]


def test_list_filters_sorting_and_pages(mc, mistral_server, hello_wf):
    ids = sorted(mc.executions.create(hello_wf.name, workflow_input={"who": w}).id
                 for w in ("Gil", "Hal", "Ida"))
    for ex_id in ids:
        mistral_server.wait_execution(ex_id)
    listed = mc.executions.list(workflow_name=hello_wf.name, sort_keys="id")
    assert [e.id for e in listed] == ids
    assert {e.state for e in listed} == {"SUCCESS"}
    desc = mc.executions.list(workflow_name=hello_wf.name, sort_keys="id", sort_dirs="desc")
    assert [e.id for e in desc] == ids[::-1]
    page = mc.executions.list(workflow_name=hello_wf.name, sort_keys="id", limit=1,
                              marker=ids[0])
    assert [e.id for e in page] == [ids[1]]
    assert mc.executions.list(workflow_name=hello_wf.name, state="ERROR") == []
    few = mc.executions.list(workflow_name=hello_wf.name, fields=["state"])
    assert {e.state for e in few} == {"SUCCESS"}
    assert not any(hasattr(e, "output") for e in few)


def test_update_state_description_and_env(mc, mistral_server, waiting_wf, api_error):
    ex = mc.executions.create(waiting_wf.name)
    mistral_server.wait_execution(ex.id, states=("RUNNING",))
    with api_error(400):
        mc.executions.update(ex.id, None, env={"a": 1})
    assert mc.executions.update(ex.id, "PAUSED").state == "PAUSED"
    updated = mc.executions.update(ex.id, None, env={"limit": 3})
    assert json.loads(updated.params)["env"] == {"limit": 3}
    assert mc.executions.update(ex.id, None, description="on hold").description == "on hold"
    assert mc.executions.update(ex.id, "RUNNING").state == "RUNNING"
    assert mc.executions.update(ex.id, "CANCELLED").state == "CANCELLED"
    with api_error(400) as err:
        mc.executions.update(ex.id, "RUNNING")
    assert "CANCELLED" in err.message


def test_delete(mc, mistral_server, hello_wf, waiting_wf, api_error):
    done = mc.executions.create(hello_wf.name, workflow_input={"who": "Kim"})
    mistral_server.wait_execution(done.id)
    mc.executions.delete(done.id)
    with api_error(404):
        mc.executions.get(done.id)
    running = mc.executions.create(waiting_wf.name)
    with api_error(403) as err:
        mc.executions.delete(running.id)
    assert "force" in err.message
    mc.executions.delete(running.id, force=True)
    with api_error(404):
        mc.executions.get(running.id)


def test_report(mc, mistral_server):
    name = unique("failing")
    mc.workflows.create(scenarios.failing(name))
    ex = mc.executions.create(name)
    mistral_server.wait_execution(ex.id)
    report = mc.executions.get_report(ex.id)
    assert report["statistics"]["error_tasks_count"] == 1
    root = report["root_workflow_execution"]
    assert (root["id"], root["name"], root["state"]) == (ex.id, name, "ERROR")
    (task,) = root["task_executions"]
    assert (task["name"], task["state"], task["state_info"]) == ("explode", "ERROR",
                                                                  "it broke")
    assert [a["name"] for a in task["action_executions"]] == ["std.fail"]

    full = mc.executions.get_report(ex.id, errors_only=False)
    assert full["statistics"]["success_tasks_count"] == 1
    assert sorted(t["name"] for t in full["root_workflow_execution"]["task_executions"]) \
        == ["explode", "prepare"]
    stats = mc.executions.get_report(ex.id, statistics_only=True)
    assert set(stats) == {"statistics"}


def test_sub_executions(mc, mistral_server):
    parent, child = unique("parent"), unique("child")
    mc.workflows.create(scenarios.parent_and_child(parent, child))
    ex = mc.executions.create(parent)
    assert mistral_server.wait_execution(ex.id)["state"] == "SUCCESS"
    (task,) = mc.tasks.list(ex.id)
    assert task.type == "WORKFLOW"

    listed = mc.executions.get_ex_sub_executions(ex.id)
    assert listed[0].id == ex.id  # as in Mistral, the tree starts with the execution
    subs = listed[1:]
    assert [e.workflow_name for e in subs] == [child]
    sub = subs[0]
    assert sub.task_execution_id == task.id
    assert sub.root_execution_id == ex.id
    assert json.loads(mc.executions.get(sub.id).output) == {"echoed": 42}
    assert [e.id for e in mc.executions.list(task=task.id)] == [sub.id]
    assert [e.id for e in mc.tasks.get_task_sub_executions(task.id)] == [sub.id]
    assert mc.tasks.get_task_sub_executions(task.id, errors_only=True) == []
    assert json.loads(mc.tasks.get(task.id).published) == {"from_child": 42}


def test_tasks(mc, mistral_server, hello_wf, api_error):
    ex = mc.executions.create(hello_wf.name, workflow_input={"who": "Lu"})
    mistral_server.wait_execution(ex.id)
    tasks = {t.name: t for t in mc.tasks.list(ex.id)}
    assert sorted(tasks) == ["finish", "greet"]
    greet = tasks["greet"]
    assert greet.workflow_execution_id == ex.id
    assert greet.workflow_name == hello_wf.name
    assert greet.workflow_id == hello_wf.id
    assert greet.state == "SUCCESS"
    assert greet.type == "ACTION"
    assert greet.started_at and greet.finished_at

    got = mc.tasks.get(greet.id)
    assert json.loads(got.result) == "Hello, Lu"
    assert json.loads(got.published) == {"msg": "Hello, Lu"}
    assert json.loads(mc.tasks.get(tasks["finish"].id).result) is None

    by_filter = mc.tasks.list(workflow_execution_id=ex.id, name="greet")
    assert [t.id for t in by_filter] == [greet.id]
    assert len(mc.tasks.list(ex.id, limit=1)) == 1
    assert mc.tasks.list(ex.id, state="ERROR") == []
    with api_error(404) as err:
        mc.tasks.get(NO_ID)
    assert "Task execution not found" in err.message


def test_task_rerun_with_env(mc, mistral_server, api_error):
    name = unique("needs_env")
    mc.workflows.create(scenarios.needs_env(name))
    ex = mc.executions.create(name)
    assert mistral_server.wait_execution(ex.id)["state"] == "ERROR"
    (task,) = mc.tasks.list(ex.id)
    assert task.state == "ERROR" and "word" in task.state_info

    rerun = mc.tasks.rerun(task.id, env={"word": "again"})
    assert rerun.id == task.id
    assert rerun.state in ("RUNNING", "SUCCESS")  # it may have finished already
    assert mistral_server.wait_execution(ex.id)["state"] == "SUCCESS"
    assert json.loads(mc.tasks.get(task.id).result) == "again"
    with api_error(400):
        mc.tasks.rerun(task.id)


def test_action_executions(mc, mistral_server, hello_wf, api_error):
    ex = mc.executions.create(hello_wf.name, workflow_input={"who": "Mo"})
    mistral_server.wait_execution(ex.id)
    greet = {t.name: t for t in mc.tasks.list(ex.id)}["greet"]

    (a_ex,) = mc.action_executions.list(greet.id)
    assert a_ex.name == "std.echo"
    assert a_ex.task_name == "greet"
    assert a_ex.task_execution_id == greet.id
    assert a_ex.workflow_name == hello_wf.name
    assert a_ex.state == "SUCCESS"
    assert a_ex.accepted is True

    got = mc.action_executions.get(a_ex.id)
    assert json.loads(got.input) == {"output": "Hello, Mo"}
    assert json.loads(got.output) == {"result": "Hello, Mo"}
    assert got.state_info is None

    listed = mc.action_executions.list(task_execution_id=greet.id, limit=5)
    assert [a.id for a in listed] == [a_ex.id]
    assert len(mc.action_executions.list(limit=1)) == 1
    with api_error(404) as err:
        mc.action_executions.get(NO_ID)
    assert "Action execution not found" in err.message


def test_failed_action_execution(mc, mistral_server):
    name = unique("failing")
    mc.workflows.create(scenarios.failing(name))
    ex = mc.executions.create(name)
    mistral_server.wait_execution(ex.id)
    explode = {t.name: t for t in mc.tasks.list(ex.id)}["explode"]
    (a_ex,) = mc.action_executions.list(explode.id)
    assert a_ex.state == "ERROR"
    got = mc.action_executions.get(a_ex.id)
    assert "it broke" in got.state_info


def test_services(mc):
    # python-mistralclient 6 has no services manager; its HTTP client still reaches
    # the endpoint the `mistral service-list` command of older releases read.
    resp = mc.workflows.http_client.get("/services")
    assert resp.status_code == 200
    services = resp.json()["services"]
    assert {"api_group", "engine_group", "executor_group", "scheduler_group"} <= {
        s["type"] for s in services}
    assert all(set(s) == {"name", "type"} for s in services)
