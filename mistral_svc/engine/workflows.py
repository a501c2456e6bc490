"""Workflow executions: start, complete (output), fail, pause, resume, cancel."""

import contextlib
import datetime
import itertools
import logging

import sqlalchemy as sa

from mistral_svc import exceptions as exc, lang
from mistral_svc.db import api as db_api, models
from mistral_svc.engine import tasks
from mistral_svc.engine.runtime import EngineRuntime, fmt_date
from mistral_svc.workflow import controller, direct, states

LOG = logging.getLogger(__name__)


def spec_of(wf_ex):
    """The execution's ``WorkflowSpec``, parsed once per definition version."""
    return lang.workflow_spec((wf_ex.spec_checksum, wf_ex.workflow_name),
                              lambda: wf_ex.spec)


def check_definition_input(wf_def, wf_input):
    """The same check against a stored definition (triggers check at creation time,
    so they accept exactly the input a start would)."""
    spec = lang.workflow_spec((wf_def.checksum, wf_def.name), lambda: wf_def.spec)
    return _check_input(spec, wf_input or {})


def _check_input(wf_spec, wf_input):
    declared = {p["name"] for p in wf_spec.input}
    missing = [p["name"] for p in wf_spec.input
               if "default" not in p and p["name"] not in wf_input]
    unexpected = [k for k in wf_input if k not in declared]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append("missing=%s" % missing)
        if unexpected:
            parts.append("unexpected=%s" % unexpected)
        raise exc.InputError(
            "Invalid input [name=%s, class=WorkflowSpec, %s]" % (wf_spec.name, ", ".join(parts))
        )
    full = {p["name"]: p.get("default") for p in wf_spec.input}
    full.update(wf_input)
    return full


def _environment(params):
    env = params.get("env")
    if env is None or isinstance(env, dict):
        return env
    if isinstance(env, str):
        row = db_api.find(models.Environment, name=env)
        if row is None:
            raise exc.InputError("Environment is not found: %s" % env)
        return row.variables
    raise exc.InputError("Unexpected value type for environment: %s" % type(env).__name__)


def start(session, wf_identifier, wf_namespace="", wf_input=None, description="",
          params=None, task_ex=None, project_id=None, root_execution_id=None,
          exact_namespace=False):
    """Create and start a workflow execution; returns the new row. The definition is
    looked up in ``wf_namespace``, then in the default one unless ``exact_namespace``
    (a namespace given through the API is exact; sub-workflows fall back)."""
    wf_def = db_api.get_by_id_or_name(models.WorkflowDefinition, wf_identifier, wf_namespace,
                                      exact=exact_namespace)
    wf_spec = lang.workflow_spec((wf_def.checksum, wf_def.name), lambda: wf_def.spec)
    if not isinstance(wf_input or {}, dict):
        raise exc.InputError("workflow input must be a JSON object")
    wf_input = _check_input(wf_spec, dict(wf_input or {}))
    params = dict(params or {})
    env = _environment(params)
    if env is not None:
        params["env"] = env
    if wf_spec.type == "reverse" and not params.get("task_name"):
        raise exc.InputError("reverse workflows need params.task_name")
    wf_ex = models.WorkflowExecution(
        id=models.new_id(),
        name=wf_def.name,
        description=description or "",
        workflow_name=wf_def.name,
        workflow_namespace=wf_def.namespace,
        workflow_id=wf_def.id,
        spec=wf_spec.to_dict(),
        spec_checksum=wf_def.checksum,
        state=states.RUNNING,
        tags=wf_spec.get("tags") or [],
        input=wf_input,
        params=params,
        output={},
        context={},
        task_execution_id=task_ex.id if task_ex else None,
        cron_trigger_id=params.get("cron_trigger_id"),
        project_id=project_id or wf_def.project_id,
        created_at=models.utcnow(),
    )
    # As upstream: a top-level execution has no root id; sub-workflows carry the top one.
    wf_ex.root_execution_id = root_execution_id
    session.add(wf_ex)
    ctx = dict(wf_input)
    if wf_spec.vars:
        ctx.update(tasks.evaluate(wf_spec.vars, ctx, EngineRuntime(wf_ex)))
    wf_ex.context = ctx
    session.flush()
    try:
        cmds = controller.start_commands(wf_spec, params)
    except ValueError as e:
        raise exc.InputError(str(e))
    for cmd in cmds:
        if wf_ex.state != states.RUNNING:
            break
        tasks.run(wf_ex, wf_spec, cmd, session)
    check_and_complete(wf_ex, wf_spec, session)
    return wf_ex


