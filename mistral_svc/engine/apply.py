"""The engine's one apply loop: lock, ask the conductor, store its step, carry it out.

Every event for a workflow execution goes the same way, in one short transaction:
lock the execution's row, build a ``Conductor`` over a ``DbView`` of it, let the event
decide, then write the step's delta (``writer``) and its commands — due jobs and
sub-workflow starts inside the transaction, messages after it commits (``sending``).
A sub-workflow is created in its parent's transaction, by a conductor of its own; the
parent hears of its end through a notice sent after the child's transaction, handled
in a transaction that locks only the parent, so no transaction holds two locks.
"""

import collections
import contextlib

import sqlalchemy as sa

from mistral_svc import config, context, exceptions as exc, lang
from mistral_svc.db import api as db_api, models
from mistral_svc.engine import catalog as engine_catalog, limits, sending, store, writer
from mistral_svc.rpc import transport
from mistral_svc.db import jobs, state_events
from mistral_svc.workflow import commands, errors as wf_errors
from mistral_svc.workflow.conducting import Conductor
from mistral_svc.workflow.view import LookupFailed


def _translate(error):
    if isinstance(error, wf_errors.NotFound):
        return exc.NotFound(str(error))
    if isinstance(error, LookupFailed):
        return exc.NotFound(str(error))
    return exc.InvalidStateChange(str(error))


def _conductor(session, wf_ex):
    spec = lang.workflow_spec((wf_ex.spec_checksum, wf_ex.workflow_name),
                              lambda: store.load_spec(session, wf_ex.id))
    return Conductor(spec, wf_ex, store.DbView(session, wf_ex.id),
                     engine_catalog.DbCatalog(session), models.utcnow, models.new_id)


def on_execution(wf_ex_id, decide, rpc_ctx=None):
    """Apply ``decide(conductor)`` to execution ``wf_ex_id`` under its lock; returns
    the conductor (its ``wf_ex`` as stored). NotFound if there is no such execution,
    InvalidStateChange for a request the execution refuses (nothing is stored).

    A step that cannot be stored (a field past execution_field_size_limit_kb, a value
    JSON cannot hold) is rolled back and the execution failed with the reason instead,
    so the event that caused it is settled rather than sent again forever."""
    rpc_ctx = _sender_context(rpc_ctx)
    try:
        return _on_execution(wf_ex_id, decide, rpc_ctx)
    except exc.SizeLimitExceeded as e:
        reason = str(e)

    def fail(conductor):
        conductor.fail_workflow(reason, revert=False)

    return _on_execution(wf_ex_id, fail, rpc_ctx)


def on_execution_once(wf_ex_id, decide, rpc_ctx=None):
    """``on_execution`` without the fallback: SizeLimitExceeded reaches the caller,
    which may settle the event some other way (nothing is stored)."""
    return _on_execution(wf_ex_id, decide, _sender_context(rpc_ctx))


def _on_execution(wf_ex_id, decide, rpc_ctx):
    with db_api.transaction() as session:
        try:
            wf_ex = store.lock_execution(session, wf_ex_id)
        except LookupFailed as e:
            raise exc.NotFound(str(e))
        with _lookups_of(wf_ex):
            conductor = _conductor(session, wf_ex)
            try:
                decide(conductor)
            except (wf_errors.Refused, LookupFailed) as e:
                raise _translate(e)
            carry_out(session, conductor, rpc_ctx)
    return conductor


def _sender_context(rpc_ctx):
    """The security context actions dispatched now carry: the given one, else the one
    of the message being handled (the starter's, passed along from hop to hop)."""
    if rpc_ctx is not None:
        return rpc_ctx
    return transport.as_dict(context.current())


def _lookups_of(wf_ex):
    """Scope the conductor's name lookups (sub-workflows, ad-hoc actions, environments)
    to the project of the execution when no caller's context says otherwise."""
    if context.current() is not None:
        return contextlib.nullcontext()
    return context.using(context.for_project(wf_ex.project_id))


