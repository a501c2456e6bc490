"""Action executions outside workflows (run-action), and results reported over the API.

``run_sync`` and ``save_result`` behave as in Mistral: with neither, a synchronous
action runs at once and its result is returned without being stored; ``save_result``
alone stores the execution and returns it RUNNING (the result arrives later); both
run it at once and store it. An explicit ``run_sync: false`` also returns at once.
Asynchronous actions always return RUNNING and wait for a PUT of their result.
"""

import dataclasses

import oslo_messaging as messaging
import sqlalchemy as sa

from mistral_svc import exceptions as exc, expressions, redaction
from mistral_svc.db import api as db_api, models
from mistral_svc.engine import catalog as engine_catalog, sending, store, writer
from mistral_svc.lang import inputs as lang_inputs
from mistral_svc.rpc import clients
from mistral_svc.workflow import machines as M, records, states
from mistral_svc.workflow.delta import Delta
from mistral_svc.workflow.runtime import fmt_date
from mistral_svc.workflow.task_completing import record_result
from mistral_svc.workflow.view import LookupFailed


def _evaluate(data, ctx):
    return expressions.evaluate_recursively(data, ctx)


def _new_action_ex(ref, action_input, description, namespace, params, project_id):
    try:
        adhoc = ref.prepare(action_input, _evaluate)
    except lang_inputs.InputMismatch as e:
        raise exc.InputError(str(e))
    action_ex = records.ActionEx(
        id=models.new_id(),
        name=ref.name,
        description=description or "",
        workflow_namespace=namespace or "",
        accepted=False,
        is_sync=ref.is_sync,
        input=action_input,
        params=params,
        rt=records.ActionRuntime(adhoc=adhoc),
        project_id=project_id or "<default-project>",
        created_at=models.utcnow(),
    )
    M.transition("action", action_ex, M.CREATE)
    return action_ex


def _insert(session, action_ex):
    delta = Delta()
    delta.add(action_ex)
    writer.write(session, delta)


def _unsaved(action_ex):
    """What run-action answers for a result it was asked not to store."""
    return {
        "id": None,
        "name": action_ex.name,
        "description": action_ex.description,
        "workflow_namespace": action_ex.workflow_namespace,
        "state": action_ex.state,
        "state_info": redaction.mask_text(action_ex.state_info),
        "accepted": True,
        "input": action_ex.input,
        "output": action_ex.output,
        "params": action_ex.params,
        "created_at": fmt_date(action_ex.created_at),
        "updated_at": None,
    }


def _apply_outputs(action_ex, result):
    adhoc = action_ex.rt.adhoc
    if not adhoc or result.is_error() or result.cancel:
        return result
    try:
        data = engine_catalog.transform_output(adhoc.get("outputs") or [], result.data,
                                               _evaluate)
    except ValueError as e:
        return records.ActionResult(error=str(e))
    return records.ActionResult(data=data)


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
        try:
            ref = engine_catalog.DbCatalog(session).action(action_name, namespace)
            ref.check_input(action_input)
        except (LookupFailed, lang_inputs.InputMismatch) as e:
            raise exc.InputError(str(e))
        if run_sync and not ref.is_sync:
            raise exc.InputError("Action does not support synchronous execution.")
        action_ex = _new_action_ex(ref, action_input, description, namespace, params,
                                   (rpc_ctx or {}).get("project_id"))
        if run_sync is False or (not run_sync and (save or not ref.is_sync)):
            _insert(session, action_ex)
            sending.dispatch(action_ex, rpc_ctx, target=params.get("target"),
                             timeout=params.get("timeout"))
            return {"id": action_ex.id}
    name, base_input = sending.executor_target(action_ex)
    try:
        raw = clients.ExecutorClient().run_action_sync(
            dict(rpc_ctx or {}), name, base_input, sending.exec_context(action_ex, rpc_ctx),
            target=params.get("target"), timeout=params.get("timeout"))
    except messaging.MessagingTimeout:
        raise exc.Unavailable("No executor returned the result of %s in time" % action_name)
    record_result(action_ex, _apply_outputs(action_ex, records.ActionResult.from_dict(raw)))
    if not save:
        return _unsaved(action_ex)
    with db_api.transaction() as session:
        _insert(session, action_ex)
    return {"id": action_ex.id}


def load(session, action_ex_id):
    row = session.execute(sa.select(store.ACTIONS).where(
        store.ACTIONS.c.id == action_ex_id)).mappings().first()
    if row is None:
        raise exc.NotFound("Action execution not found [id=%s]" % action_ex_id)
    return records.ActionEx.from_row(row)


def complete_standalone(action_ex_id, result_dict):
    """The result of a standalone action (run-action) from its executor or the API."""
    with db_api.transaction() as session:
        action_ex = load(session, action_ex_id)
        delta = Delta()
        if record_result(action_ex, _apply_outputs(
                action_ex, records.ActionResult.from_dict(result_dict)), delta):
            writer.write(session, delta)


def resend_unacknowledged(action_ex_id, is_due):
    """Send a standalone action execution again if ``is_due(action_ex)`` (no executor
    acknowledged it: see ``recovery``); True when it was sent."""
    with db_api.transaction() as session:
        session.execute(sa.select(store.ACTIONS.c.id).where(
            store.ACTIONS.c.id == action_ex_id).with_for_update())
        action_ex = load(session, action_ex_id)
        if not is_due(action_ex):
            return False
        delta = Delta()
        delta.set(action_ex, rt=dataclasses.replace(action_ex.rt,
                                                    resends=action_ex.rt.resends + 1))
        writer.write(session, delta)
        params = action_ex.params or {}
        sending.dispatch(action_ex, None, target=params.get("target"),
                         timeout=params.get("timeout"), claim=True)
    return True


def update_action_state(action_ex_id, state):
    """A state change without a result (PUT with RUNNING or PAUSED)."""
    with db_api.transaction() as session:
        action_ex = load(session, action_ex_id)
        if action_ex.workflow_execution_id:
            store.lock_execution(session, action_ex.workflow_execution_id)
            action_ex = load(session, action_ex_id)
        if action_ex.state != state:
            delta = Delta()
            try:
                M.transition("action", action_ex,
                             M.event_between("action", action_ex.state, state), delta)
            except states.InvalidStateTransition as e:
                raise exc.InvalidStateChange(str(e))
            writer.write(session, delta)
    return {"id": action_ex_id}