def stored_columns(wf_ex, columns):
    """``{column: value}`` of ``wf_ex`` for the names in ``columns``, dates as the API
    shows them: what a caller on the other side of RPC would otherwise read back."""
    out = {}
    for name in columns:
        value = getattr(wf_ex, name)
        out[name] = fmt_date(value) if isinstance(value, datetime.datetime) else value
    return out


def check_and_complete(wf_ex, wf_spec, session):
    """Complete the execution once no task is left running or waiting.

    Inside ``deferred_completion`` the check is made once, when the block ends."""
    deferred = session.info.get(_DEFERRED)
    if deferred is not None:
        deferred[wf_ex.id] = (wf_ex, wf_spec)
        return
    if wf_ex.state != states.RUNNING or _active_task_in_session(wf_ex.id, session):
        return
    session.flush()
    counts = db_api.incomplete_task_counts(wf_ex.id)
    if counts:
        # Only joins left waiting can be stranded; anything else still active will
        # bring the execution further by itself.
        if set(counts) != {states.WAITING}:
            return
        _fail_stranded_joins(wf_ex, wf_spec, session)
        if db_api.count_incomplete_tasks(wf_ex.id):
            return
    # Every task, with what the output needs: the outcome and the output in one query.
    task_rows = db_api.task_executions(wf_ex.id, undefer=("in_context", "published"))
    cancelled = [t for t in task_rows if t.state == states.CANCELLED]
    unhandled = 0 if cancelled else sum(
        1 for t in task_rows
        if t.state == states.ERROR and t.error_handled is not None and not t.error_handled)
    outcome = direct.workflow_outcome(unhandled, cancelled=bool(cancelled))
    if outcome == states.CANCELLED:
        cancel(wf_ex, "Cancelled tasks: %s" % ", ".join(sorted(t.name for t in cancelled)))
    elif outcome == states.ERROR:
        fail(wf_ex, wf_spec, session, _fail_message(wf_ex))
    else:
        succeed(wf_ex, wf_spec, session, task_rows=task_rows)


_DEFERRED = "deferred_completion"


@contextlib.contextmanager
def deferred_completion(session):
    """Check executions for completion once, after a whole batch of results.

    A batch applies many results in one transaction; checking after each one would
    query the incomplete tasks each time (fan-outs and joins leave a waiting join behind
    every branch), while the answer can only change once the batch is applied: nothing
    else touches the execution while this transaction holds its lock."""
    if session.info.get(_DEFERRED) is not None:
        yield
        return
    deferred = session.info[_DEFERRED] = {}
    try:
        yield
    finally:
        session.info.pop(_DEFERRED, None)
    for wf_ex, wf_spec in deferred.values():
        check_and_complete(wf_ex, wf_spec, session)


def _active_task_in_session(wf_ex_id, session):
    """True if this transaction holds a task of the execution that is still active
    (not completed, not a waiting join): the execution then cannot be complete, and
    the common case (a task finished, the next one started) needs no query."""
    for obj in itertools.chain(session.new, session.identity_map.values()):
        if isinstance(obj, models.TaskExecution):
            loaded = sa.inspect(obj).dict
            if (loaded.get("workflow_execution_id") == wf_ex_id
                    and loaded.get("state") not in _NOT_ACTIVE):
                return True
    return False


_NOT_ACTIVE = frozenset(states.COMPLETED) | {states.WAITING, None}