def start(identifier, namespace="", wf_input=None, description="", params=None,
          project_id=None, exact_namespace=False, rpc_ctx=None, wf_ex_id=None):
    """Create and start an execution of a stored workflow (with the id ``wf_ex_id``,
    or a new one); returns its conductor.

    Input or params past execution_field_size_limit_kb are refused (SizeLimitExceeded,
    nothing stored); a first step whose tasks or actions cannot be stored creates the
    execution failed with the reason, as Mistral does."""
    rpc_ctx = _sender_context(rpc_ctx)
    try:
        return _start(identifier, namespace, wf_input, description, params, project_id,
                      exact_namespace, rpc_ctx, wf_ex_id, None)
    except exc.SizeLimitExceeded as e:
        if _own_fields_too_large(wf_input, params):
            raise
        reason = str(e)
    return _start(identifier, namespace, wf_input, description, params, project_id,
                  exact_namespace, rpc_ctx, wf_ex_id, reason)


def _own_fields_too_large(wf_input, params):
    try:
        limits.check_row({"input": wf_input, "params": params})
    except exc.SizeLimitExceeded:
        return True
    return False


def _start(identifier, namespace, wf_input, description, params, project_id,
           exact_namespace, rpc_ctx, wf_ex_id, failure):
    with db_api.transaction() as session:
        definition = engine_catalog.find_definition(identifier, namespace, exact_namespace)
        # As in Mistral, a started execution's params always name its namespace and env.
        params = dict(params or {})
        params.setdefault("namespace", definition.namespace)
        if not params.get("env"):
            params["env"] = {}
        wf_ex_id = wf_ex_id or models.new_id()
        try:
            conductor = Conductor.new_execution(
                definition, wf_input, params, store.DbView(session, wf_ex_id),
                engine_catalog.DbCatalog(session), models.utcnow, models.new_id,
                description=description, project_id=project_id, wf_ex_id=wf_ex_id)
            if failure is None:
                conductor.start()
            else:
                conductor.fail_workflow(failure, revert=False)
        except (wf_errors.Refused, LookupFailed) as e:
            raise _translate(e)
        carry_out(session, conductor, rpc_ctx)
    return conductor


def carry_out(session, conductor, rpc_ctx=None):
    """Store the step of ``conductor`` and of every sub-workflow it starts, schedule
    their timers and queue their messages for after commit."""
    work = collections.deque([conductor])
    while work:
        c = work.popleft()
        i = 0
        while i < len(c.commands):
            cmd = c.commands[i]
            i += 1
            if isinstance(cmd, commands.StartSubworkflow):
                child = _start_child(session, c, cmd)
                if child is not None:
                    work.append(child)
        writer.write(session, c.delta)
        for record, old, new in c.delta.state_changes():
            if record.kind == "workflow":
                state_events.record("workflow", record, old, new)
            elif record.kind == "task":
                state_events.record("task", record, old, new, workflow=c.wf_ex)
        for cmd in c.commands:
            _effect(session, c, cmd, rpc_ctx)


def _depth(session, conductor):
    """How many sub-workflow levels ``conductor``'s execution is below its top-level
    one: known for the children started here, read up the parent chain otherwise."""
    depth = getattr(conductor, "subworkflow_depth", None)
    if depth is None:
        depth, task_ex_id = 0, conductor.wf_ex.task_execution_id
        while task_ex_id and depth <= config.CONF.engine.max_subworkflow_depth:
            depth += 1
            task_ex_id = session.execute(
                sa.select(store.WF.c.task_execution_id)
                .select_from(store.WF.join(
                    store.TASKS, store.TASKS.c.workflow_execution_id == store.WF.c.id))
                .where(store.TASKS.c.id == task_ex_id)).scalar()
        conductor.subworkflow_depth = depth
    return depth


