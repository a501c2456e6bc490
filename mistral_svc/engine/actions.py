"""Action executions: create them, send them to executors after commit, take results.

Executors never read the database, so everything an action needs travels in the
message: for an ad-hoc action that is its system base action and the base input the
engine evaluated from the ad-hoc action's ``base-input``. When the result comes back
the engine applies the ad-hoc ``output`` transformations before storing it.
"""

import functools
import logging
import threading

from mistral_svc import config, exceptions as exc, expressions
from mistral_svc.actions import adhoc, base as action_base, registry
from mistral_svc.db import api as db_api, models, session as db_session
from mistral_svc.rpc import clients, transport
from mistral_svc.services import actions as action_service, code_sources
from mistral_svc.workflow import states

CONF = config.CONF
LOG = logging.getLogger(__name__)

# Keys of the caller's RPC context an action may use (OpenStack actions use the token).
_SECURITY_KEYS = ("auth_token", "auth_uri", "project_id", "user_id", "user_name",
                  "project_name", "region_name", "is_admin")


class ActionNotFound(exc.InputError):
    """Action not found."""


def resolve(action_name, namespace=""):
    """What runs for ``action_name``: a system action's catalogue entry, an
    ``adhoc.AdHocAction`` (its chain down to a system action), or a dynamic action
    (``code_sources.DynamicAction``). ActionNotFound (an InputError) if there is no
    such action."""
    # Ad-hoc and dynamic actions cannot take a system action's name (in any namespace),
    # so the common case needs no database query.
    cls = registry.get(action_name)
    if cls is not None:
        return cls
    try:
        resolved = None
        if registry.provider_enabled("adhoc"):
            resolved = adhoc.build(action_name, namespace, action_service.find_adhoc,
                                   registry.get)
        if resolved is None:
            resolved = code_sources.find_dynamic(action_name, namespace)
    except action_base.ActionError as e:
        raise ActionNotFound(str(e))
    if resolved is None:
        raise ActionNotFound("Failed to find action [action_name=%s]" % action_name)
    return resolved


def validate_input(action_name, cls, params):
    """Raise InputError for missing or unexpected parameters, before anything runs."""
    params = params if isinstance(params, dict) else {}
    try:
        if isinstance(cls, adhoc.AdHocAction):
            cls.check_input(params)
        else:
            action_base.check_input(cls, params)
    except action_base.ActionError as e:
        raise exc.InputError(str(e))


def _evaluator(runtime):
    def evaluate(data, ctx):
        return expressions.evaluate_recursively(data, ctx, runtime)

    return evaluate


def prepare_adhoc(action, params, runtime=None):
    """The ``runtime_context["adhoc"]`` of an ad-hoc action execution: the system
    action to run, its evaluated input and the output transformations."""
    try:
        base_input = action.base_input(params, _evaluator(runtime))
    except action_base.ActionError as e:
        raise exc.InputError(str(e))
    return {"base": action.base_name, "base_input": base_input,
            "outputs": action.outputs()}


def new_action_execution(wf_ex, task_ex, action_name, params, index=0, state=states.RUNNING,
                         action=None):
    """An action execution row of a task (not yet flushed). ``action`` is what
    ``resolve`` returned; ad-hoc actions get their base input evaluated here."""
    runtime_context = {"index": index}
    if action is None and registry.get(action_name) is None:
        # Callers that re-create an action execution by name (reruns) pass no
        # resolution; ad-hoc actions still need theirs.
        action = resolve(action_name, wf_ex.workflow_namespace)
    if isinstance(action, adhoc.AdHocAction):
        from mistral_svc.engine.runtime import EngineRuntime

        runtime_context["adhoc"] = prepare_adhoc(action, params,
                                                 EngineRuntime(wf_ex, task_ex))
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
        is_sync=bool(getattr(action, "is_sync", True)),
        input=params,
        runtime_context=runtime_context,
        project_id=wf_ex.project_id,
        created_at=models.utcnow(),
    )


