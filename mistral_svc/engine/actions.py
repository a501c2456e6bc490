"""Action executions: create them, send them to executors after commit, take results.

Executors never read the database, so everything an action needs (its resolved class
name and evaluated input) travels in the message.
"""

import logging

from mistral_svc import exceptions as exc
from mistral_svc.actions import base as action_base, registry
from mistral_svc.db import api as db_api, models, session as db_session
from mistral_svc.rpc import clients
from mistral_svc.workflow import states

LOG = logging.getLogger(__name__)


class ActionNotFound(exc.InputError):
    """Action not found."""


def resolve(action_name, namespace=""):
    """The system action class for ``action_name``; ActionNotFound otherwise."""
    cls = registry.get(action_name)
    if cls is None:
        raise ActionNotFound("Failed to find action [action_name=%s]" % action_name)
    return cls


def validate_input(action_name, cls, params):
    """Raise InputError for missing or unexpected parameters, before anything runs."""
    try:
        action_base.check_input(cls, params if isinstance(params, dict) else {})
    except action_base.ActionError as e:
        raise exc.InputError(str(e))


def new_action_execution(wf_ex, task_ex, action_name, params, index=0, state=states.RUNNING):
    """An action execution row of a task (not yet flushed)."""
    return models.ActionExecution(
        id=models.new_id(),
        name=action_name,
        workflow_name=wf_ex.workflow_name,
        workflow_namespace=wf_ex.workflow_namespace,
        task_name=task_ex.name,
        task_execution_id=task_ex.id,
        workflow_execution_id=wf_ex.id,
        state=state,
        accepted=False,
        is_sync=True,
        input=params,
        runtime_context={"index": index},
        project_id=wf_ex.project_id,
        created_at=models.utcnow(),
    )


def dispatch(action_ex, rpc_ctx=None, safe_rerun=False, target=None):
    """Send ``action_ex`` to an executor once the current transaction has committed."""
    exec_ctx = {
        "workflow_execution_id": action_ex.workflow_execution_id,
        "task_execution_id": action_ex.task_execution_id,
        "action_execution_id": action_ex.id,
        "workflow_name": action_ex.workflow_name,
        "task_name": action_ex.task_name,
    }
    args = (dict(rpc_ctx or {}), action_ex.id, action_ex.name, action_ex.input or {})

    def send():
        try:
            clients.ExecutorClient().run_action(
                *args, safe_rerun=safe_rerun, exec_ctx=exec_ctx, target=target
            )
        except Exception:  # noqa: BLE001 - recovery re-dispatches what was not sent
            LOG.exception("could not dispatch action execution %s", action_ex.id)

    db_session.after_commit(send)


def record_result(action_ex, result):
    """Store a result on ``action_ex``; False if it was already complete (a duplicate)."""
    if action_ex.state in states.COMPLETED:
        return False
    new_state = states.ERROR if result.is_error() else states.SUCCESS
    if result.cancel:
        new_state = states.CANCELLED
    states.check("action", action_ex.state, new_state)
    action_ex.state = new_state
    action_ex.output = {"result": result.error if result.is_error() else result.data}
    if result.is_error():
        action_ex.state_info = _error_text(result.error)
    action_ex.accepted = True
    return True


def _error_text(error):
    return error if isinstance(error, str) else str(error)


def on_action_complete(action_ex_id, result_dict):
    """Engine handler for an executor's (or the API's) result of an action execution."""
    from mistral_svc.engine import tasks

    result = action_base.Result.from_dict(result_dict)
    with db_api.transaction() as session:
        action_ex = db_api.get(models.ActionExecution, action_ex_id)
        wf_ex_id = action_ex.workflow_execution_id
        if wf_ex_id is None:
            # A standalone action run through the API (run-action).
            record_result(action_ex, result)
            return
        wf_ex = db_api.lock_workflow_execution(wf_ex_id)
        # Re-read under the lock: another engine may have taken this result first.
        session.refresh(action_ex)
        if not record_result(action_ex, result):
            return
        task_ex = db_api.get(models.TaskExecution, action_ex.task_execution_id)
        if task_ex.state not in (states.RUNNING,):
            return
        tasks.on_action_complete(wf_ex, task_ex, action_ex, result)
