"""A workflow that calls itself ends at [engine] max_subworkflow_depth with a clear
failure, and trees of executions deeper than the interpreter's recursion limit can be
listed, reported and deleted (every walk is iterative)."""

import sys

import pytest

from mistral_svc import config
from mistral_svc.db import api as db_api, models

LIMIT = 5


@pytest.fixture(scope="module", autouse=True)
def small_depth(service):
    config.CONF.set_override("max_subworkflow_depth", LIMIT, group="engine")
    yield
    config.CONF.clear_override("max_subworkflow_depth", group="engine")


def _tree(api, root_id):
    """The executions below ``root_id`` (the listing starts with the execution itself)."""
    listed = api.get("/v2/executions/%s/executions" % root_id)["executions"]
    assert listed[0]["id"] == root_id
    return listed[1:]


def test_a_workflow_whose_first_task_calls_itself_fails_at_the_limit(api, unique):
    name = "wf_self_" + unique
    api.create_workflow("version: '2.0'\n%s:\n  tasks:\n    again:\n      workflow: %s\n"
                        % (name, name))
    root = api.start(name)  # not a 500
    ex = api.wait(root["id"], timeout=60)
    assert ex["state"] == "ERROR"
    below = _tree(api, root["id"])
    assert len(below) == LIMIT
    # The failure travels up: every level, the root too, says why.
    assert "Sub-workflow depth limit exceeded" in ex["state_info"]
    deepest = below[-1]  # listed depth-first
    assert _tree(api, deepest["id"]) == []
    tasks = api.tasks(deepest["id"])
    assert "Sub-workflow depth limit exceeded: %s would run %d levels below its " \
           "top-level execution ([engine] max_subworkflow_depth = %d)" \
           % (name, LIMIT + 1, LIMIT) in tasks["again"]["state_info"]
    assert all(e["state"] == "ERROR" for e in below)


def test_fan_out_recursion_is_bounded_too(api, unique):
    name = "wf_fan_" + unique
    api.create_workflow("version: '2.0'\n%s:\n  tasks:\n    left:\n      workflow: %s\n"
                        "    right:\n      workflow: %s\n" % (name, name, name))
    root = api.start(name)
    ex = api.wait(root["id"], timeout=120)
    assert ex["state"] == "ERROR"
    assert len(_tree(api, root["id"])) <= 2 ** (LIMIT + 1)


@pytest.fixture
def deep_tree(service):
    """A chain of executions deeper than the recursion limit, as a tree from before the
    depth limit (or one built with a higher limit) would be."""
    depth = sys.getrecursionlimit() + 200
    now = models.utcnow()
    wfs, tasks = [], []
    parent_task = None
    root_id = models.new_id()
    for i in range(depth):
        wf_id = root_id if i == 0 else models.new_id()
        task_id = models.new_id()
        wfs.append({"id": wf_id, "name": "deep", "workflow_name": "deep", "state": "SUCCESS",
                    "task_execution_id": parent_task,
                    "root_execution_id": None if i == 0 else root_id,
                    "created_at": now, "updated_at": now, "params": {}, "tags": []})
        tasks.append({"id": task_id, "name": "down", "workflow_execution_id": wf_id,
                      "workflow_name": "deep", "type": "WORKFLOW", "state": "SUCCESS",
                      "created_at": now, "updated_at": now, "runtime_context": {}})
        parent_task = task_id
    with db_api.transaction() as session:
        session.execute(models.WorkflowExecution.__table__.insert(), wfs)
        session.execute(models.TaskExecution.__table__.insert(), tasks)
    return root_id, depth, tasks[0]["id"]


def test_deep_trees_are_listed_reported_and_deleted(api, deep_tree):
    root_id, depth, first_task = deep_tree
    assert len(_tree(api, root_id)) == depth - 1
    assert len(api.get("/v2/tasks/%s/executions" % first_task)["executions"]) == depth - 1
    report = api.get("/v2/executions/%s/report" % root_id)
    assert report["statistics"]["total_tasks_count"] > 0
    api.delete("/v2/executions/%s" % root_id)
    api.get("/v2/executions/%s" % root_id, status=404)
    with db_api.transaction(read_only=True) as session:
        left = session.query(models.WorkflowExecution).filter_by(
            root_execution_id=root_id).count()
    assert left == 0
