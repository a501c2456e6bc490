"""Execution trees for the API: sub-executions and the execution report."""

from mistral_svc.db import api as db_api, models
from mistral_svc.workflow.runtime import fmt_date
from mistral_svc.workflow import states


def _children_of_task(task_ex_id):
    return db_api.child_workflow_executions(task_ex_id)


def sub_executions(wf_ex_id, errors_only=False, max_depth=-1):
    """The tree of executions from ``wf_ex_id`` down, depth-first, as Mistral lists it:
    the execution itself first, then what each of its tasks started, up to
    ``max_depth`` levels below it (negative: no limit). With ``errors_only`` only the
    tasks in ERROR are followed."""
    return _execution_tree(db_api.get(models.WorkflowExecution, wf_ex_id), errors_only,
                           max_depth, 0)


def task_sub_executions(task_ex_id, errors_only=False, max_depth=-1):
    """The executions a task started, each with its own tree below it (see
    ``sub_executions``); nothing for a task not in ERROR when ``errors_only``."""
    return _task_tree(db_api.get(models.TaskExecution, task_ex_id), errors_only,
                      max_depth, 0)


def _execution_tree(wf_ex, errors_only, max_depth, depth):
    if 0 <= max_depth < depth:
        return []
    out = [wf_ex]
    for t in db_api.task_executions(wf_ex.id):
        out.extend(_task_tree(t, errors_only, max_depth, depth + 1))
    return out


def _task_tree(task_ex, errors_only, max_depth, depth):
    if task_ex.type != "WORKFLOW" or (errors_only and task_ex.state != states.ERROR):
        return []
    out = []
    for child in _children_of_task(task_ex.id):
        out.extend(_execution_tree(child, errors_only, max_depth, depth))
    return out


def _entry(row, **extra):
    data = {
        "id": row.id,
        "name": row.name,
        "state": row.state,
        "state_info": row.state_info,
        "created_at": fmt_date(row.created_at),
        "updated_at": fmt_date(row.updated_at),
    }
    data.update(extra)
    return data


def build_report(wf_ex_id, errors_only=False, max_depth=-1):
    """The execution report: a tree of workflow, task and action executions with
    counts of tasks by state."""
    stats = {"total_tasks_count": 0, "running_tasks_count": 0, "success_tasks_count": 0,
             "error_tasks_count": 0, "idle_tasks_count": 0, "paused_tasks_count": 0}
    counted = {states.RUNNING: "running_tasks_count", states.SUCCESS: "success_tasks_count",
               states.ERROR: "error_tasks_count", states.IDLE: "idle_tasks_count",
               states.PAUSED: "paused_tasks_count"}
    reverted = {states.REVERTED: 0, states.REVERT_FAILED: 0}

    def workflow(wf_ex, depth):
        entry = _entry(wf_ex)
        if 0 <= max_depth < depth:
            return entry
        entry["task_executions"] = []
        for t in db_api.task_executions(wf_ex.id):
            if errors_only and t.state != states.ERROR:
                continue
            stats["total_tasks_count"] += 1
            if t.state in counted:
                stats[counted[t.state]] += 1
            elif t.state in reverted:
                reverted[t.state] += 1
            t_entry = _entry(t, action_executions=[], workflow_executions=[])
            retry_no = (t.runtime_context or {}).get("retry_no")
            if retry_no:
                t_entry["retry_count"] = retry_no
            if t.type == "WORKFLOW":
                t_entry["workflow_executions"] = [
                    workflow(c, depth + 1) for c in _children_of_task(t.id)]
            else:
                t_entry["action_executions"] = [
                    _entry(a, last_heartbeat=fmt_date(a.last_heartbeat))
                    for a in db_api.action_executions(t.id)]
            entry["task_executions"].append(t_entry)
        return entry

    root = db_api.get(models.WorkflowExecution, wf_ex_id)
    tree = workflow(root, 0)
    # Counts of reverted tasks appear only where something was reverted, so reports
    # of executions that do not use revert keep Mistral's shape.
    for state, key in ((states.REVERTED, "reverted_tasks_count"),
                       (states.REVERT_FAILED, "revert_failed_tasks_count")):
        if reverted[state]:
            stats[key] = reverted[state]
    return {"root_workflow_execution": tree, "statistics": stats}
