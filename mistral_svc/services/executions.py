"""Execution housekeeping the API asks for outside the engine: env updates, deletion."""

from mistral_svc import exceptions as exc
from mistral_svc.db import api as db_api, models
from mistral_svc.workflow import records, states
from mistral_svc.workflow.runtime import result_of


def task_result(task_row):
    """A task's result as ``task-get-result`` shows it (see ``runtime.result_of``)."""
    task_ex = records.TaskEx.from_row(task_row.to_dict())
    if task_ex.type == "WORKFLOW":
        children = [records.ChildEx(w.id, w.state, w.state_info, w.output,
                                    revert=bool((w.params or {}).get("revert")))
                    for w in db_api.child_workflow_executions(task_row.id)]
        return result_of(task_ex, [], children)
    actions = [records.ActionEx.from_row(a.to_dict())
               for a in db_api.action_executions(task_row.id, undefer=("output",))]
    return result_of(task_ex, actions, [])


def update_env(wf_ex_id, env):
    """Merge ``env`` into the execution's environment (allowed while it is not running
    actions against the old one: PAUSED, or IDLE)."""
    if not isinstance(env, dict):
        raise exc.InputError("params.env must be a JSON object, not %s"
                             % type(env).__name__)
    with db_api.transaction():
        wf_ex = db_api.lock_workflow_execution(wf_ex_id)
        if wf_ex.state not in (states.PAUSED, states.IDLE, states.ERROR):
            raise exc.InputError(
                "The environment can only be updated while the execution is PAUSED, "
                "IDLE or ERROR [state=%s]" % wf_ex.state)
        params = dict(wf_ex.params or {})
        params["env"] = dict(params.get("env") or {}, **env)
        wf_ex.params = params
        return wf_ex


def update_description(wf_ex_id, description):
    """Set an execution's description (allowed in any state)."""
    with db_api.transaction():
        db_api.update(db_api.get(models.WorkflowExecution, wf_ex_id),
                      {"description": description})


def delete_action_execution(action_ex_id):
    """Delete a finished action execution run outside a workflow; those of tasks belong
    to their execution's record and stay (403)."""
    with db_api.transaction():
        row = db_api.get(models.ActionExecution, action_ex_id)
        if row.task_execution_id or row.workflow_execution_id:
            raise exc.NotAllowed("Only ad-hoc action execution can be deleted.")
        if row.state not in states.COMPLETED:
            raise exc.NotAllowed("Only completed action execution can be deleted.")
        db_api.delete(row)


def delete(wf_ex_id, force=False):
    """Delete an execution with its tasks, action executions and sub-workflows."""
    with db_api.transaction() as session:
        wf_ex = db_api.get(models.WorkflowExecution, wf_ex_id)
        if not force and not states.is_completed(wf_ex.state):
            raise exc.NotAllowed(
                "Only completed executions can be deleted. Use force to override this "
                "behavior. [execution_id=%s, state=%s]" % (wf_ex.id, wf_ex.state))
        _delete_tree(session, wf_ex.id)


# Ids per IN (...) list: well inside every database's limit on bound parameters.
_CHUNK = 500


def _chunks(ids):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _delete_tree(session, wf_ex_id):
    """Delete an execution and everything below it, found level by level (one query
    per level and chunk, no recursion) and deleted deepest level first."""
    levels = [[wf_ex_id]]
    seen = {wf_ex_id}
    while levels[-1]:
        below = []
        for ids in _chunks(levels[-1]):
            task_ids = [t.id for t in session.query(models.TaskExecution.id)
                        .filter(models.TaskExecution.workflow_execution_id.in_(ids))]
            for task_chunk in _chunks(task_ids):
                for child in (session.query(models.WorkflowExecution.id)
                              .filter(models.WorkflowExecution.task_execution_id
                                      .in_(task_chunk))):
                    if child.id not in seen:
                        seen.add(child.id)
                        below.append(child.id)
        levels.append(below)
    for level in reversed(levels):
        for ids in _chunks(level):
            session.query(models.ActionExecution).filter(
                models.ActionExecution.workflow_execution_id.in_(ids)).delete(
                synchronize_session=False)
            session.query(models.TaskExecution).filter(
                models.TaskExecution.workflow_execution_id.in_(ids)).delete(
                synchronize_session=False)
            session.query(models.WorkflowExecution).filter(
                models.WorkflowExecution.id.in_(ids)).delete(synchronize_session=False)