def callback_url():
    """Base URL of this deployment's API, for asynchronous actions to report back to."""
    host = CONF.api.host
    if host in ("0.0.0.0", "::", ""):
        host = CONF.host
    if ":" in host:
        host = "[%s]" % host
    return "http://%s:%d" % (host, CONF.api.port)


def executor_target(action_ex):
    """(system action name, its input) of ``action_ex``: what an executor runs."""
    spec = (action_ex.runtime_context or {}).get("adhoc")
    if spec:
        return spec["base"], spec["base_input"]
    return action_ex.name, action_ex.input or {}


def exec_context(action_ex, rpc_ctx=None):
    """The context an action's ``run`` receives."""
    rpc_ctx = rpc_ctx or {}
    return {
        "workflow_execution_id": action_ex.workflow_execution_id,
        "task_execution_id": action_ex.task_execution_id,
        "action_execution_id": action_ex.id,
        "workflow_name": action_ex.workflow_name,
        "task_name": action_ex.task_name,
        "callback_url": callback_url(),
        "security": {k: rpc_ctx[k] for k in _SECURITY_KEYS if rpc_ctx.get(k) is not None},
        # A dynamic action's code travels with it (executors read no database).
        **code_sources.exec_payload(action_ex.name, action_ex.workflow_namespace,
                                    action_ex.runtime_context),
    }


# Action executions sent in one message at most: a with-items task leaves in a few
# messages, yet several executors still share its items.
DISPATCH_CHUNK = 50


def dispatch(action_ex, rpc_ctx=None, safe_rerun=False, target=None, timeout=None):
    """Send ``action_ex`` to an executor once the current transaction has committed.

    Everything one transaction dispatches to the same target leaves together, in
    messages of up to ``DISPATCH_CHUNK`` action executions."""
    name, params = executor_target(action_ex)
    item = {"action_ex_id": action_ex.id, "action_name": name, "params": params,
            "safe_rerun": safe_rerun, "exec_ctx": exec_context(action_ex, rpc_ctx),
            "timeout": timeout}
    ctx = dict(rpc_ctx or {})
    key = ("dispatch", target, transport.context_key(ctx))
    db_session.after_commit_batch(key, item, functools.partial(_send, ctx, target))


def _send(ctx, target, items):
    client = clients.ExecutorClient()
    for start in range(0, len(items), DISPATCH_CHUNK):
        chunk = items[start:start + DISPATCH_CHUNK]
        try:
            if len(chunk) == 1:
                client.run_action(ctx, target=target, **chunk[0])
            else:
                client.run_actions(ctx, chunk, target=target)
        except Exception:  # noqa: BLE001 - recovery re-dispatches what was not sent
            LOG.exception("could not dispatch action executions %s",
                          ", ".join(i["action_ex_id"] for i in chunk))


def apply_outputs(action_ex, result, runtime=None):
    """``result`` after the ad-hoc output transformations of ``action_ex`` (a failed
    transformation turns it into an error)."""
    spec = (action_ex.runtime_context or {}).get("adhoc")
    if not spec or result.is_error() or result.cancel:
        return result
    try:
        data = adhoc.transform(spec.get("outputs") or [], result.data, _evaluator(runtime))
    except action_base.ActionError as e:
        return action_base.Result(error=str(e))
    return action_base.Result(data=data)


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


# Results waiting, per workflow execution, for the thread of this engine that is
# applying that execution's results (see ``_deliver``).
_mailboxes = {}
_draining = set()
_mailbox_lock = threading.Lock()
BATCH = 64


def on_action_complete(action_ex_id, result_dict):
    """Engine handler for one result whose workflow execution the sender did not say
    (the API's PUT, heartbeat re-sends)."""
    with db_api.transaction(read_only=True) as session:
        row = session.query(models.ActionExecution.workflow_execution_id).filter(
            models.ActionExecution.id == action_ex_id).first()
    if row is None:
        raise exc.NotFound("Action execution not found [id=%s]" % action_ex_id)
    if row[0] is None:
        return _complete_standalone(action_ex_id, result_dict)
    _deliver(row[0], [(action_ex_id, result_dict)])