def _start_child(session, parent, cmd):
    """A conductor over a new child execution, started; None if it could not start
    (the parent's task then fails with the reason, as it does past the sub-workflow
    depth limit)."""
    if not (cmd.revert or parent.task_running(cmd.task_ex_id)):
        return None  # a sibling could not start and failed the task
    limit = config.CONF.engine.max_subworkflow_depth
    depth = _depth(session, parent) + 1
    if depth > limit:
        parent.on_child_refused(
            cmd.task_ex_id, "Sub-workflow depth limit exceeded: %s would run %d levels "
            "below its top-level execution ([engine] max_subworkflow_depth = %d)"
            % (cmd.workflow_name, depth, limit), revert=cmd.revert)
        return None
    wf_ex_id = models.new_id()
    try:
        definition = engine_catalog.find_definition(cmd.workflow_name, cmd.namespace,
                                                    exact=True)
        child = Conductor.new_execution(
            definition, cmd.input, cmd.params, store.DbView(session, wf_ex_id),
            engine_catalog.DbCatalog(session), models.utcnow, models.new_id,
            project_id=parent.wf_ex.project_id, task_ex_id=cmd.task_ex_id,
            root_execution_id=parent.wf_ex.root_execution_id or parent.wf_ex.id,
            wf_ex_id=wf_ex_id)
        child.subworkflow_depth = depth
        child.start()
        # Refused here rather than failing the parent's whole transaction when written.
        limits.check_delta(child.delta)
    except (wf_errors.Refused, LookupFailed, exc.MistralError) as e:
        parent.on_child_refused(cmd.task_ex_id, str(getattr(e, "message", None) or e),
                                revert=cmd.revert)
        return None
    return child


def _effect(session, conductor, cmd, rpc_ctx):
    if isinstance(cmd, commands.RunAction):
        action_ex = conductor.view.held_actions()[cmd.action_ex_id]
        sending.dispatch(action_ex, rpc_ctx, safe_rerun=cmd.safe_rerun, target=cmd.target,
                         timeout=cmd.timeout, claim=cmd.claim)
    elif isinstance(cmd, commands.ScheduleTimer):
        jobs.schedule(cmd.name, dict(cmd.args, task_ex_id=cmd.task_ex_id), cmd.delay,
                      key=cmd.key)
    elif isinstance(cmd, commands.CancelTimer):
        jobs.cancel(cmd.key)
    elif isinstance(cmd, commands.DropResults):
        session.execute(store.ACTIONS.update()
                        .where(store.ACTIONS.c.task_execution_id == cmd.task_ex_id)
                        .values(output=None))
    elif isinstance(cmd, commands.NotifyParent):
        sending.cast_after_commit("on_workflow_complete", wf_ex_id=cmd.wf_ex_id)
    elif isinstance(cmd, commands.Cascade):
        from mistral_svc.engine import cascades

        cascades.send(conductor.wf_ex, cmd.method, cmd.wf_ex_id, cmd.kwargs)


def execution_of_action(action_ex_id):
    """The workflow execution id of an action execution (None for a standalone one);
    NotFound if there is no such action execution."""
    with db_api.transaction(read_only=True) as session:
        row = session.execute(sa.select(store.ACTIONS.c.workflow_execution_id).where(
            store.ACTIONS.c.id == action_ex_id)).first()
    if row is None:
        raise exc.NotFound("Action execution not found [id=%s]" % action_ex_id)
    return row[0]


def execution_state(wf_ex_id):
    """The state of a workflow execution; NotFound if there is none."""
    with db_api.transaction(read_only=True) as session:
        row = session.execute(sa.select(store.WF.c.state).where(
            store.WF.c.id == wf_ex_id)).first()
    if row is None:
        raise exc.NotFound("Workflow execution not found [id=%s]" % wf_ex_id)
    return row[0]


def execution_of_task(task_ex_id):
    """The workflow execution id of a task execution; NotFound if there is none."""
    with db_api.transaction(read_only=True) as session:
        wf_ex_id = engine_catalog.DbCatalog(session).execution_of_task(task_ex_id)
    if wf_ex_id is None:
        raise exc.NotFound("Task execution not found [id=%s]" % task_ex_id)
    return wf_ex_id


def child_outcome(session, child_id):
    """``(parent task id, ChildEx)`` of a completed child execution, or None."""
    row = session.execute(sa.select(store.WF.c.task_execution_id, store.WF.c.state)
                          .where(store.WF.c.id == child_id)).first()
    if row is None or not row.task_execution_id:
        return None
    for child in store.children_of(session, row.task_execution_id):
        if child.id == child_id:
            return row.task_execution_id, child
    return None