def _fail_stranded_joins(wf_ex, wf_spec, session):
    """Joins still WAITING when nothing else is active can never fire: they fail (and
    their on-error/on-complete clauses run) instead of leaving the execution RUNNING."""
    waiting = db_api.task_executions(wf_ex.id, states_in=[states.WAITING],
                                     undefer=("in_context",))
    for t in waiting:
        arrived = (t.runtime_context or {}).get("arrived") or []
        t.state = states.ERROR
        t.state_info = (
            "Join of task '%s' can not be satisfied: %d of %d inbound branches arrived"
            % (t.name, len(arrived), direct.join_required(wf_spec, t.name)))
        t.finished_at = models.utcnow()
        tasks.process_transitions(wf_ex, wf_spec, t, session)


def _fail_message(wf_ex):
    failed = sorted(
        (t for t in db_api.task_executions(wf_ex.id, states_in=[states.ERROR])
         if not t.error_handled),
        key=lambda t: t.name,
    )
    msg = "Failure caused by error in tasks: %s\n" % ", ".join(t.name for t in failed)
    for t in failed:
        msg += "\n  %s [task_ex_id=%s] -> %s\n" % (t.name, t.id, t.state_info)
        for i, a in enumerate(db_api.action_executions(t.id, undefer=("output",))):
            if a.state == states.ERROR:
                msg += "    [action_ex_id=%s, idx=%s]: %s\n" % (
                    a.id, i, (a.output or {}).get("result", "Unknown"))
    return msg


def final_context(wf_ex, task_rows=None):
    """What the last tasks of every branch carried: their published data merged.
    ``task_rows``: all the execution's tasks, if the caller has them already."""
    ctx = {}
    rows = task_rows
    if rows is None:
        rows = db_api.task_executions(wf_ex.id, undefer=("in_context", "published"))
    for t in rows:
        rc = t.runtime_context or {}
        if t.state in states.COMPLETED and not rc.get("next"):
            ctx.update(t.in_context or {})
            ctx.update(t.published or {})
    return ctx


def _set_state(wf_ex, state, state_info=None):
    states.check("workflow", wf_ex.state, state)
    wf_ex.state = state
    wf_ex.state_info = state_info
    if states.is_completed(state) and wf_ex.task_execution_id:
        from mistral_svc.engine import subworkflows

        subworkflows.notify_parent(wf_ex)


def cancel(wf_ex, msg):
    """End an execution as CANCELLED (a task or sub-workflow of it was cancelled)."""
    if states.is_completed(wf_ex.state):
        return
    wf_ex.output = {"result": msg}
    _set_state(wf_ex, states.CANCELLED, msg)


def succeed(wf_ex, wf_spec, session, msg=None, task_rows=None):
    ctx = dict(wf_ex.context or {})
    ctx.pop("__global", None)
    ctx.update(final_context(wf_ex, task_rows))
    output = None
    if wf_spec.output:
        try:
            output = tasks.evaluate(wf_spec.output, ctx, EngineRuntime(wf_ex))
        except tasks.TaskFailure as e:
            return fail(wf_ex, wf_spec, session, "Failed to evaluate workflow output: %s" % e)
    wf_ex.output = output or ctx
    _set_state(wf_ex, states.SUCCESS, msg)


def fail(wf_ex, wf_spec, session, msg):
    if states.is_completed(wf_ex.state):
        return
    output = {"result": msg}
    if wf_spec.output_on_error:
        ctx = dict(wf_ex.context or {})
        ctx.update(final_context(wf_ex))
        try:
            extra = tasks.evaluate(wf_spec.output_on_error, ctx, EngineRuntime(wf_ex))
            if isinstance(extra, dict):
                output.update(extra)
        except tasks.TaskFailure:
            pass
    wf_ex.output = output
    _set_state(wf_ex, states.ERROR, msg)


def end_by_command(wf_ex, wf_spec, cmd, session):
    """Apply an engine command from a transition: fail, succeed or pause."""
    if cmd.kind == "fail":
        msg = cmd.msg or "Workflow failed by task '%s'" % cmd.task_name
        fail(wf_ex, wf_spec, session, msg)
    elif cmd.kind == "succeed":
        succeed(wf_ex, wf_spec, session, cmd.msg)
    elif cmd.kind == "pause":
        _set_state(wf_ex, states.PAUSED, cmd.msg)


