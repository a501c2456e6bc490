"""Execution trees for the API: sub-executions and the execution report."""

from mistral_svc.db import api as db_api, models
from mistral_svc.workflow.runtime import fmt_date
from mistral_svc.workflow import states


def _children_of_task(task_ex_id):
    return db_api.child_workflow_executions(task_ex_id)


_CHUNK = 500


def _chunks(ids):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def sub_executions(wf_ex_id, errors_only=False, max_depth=-1):
    """The tree of executions from ``wf_ex_id`` down, depth-first, as Mistral lists it:
    the execution itself first, then what each of its tasks started, up to
    ``max_depth`` levels below it (negative: no limit). With ``errors_only`` only the
    tasks in ERROR are followed."""
    root = db_api.get(models.WorkflowExecution, wf_ex_id)
    return _rows_in_order(_tree_ids([root.id], errors_only, max_depth))


def task_sub_executions(task_ex_id, errors_only=False, max_depth=-1):
    """The executions a task started, each with its own tree below it (see
    ``sub_executions``); nothing for a task not in ERROR when ``errors_only``."""
    task_ex = db_api.get(models.TaskExecution, task_ex_id)
    if task_ex.type != "WORKFLOW" or (errors_only and task_ex.state != states.ERROR):
        return []
    roots = [c.id for c in _children_of_task(task_ex.id)]
    return _rows_in_order(_tree_ids(roots, errors_only, max_depth))


def _tree_ids(root_ids, errors_only, max_depth):
    """Ids of ``root_ids`` (at depth 0) and of everything below them, depth-first.

    The tree is read level by level (one light query per level and chunk of ids) and
    put in order with an explicit stack, never recursively: a tree of any depth
    neither exhausts the interpreter's stack nor costs a query per task."""
    children = {}
    with db_api.transaction(read_only=True) as session:
        frontier, depth = list(root_ids), 0
        while frontier and not 0 <= max_depth < depth + 1:
            level = _child_ids(session, frontier, errors_only)
            children.update(level)
            frontier = [c for kids in level.values() for c in kids]
            depth += 1
    out = []
    stack = list(reversed(root_ids))
    while stack:
        ex_id = stack.pop()
        out.append(ex_id)
        stack.extend(reversed(children.get(ex_id, ())))
    return out


def _child_ids(session, parent_ids, errors_only):
    """``{parent id: [child ids]}``: the executions the tasks of ``parent_ids`` started
    (only tasks in ERROR with ``errors_only``), in task then creation order."""
    w, t = models.WorkflowExecution, models.TaskExecution
    out = {}
    for chunk in _chunks(parent_ids):
        q = (session.query(t.workflow_execution_id, w.id)
             .join(w, w.task_execution_id == t.id)
             .filter(t.workflow_execution_id.in_(chunk), t.type == "WORKFLOW"))
        if errors_only:
            q = q.filter(t.state == states.ERROR)
        for parent_id, child_id in q.order_by(t.created_at, w.created_at):
            out.setdefault(parent_id, []).append(child_id)
    return out


def _rows_in_order(ids):
    """Whole rows (every column, for API answers) of executions ``ids``, in that order."""
    found = {}
    for chunk in _chunks(ids):
        for row in db_api.workflow_executions_by_ids(chunk):
            found[row.id] = row
    return [found[i] for i in ids if i in found]


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


# The report nests four JSON levels per sub-workflow level; past this many sub-workflow
# levels its workflows are listed without their tasks, so any tree can be encoded.
REPORT_MAX_DEPTH = 100


def build_report(wf_ex_id, errors_only=False, max_depth=-1):
    """The execution report: a tree of workflow, task and action executions with
    counts of tasks by state, at most ``REPORT_MAX_DEPTH`` sub-workflow levels deep."""
    if max_depth < 0 or max_depth > REPORT_MAX_DEPTH:
        max_depth = REPORT_MAX_DEPTH
    stats = {"total_tasks_count": 0, "running_tasks_count": 0, "success_tasks_count": 0,
             "error_tasks_count": 0, "idle_tasks_count": 0, "paused_tasks_count": 0}
    counted = {states.RUNNING: "running_tasks_count", states.SUCCESS: "success_tasks_count",
               states.ERROR: "error_tasks_count", states.IDLE: "idle_tasks_count",
               states.PAUSED: "paused_tasks_count"}
    reverted = {states.REVERTED: 0, states.REVERT_FAILED: 0}

    # Entries are made in order and filled in later from a stack of pending ones, so
    # the walk needs no recursion however deep the tree is.
    pending = []

    def workflow(wf_ex, depth):
        entry = _entry(wf_ex)
        if not 0 <= max_depth < depth:
            entry["task_executions"] = []
            pending.append((wf_ex, depth, entry))
        return entry

    def fill(wf_ex, depth, entry):
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

    root = db_api.get(models.WorkflowExecution, wf_ex_id)
    tree = workflow(root, 0)
    while pending:
        fill(*pending.pop())
    # Counts of reverted tasks appear only where something was reverted, so reports
    # of executions that do not use revert keep Mistral's shape.
    for state, key in ((states.REVERTED, "reverted_tasks_count"),
                       (states.REVERT_FAILED, "revert_failed_tasks_count")):
        if reverted[state]:
            stats[key] = reverted[state]
    return {"root_workflow_execution": tree, "statistics": stats}
