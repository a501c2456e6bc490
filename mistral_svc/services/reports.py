"""Execution trees for the API: sub-executions and the execution report."""

from mistral_svc.db import api as db_api, models
from mistral_svc.workflow.runtime import fmt_date
from mistral_svc.workflow import states


def _children_of_task(task_ex_id):
    return db_api.child_workflow_executions(task_ex_id)


def sub_executions(wf_ex_id, errors_only=False, max_depth=-1):
    """Every execution started below ``wf_ex_id`` (depth-first), up to ``max_depth``
    levels (negative: no limit); with ``errors_only`` only those in ERROR."""
    out = []

    def walk(ex_id, depth):
        if 0 <= max_depth < depth:
            return
        for t in db_api.task_executions(ex_id):
            if t.type != "WORKFLOW":
                continue
            for child in _children_of_task(t.id):
                if not errors_only or child.state == states.ERROR:
                    out.append(child)
                walk(child.id, depth + 1)

    db_api.get(models.WorkflowExecution, wf_ex_id)
    walk(wf_ex_id, 1)
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