def _active_children(session, wf_ex_id, child_states):
    """Sub-workflow executions of the execution's running tasks, in ``child_states``."""
    task_ids = [t.id for t in db_api.task_executions(
        wf_ex_id, states_in=[states.RUNNING, states.RUNNING_DELAYED])]
    if not task_ids:
        return []
    return (session.query(models.WorkflowExecution)
            .filter(models.WorkflowExecution.task_execution_id.in_(task_ids))
            .filter(models.WorkflowExecution.state.in_(child_states)).all())


def _cascade(method, wf_ex_id, **kwargs):
    """Apply engine ``method`` to a related execution by a cast sent after commit: each
    execution is then changed in a transaction holding its own lock only."""
    from mistral_svc.rpc import clients

    def send():
        try:
            clients.EngineClient().cast(method, wf_ex_id=wf_ex_id, **kwargs)
        except Exception:  # noqa: BLE001 - best effort: the target may have ended
            LOG.warning("could not %s execution %s", method, wf_ex_id, exc_info=True)

    db_api.db_session.after_commit(send)


def pause_by_policy(wf_ex, task_name):
    """pause-before: the workflow pauses just before ``task_name`` starts."""
    _set_state(wf_ex, states.PAUSED, "Paused by pause-before of task '%s'" % task_name)


def pause(session, wf_ex_id):
    """Pause an execution and, through casts, its running sub-workflows."""
    wf_ex = db_api.lock_workflow_execution(wf_ex_id)
    if wf_ex.state == states.PAUSED:
        return wf_ex
    _transition_or_400(wf_ex, states.PAUSED)
    for child in _active_children(session, wf_ex.id, [states.RUNNING]):
        _cascade("pause_workflow", child.id)
    return wf_ex


def resume(session, wf_ex_id, env=None):
    """Resume a paused execution: held tasks start, held transitions run, paused
    sub-workflows resume, and a paused parent resumes too."""
    wf_ex = db_api.lock_workflow_execution(wf_ex_id)
    if wf_ex.state == states.RUNNING:
        return wf_ex
    if wf_ex.state != states.PAUSED:
        raise exc.InvalidStateChange(
            "Can't resume workflow execution %s in state %s" % (wf_ex.id, wf_ex.state))
    wf_spec = spec_of(wf_ex)
    _set_state(wf_ex, states.RUNNING)
    if env:
        params = dict(wf_ex.params or {})
        params["env"] = dict(params.get("env") or {}, **env)
        wf_ex.params = params
    for child in _active_children(session, wf_ex.id, [states.PAUSED]):
        _cascade("resume_workflow", child.id)
    if wf_ex.task_execution_id:
        parent_task = db_api.get(models.TaskExecution, wf_ex.task_execution_id)
        _cascade("resume_workflow", parent_task.workflow_execution_id)
    for t in db_api.task_executions(wf_ex.id, undefer=("in_context", "published")):
        if wf_ex.state != states.RUNNING:
            break
        if t.state == states.IDLE:
            t.state = states.RUNNING
            t.started_at = models.utcnow()
            tasks.begin(wf_ex, wf_spec, t, session)
        elif states.is_completed(t.state) and not t.processed:
            tasks.process_transitions(wf_ex, wf_spec, t, session)
    check_and_complete(wf_ex, wf_spec, session)
    return wf_ex


