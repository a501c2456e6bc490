"""Action executions outside workflows (run-action), and results reported over the API.

``run_sync`` and ``save_result`` behave as in Mistral: with neither, a synchronous
action runs at once and its result is returned without being stored; ``save_result``
alone stores the execution and returns it RUNNING (the result arrives later); both
run it at once and store it. An explicit ``run_sync: false`` also returns at once.
Asynchronous actions always return RUNNING and wait for a PUT of their result.
"""

import oslo_messaging as messaging

from mistral_svc import exceptions as exc
from mistral_svc.actions import adhoc, base as action_base
from mistral_svc.db import api as db_api, models
from mistral_svc.engine import actions
from mistral_svc.engine.runtime import fmt_date
from mistral_svc.rpc import clients
from mistral_svc.workflow import states


def _new_action_ex(action_name, action, action_input, description, namespace, params,
                   project_id):
    rc = {}
    if isinstance(action, adhoc.AdHocAction):
        rc["adhoc"] = actions.prepare_adhoc(action, action_input)
    return models.ActionExecution(
        id=models.new_id(),
        name=action_name,
        description=description or "",
        workflow_namespace=namespace or "",
        state=states.RUNNING,
        accepted=False,
        is_sync=bool(action.is_sync),
        input=action_input,
        params=params,
        runtime_context=rc,
        project_id=project_id or "<default-project>",
        created_at=models.utcnow(),
    )


def _unsaved(action_ex):
    """What run-action answers for a result it was asked not to store."""
    return {
        "id": None,
        "name": action_ex.name,
        "description": action_ex.description,
        "workflow_namespace": action_ex.workflow_namespace,
        "state": action_ex.state,
        "state_info": action_ex.state_info,
        "accepted": True,
        "input": action_ex.input,
        "output": action_ex.output,
        "params": action_ex.params,
        "created_at": fmt_date(action_ex.created_at),
        "updated_at": None,
    }


def start_action(rpc_ctx, action_name, action_input=None, description=None, namespace="",
                 params=None):
    """Run ``action_name`` outside a workflow; returns ``{"id": ...}`` of the stored
    action execution, or the whole unsaved execution as a dict (``"id": None``)."""
    params = dict(params or {})
    action_input = {} if action_input is None else action_input
    if not isinstance(action_input, dict):
        raise exc.InputError("Action input must be a JSON object")
    run_sync, save = params.get("run_sync"), params.get("save_result")
    with db_api.transaction() as session:
        action = actions.resolve(action_name, namespace)
        actions.validate_input(action_name, action, action_input)
        if run_sync and not action.is_sync:
            raise exc.InputError("Action does not support synchronous execution.")
        action_ex = _new_action_ex(action_name, action, action_input, description,
                                   namespace, params, (rpc_ctx or {}).get("project_id"))
        if run_sync is False or (not run_sync and (save or not action.is_sync)):
            session.add(action_ex)
            actions.dispatch(action_ex, rpc_ctx, target=params.get("target"),
                             timeout=params.get("timeout"))
            return {"id": action_ex.id}
    name, base_input = actions.executor_target(action_ex)
    try:
        raw = clients.ExecutorClient().run_action_sync(
            dict(rpc_ctx or {}), name, base_input, actions.exec_context(action_ex, rpc_ctx),
            target=params.get("target"), timeout=params.get("timeout"))
    except messaging.MessagingTimeout:
        raise exc.Unavailable("No executor returned the result of %s in time" % action_name)
    result = actions.apply_outputs(action_ex, action_base.Result.from_dict(raw))
    actions.record_result(action_ex, result)
    if not save:
        return _unsaved(action_ex)
    with db_api.transaction() as session:
        session.add(action_ex)
    return {"id": action_ex.id}


def complete_action(action_ex_id, result_dict):
    """A result reported through the API (PUT with SUCCESS, ERROR or CANCELLED)."""
    action_ex = db_api.get(models.ActionExecution, action_ex_id)
    if action_ex.state in states.COMPLETED:
        raise exc.InvalidStateChange(
            "Action execution %s is already complete (%s)" % (action_ex_id, action_ex.state))
    actions.on_action_complete(action_ex_id, result_dict)
    return {"id": action_ex_id}


def update_action_state(action_ex_id, state):
    """A state change without a result (PUT with RUNNING or PAUSED)."""
    with db_api.transaction() as session:
        action_ex = db_api.get(models.ActionExecution, action_ex_id)
        if action_ex.workflow_execution_id:
            db_api.lock_workflow_execution(action_ex.workflow_execution_id)
            session.refresh(action_ex)
        states.check("action", action_ex.state, state)
        action_ex.state = state
    return {"id": action_ex_id}
