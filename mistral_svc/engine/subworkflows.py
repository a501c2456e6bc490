"""Workflow tasks: run sub-workflows and take their outcome back to the parent task.

A child execution is created in the parent's transaction. When it completes, the parent
hears of it through a cast sent after the child's transaction committed, and handles it
in a transaction of its own that locks only the parent: no transaction ever holds two
execution locks, so parents and children never deadlock.
"""

import logging

from mistral_svc import exceptions as exc
from mistral_svc.db import api as db_api, models, session as db_session
from mistral_svc.engine import policies, tasks
from mistral_svc.rpc import clients
from mistral_svc.workflow import states

LOG = logging.getLogger(__name__)


def start_children(wf_ex, wf_spec, task_ex, ctx, runtime, items, session):
    """Start the sub-workflow of ``task_ex`` (one per item for with-items)."""
    from mistral_svc.engine import workflows

    task_spec = wf_spec.task(task_ex.name)
    wf_name = task_spec.workflow
    if wf_name.startswith(("<%", "{{")):
        wf_name = tasks.evaluate(wf_name, ctx, runtime)
    params = {}
    env = (wf_ex.params or {}).get("env")
    if env:
        params["env"] = env
    if items is not None and not items:
        return tasks.complete(wf_ex, wf_spec, task_ex, states.SUCCESS, session, result=[])
    for index, item_vars in enumerate(items if items is not None else [{}]):
        wf_input = tasks.evaluate(task_spec.input, dict(ctx, **item_vars), runtime)
        if not isinstance(wf_input, dict):
            raise tasks.TaskFailure("the input of a workflow task must be a mapping")
        try:
            child = workflows.start(
                session, wf_name, wf_ex.workflow_namespace, wf_input,
                params=dict(params, index=index), task_ex=task_ex,
                project_id=wf_ex.project_id,
                root_execution_id=wf_ex.root_execution_id or wf_ex.id,
            )
        except exc.MistralError as e:
            raise tasks.TaskFailure(e.message)
        if wf_ex.state != states.RUNNING:
            break
        LOG.debug("started sub-workflow %s of task %s", child.id, task_ex.id)


def notify_parent(child):
    """Tell the parent of a completed child execution, once the child has committed."""
    if not child.task_execution_id:
        return
    child_id = child.id

    def send():
        try:
            clients.EngineClient().on_workflow_complete({}, child_id)
        except Exception:  # noqa: BLE001 - recovery finds parents left waiting
            LOG.exception("could not notify the parent of execution %s", child_id)

    db_session.after_commit(send)


def on_child_complete(child_id):
    """Engine handler: a sub-workflow finished; complete or advance its parent task."""
    with db_api.transaction() as session:
        child = db_api.get(models.WorkflowExecution, child_id)
        if not child.task_execution_id or not states.is_completed(child.state):
            return
        task_ex = db_api.get(models.TaskExecution, child.task_execution_id)
        wf_ex = db_api.lock_workflow_execution(task_ex.workflow_execution_id)
        session.refresh(task_ex)
        if task_ex.state != states.RUNNING:
            return  # a duplicate notice, or the task ended another way (timeout)
        wf_spec = tasks.workflow_spec(wf_ex)
        children = db_api.child_workflow_executions(task_ex.id)
        rc = task_ex.runtime_context or {}
        if rc.get("with_items"):
            done = [c for c in children if states.is_completed(c.state)]
            if len(done) < rc["count"]:
                return
            errors = [c for c in done if c.state != states.SUCCESS]
            tasks.set_rc(task_ex, done=len(done), errors=len(errors))
            return tasks.finish_items(wf_ex, wf_spec, task_ex, session)
        if child.state == states.SUCCESS:
            return policies.after_attempt(wf_ex, wf_spec, task_ex, states.SUCCESS, None,
                                          child.output or {}, session)
        if child.state == states.CANCELLED:
            task_ex.state = states.CANCELLED
            task_ex.state_info = child.state_info
            task_ex.finished_at = models.utcnow()
            from mistral_svc.engine import workflows

            return workflows.check_and_complete(wf_ex, wf_spec, session)
        info = child.state_info or "Failed subworkflow [execution_id=%s]" % child.id
        policies.after_attempt(wf_ex, wf_spec, task_ex, states.ERROR, info,
                               (child.output or {}).get("result"), session)