def on_actions_complete(results):
    """Engine handler for executors' results: ``[action_ex_id, workflow_execution_id
    or None, result dict]`` items, applied per workflow execution."""
    by_wf_ex = {}
    for action_ex_id, wf_ex_id, result_dict in results:
        by_wf_ex.setdefault(wf_ex_id, []).append((action_ex_id, result_dict))
    for wf_ex_id, items in by_wf_ex.items():
        try:
            if wf_ex_id is None:
                for action_ex_id, result_dict in items:
                    _complete_standalone(action_ex_id, result_dict)
            else:
                _deliver(wf_ex_id, items)
        except Exception:  # noqa: BLE001 - the others still apply; executors re-send
            LOG.exception("could not apply results of workflow execution %s", wf_ex_id)


def _deliver(wf_ex_id, items):
    """Apply results of one workflow execution's actions.

    Results of one execution are applied one transaction at a time under its row lock,
    so when many arrive together (with-items, fan-out) they would queue on that lock.
    Instead the first thread to arrive drains every result that comes in for the
    execution meanwhile, up to ``BATCH`` per transaction; the other threads return at
    once. A result held only in memory here is not lost if this engine dies: its
    executor keeps it until an engine has settled it and sends it again.
    """
    with _mailbox_lock:
        _mailboxes.setdefault(wf_ex_id, []).extend(items)
        if wf_ex_id in _draining:
            return
        _draining.add(wf_ex_id)
    try:
        while True:
            with _mailbox_lock:
                pending = _mailboxes.get(wf_ex_id) or []
                batch, rest = pending[:BATCH], pending[BATCH:]
                if rest:
                    _mailboxes[wf_ex_id] = rest
                else:
                    _mailboxes.pop(wf_ex_id, None)
                if not batch:
                    _draining.discard(wf_ex_id)
                    return
            db_session.retry_on_deadlock(_apply_results)(wf_ex_id, batch)
    except BaseException:
        with _mailbox_lock:
            _draining.discard(wf_ex_id)
        raise


def _complete_standalone(action_ex_id, result_dict):
    """A standalone action run through the API (run-action)."""
    result = action_base.Result.from_dict(result_dict)
    with db_api.transaction():
        action_ex = db_api.get(models.ActionExecution, action_ex_id)
        wf_ex_id = action_ex.workflow_execution_id
        if wf_ex_id is None and action_ex.state not in states.COMPLETED:
            record_result(action_ex, apply_outputs(action_ex, result))
    if wf_ex_id is not None:
        # A sender that did not know the workflow execution.
        _deliver(wf_ex_id, [(action_ex_id, result_dict)])


def _apply_results(wf_ex_id, batch):
    """Apply results of one execution's actions in one transaction under its lock."""
    from mistral_svc.engine import tasks, workflows
    from mistral_svc.engine.runtime import EngineRuntime

    with db_api.transaction() as session:
        wf_ex = db_api.lock_workflow_execution(wf_ex_id)
        # The batch's action executions and their tasks, whatever their number.
        rows = db_api.action_executions_with_tasks({i for i, _ in batch})
        with workflows.deferred_completion(session):
            for action_ex_id, result_dict in batch:
                action_ex, task_ex = rows.get(action_ex_id, (None, None))
                if action_ex is None or action_ex.workflow_execution_id != wf_ex_id:
                    LOG.warning("result for unknown action execution %s of workflow "
                                "execution %s dropped", action_ex_id, wf_ex_id)
                    continue
                # Another engine may have taken this result first (duplicate delivery).
                if action_ex.state in states.COMPLETED:
                    continue
                result = action_base.Result.from_dict(result_dict)
                result = apply_outputs(action_ex, result, EngineRuntime(wf_ex, task_ex))
                if not record_result(action_ex, result):
                    continue
                if task_ex is None or task_ex.state not in (states.RUNNING,):
                    continue
                tasks.on_action_complete(wf_ex, task_ex, action_ex, result)