def stop(session, wf_ex_id, state, message=None):
    """Force an execution to SUCCESS, ERROR or CANCELLED (``execution-update -s``);
    running sub-workflows are stopped the same way."""
    wf_ex = db_api.lock_workflow_execution(wf_ex_id)
    if wf_ex.state == state:
        return wf_ex
    children = _active_children(session, wf_ex.id, [states.RUNNING, states.PAUSED])
    _transition_or_400(wf_ex, state, message)
    if state == states.ERROR:
        wf_ex.output = {"result": message or "Failed by user"}
    elif state == states.CANCELLED:
        wf_ex.output = {"result": message or "Cancelled by user"}
    elif state == states.SUCCESS:
        ctx = dict(wf_ex.context or {})
        ctx.pop("__global", None)
        ctx.update(final_context(wf_ex))
        wf_ex.output = ctx
    if state in (states.CANCELLED, states.ERROR):
        for t in db_api.task_executions(wf_ex.id, states_in=list(states.ACTIVE)
                                        + [states.PAUSED]):
            t.state = state
            t.state_info = message or ("Cancelled by user" if state == states.CANCELLED
                                       else "Failed by user")
        for child in children:
            _cascade("stop_workflow", child.id, state=state, message=message)
    return wf_ex


def rerun_task(session, task_ex_id, reset=True, env=None):
    """Run a failed task again; its execution goes back to RUNNING.

    With ``reset`` every item of a with-items task runs again; without it only the
    failed items do, and the successful results are kept.
    """
    task_ex = db_api.get(models.TaskExecution, task_ex_id)
    wf_ex = db_api.lock_workflow_execution(task_ex.workflow_execution_id)
    session.refresh(task_ex)
    if task_ex.state != states.ERROR:
        raise exc.InvalidStateChange(
            "Only tasks in ERROR state can be rerun [task_ex_id=%s, state=%s]"
            % (task_ex.id, task_ex.state))
    if wf_ex.state not in (states.ERROR, states.PAUSED, states.RUNNING):
        raise exc.InvalidStateChange(
            "Can't rerun a task of an execution in state %s" % wf_ex.state)
    wf_spec = spec_of(wf_ex)
    if env:
        params = dict(wf_ex.params or {})
        params["env"] = dict(params.get("env") or {}, **env)
        wf_ex.params = params
    if wf_ex.state == states.ERROR:
        _set_state(wf_ex, states.RUNNING)
        wf_ex.output = {}
    task_ex.state = states.RUNNING
    task_ex.state_info = None
    task_ex.processed = False
    task_ex.error_handled = False
    task_ex.finished_at = None
    rc = dict(task_ex.runtime_context or {})
    rc.pop("retry_no", None)
    rc.pop("waited_after", None)
    task_ex.runtime_context = rc
    actions_q = session.query(models.ActionExecution).filter_by(task_execution_id=task_ex.id)
    if rc.get("with_items") and not reset:
        failed = [a for a in actions_q if a.state != states.SUCCESS]
        for a in failed:
            a.accepted = False
        _rerun_failed_items(wf_ex, wf_spec, task_ex, failed, session)
    else:
        for a in actions_q:
            a.accepted = False
        tasks.start(wf_ex, wf_spec, task_ex, session)
    return task_ex


def _rerun_failed_items(wf_ex, wf_spec, task_ex, failed, session):
    """Send the failed items of a with-items task again, with their recorded input."""
    from mistral_svc.engine import actions as engine_actions

    task_spec = wf_spec.task(task_ex.name)
    rc = dict(task_ex.runtime_context)
    rc["done"] = rc["count"] - len(failed)
    rc["errors"] = 0
    task_ex.runtime_context = rc
    if not failed:
        return tasks.finish_items(wf_ex, wf_spec, task_ex, session)
    for a in failed:
        row = engine_actions.new_action_execution(
            wf_ex, task_ex, a.name, a.input, index=(a.runtime_context or {}).get("index", 0))
        session.add(row)
        engine_actions.dispatch(row, safe_rerun=bool(task_spec.get("safe-rerun")),
                                target=task_spec.get("target"))


def _transition_or_400(wf_ex, state, info=None):
    if not states.is_valid("workflow", wf_ex.state, state):
        raise exc.InvalidStateChange(
            "Can't change workflow execution state from %s to %s [execution_id=%s]"
            % (wf_ex.state, state, wf_ex.id)
        )
    _set_state(wf_ex, state, info)
