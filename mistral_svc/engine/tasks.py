"""Task executions: start them (joins, with-items, sub-workflows), complete them, follow
transitions.

Every function here runs inside a transaction that holds the lock of the task's
workflow execution; the decisions come from ``mistral_svc.workflow``. Policies (waits,
retries, timeouts, pause-before) hook in through ``engine.policies``.
"""

import collections
import datetime
import hashlib

from mistral_svc import exceptions as exc, expressions
from mistral_svc.db import models, session as db_session
from mistral_svc.engine import actions as engine_actions, policies
from mistral_svc.engine.runtime import EngineRuntime
from mistral_svc.lang import spec as lang_spec
from mistral_svc.workflow import commands, controller, direct, states, with_items


class TaskFailure(Exception):
    """A task cannot go on; its message becomes the task's state_info."""


def data_context(wf_ex, task_ex):
    """The ``$`` of a task's expressions: workflow input and vars, then what its
    predecessors published. A shallow merge: nothing is deep-copied."""
    ctx = dict(wf_ex.context or {})
    ctx.pop("__global", None)
    if task_ex.in_context:
        ctx.update(task_ex.in_context)
    return ctx


def evaluate(data, ctx, runtime):
    try:
        return expressions.evaluate_recursively(data, ctx, runtime)
    except expressions.ExpressionError as e:
        raise TaskFailure(str(e))


def _join_key(wf_ex_id, task_name):
    digest = hashlib.sha1(task_name.encode("utf-8")).hexdigest()
    return "%s:%s" % (wf_ex_id, digest)


def _new_task_ex(wf_ex, task_spec, in_ctx, triggered_by, state, unique_key=None):
    return models.TaskExecution(
        id=models.new_id(),
        name=task_spec.name,
        workflow_execution_id=wf_ex.id,
        workflow_name=wf_ex.workflow_name,
        workflow_namespace=wf_ex.workflow_namespace,
        workflow_id=wf_ex.workflow_id,
        type=task_spec.type,
        state=state,
        in_context=in_ctx or {},
        published={},
        runtime_context={"triggered_by": triggered_by},
        processed=False,
        error_handled=False,
        unique_key=unique_key,
        project_id=wf_ex.project_id,
        created_at=models.utcnow(),
        started_at=models.utcnow() if state == states.RUNNING else None,
    )


def workflow_spec(wf_ex):
    from mistral_svc.engine import workflows

    return workflows.spec_of(wf_ex)


def set_rc(task_ex, **values):
    """Update ``runtime_context`` (a JSON column: assign a new dict so it is saved)."""
    rc = dict(task_ex.runtime_context or {})
    rc.update(values)
    task_ex.runtime_context = rc
    return rc


def run(wf_ex, wf_spec, cmd, session):
    """Apply a RunTask command: create the task (or arrive at its join) and begin it."""
    task_spec = wf_spec.task(cmd.name)
    if cmd.join:
        return _arrive_at_join(wf_ex, wf_spec, cmd, session)
    task_ex = _new_task_ex(wf_ex, task_spec, cmd.ctx, cmd.triggered_by, states.RUNNING)
    session.add(task_ex)
    begin(wf_ex, wf_spec, task_ex, session)
    return task_ex


def _arrive_at_join(wf_ex, wf_spec, cmd, session):
    key = _join_key(wf_ex.id, cmd.name)
    # Branches of a fan-out often arrive in one transaction: the join found (or made)
    # by the first is remembered for the others (the transaction holds the execution's
    # lock, so no other engine can make it meanwhile).
    joins = session.info.setdefault("joins", {})
    task_ex = joins.get(key)
    if task_ex is None:
        task_ex = session.query(models.TaskExecution).filter_by(unique_key=key).first()
    if task_ex is None:
        task_ex = _new_task_ex(wf_ex, wf_spec.task(cmd.name), {}, [], states.WAITING,
                               unique_key=key)
        session.add(task_ex)
    joins[key] = task_ex
    if task_ex.state != states.WAITING:
        return task_ex  # already fired: a late branch of a partial join changes nothing
    rc = task_ex.runtime_context or {}
    arrived = list(rc.get("arrived") or [])
    source = cmd.triggered_by[0]["task_name"] if cmd.triggered_by else None
    if source in arrived:
        return task_ex
    arrived.append(source)
    set_rc(task_ex, arrived=arrived,
           triggered_by=list(rc.get("triggered_by") or []) + cmd.triggered_by)
    if cmd.ctx:
        task_ex.in_context = dict(task_ex.in_context or {}, **cmd.ctx)
    if direct.join_satisfied(wf_spec, cmd.name, len(arrived)):
        task_ex.state = states.RUNNING
        task_ex.started_at = models.utcnow()
        begin(wf_ex, wf_spec, task_ex, session)
    return task_ex


def begin(wf_ex, wf_spec, task_ex, session):
    """Start a task unless a before-policy (pause-before, wait-before) holds it back."""
    try:
        if policies.hold_before_start(wf_ex, wf_spec, task_ex, session):
            return
    except TaskFailure as e:
        return complete(wf_ex, wf_spec, task_ex, states.ERROR, session, state_info=str(e))
    start(wf_ex, wf_spec, task_ex, session)


def start(wf_ex, wf_spec, task_ex, session):
    """Start a RUNNING task: evaluate its input and dispatch its action(s) or
    sub-workflow(s)."""
    task_spec = wf_spec.task(task_ex.name)
    ctx = data_context(wf_ex, task_ex)
    runtime = EngineRuntime(wf_ex, task_ex)
    try:
        items = _items(task_spec, task_ex, ctx, runtime)
        if task_spec.type == lang_spec.TASK_TYPE_WORKFLOW:
            from mistral_svc.engine import subworkflows

            return subworkflows.start_children(wf_ex, wf_spec, task_ex, ctx, runtime, items,
                                               session)
        action_name = task_spec.action
        if action_name.startswith(("<%", "{{")):
            action_name = evaluate(action_name, ctx, runtime)
        cls = engine_actions.resolve(action_name, wf_ex.workflow_namespace)
        if items is not None:
            return _start_with_items(wf_ex, wf_spec, task_ex, action_name, cls, ctx,
                                     runtime, items, session)
        params = evaluate(task_spec.input, ctx, runtime)
        engine_actions.validate_input(action_name, cls, params)
        action_ex = engine_actions.new_action_execution(wf_ex, task_ex, action_name, params,
                                                        action=cls)
    except (TaskFailure, exc.InputError) as e:
        return complete(wf_ex, wf_spec, task_ex, states.ERROR, session, state_info=str(e))
    session.add(action_ex)
    engine_actions.dispatch(action_ex, safe_rerun=bool(task_spec.get("safe-rerun")),
                            target=task_spec.get("target"))


def _items(task_spec, task_ex, ctx, runtime):
    """The with-items item variables of a task, or None when it has no with-items."""
    if not task_spec.with_items:
        return None
    clauses = [(c["var"], evaluate(c["expr"], ctx, runtime)) for c in task_spec.with_items]
    try:
        items = with_items.expand(clauses)
    except ValueError as e:
        raise TaskFailure(str(e))
    concurrency = task_spec.get("concurrency")
    if isinstance(concurrency, str):
        concurrency = evaluate(concurrency, ctx, runtime)
    try:
        concurrency = int(concurrency or 0)
    except (TypeError, ValueError):
        raise TaskFailure("concurrency must be a number, got %r" % (concurrency,))
    set_rc(task_ex, with_items=True, count=len(items), done=0, errors=0,
           concurrency=concurrency)
    return items


def _start_with_items(wf_ex, wf_spec, task_ex, action_name, cls, ctx, runtime, items,
                      session):
    task_spec = wf_spec.task(task_ex.name)
    if not items:
        return complete(wf_ex, wf_spec, task_ex, states.SUCCESS, session, result=[])
    rows = []
    first = with_items.first_batch(len(items), task_ex.runtime_context["concurrency"])
    base = models.utcnow()
    for i, item_vars in enumerate(items):
        params = evaluate(task_spec.input, dict(ctx, **item_vars), runtime)
        engine_actions.validate_input(action_name, cls, params)
        row = engine_actions.new_action_execution(
            wf_ex, task_ex, action_name, params, index=i,
            state=states.RUNNING if i < first else states.IDLE, action=cls)
        # Distinct timestamps keep the items' order when waiting ones are picked up.
        row.created_at = base + datetime.timedelta(microseconds=i)
        rows.append(row)
    session.add_all(rows)
    for row in rows[:first]:
        engine_actions.dispatch(row, safe_rerun=bool(task_spec.get("safe-rerun")),
                                target=task_spec.get("target"))


def on_action_complete(wf_ex, task_ex, action_ex, result):
    """An action of ``task_ex`` finished: complete the task or move with-items along."""
    wf_spec = workflow_spec(wf_ex)
    session = db_session.current_session()
    rc = task_ex.runtime_context or {}
    if not rc.get("with_items"):
        state = states.ERROR if result.is_error() else states.SUCCESS
        info = action_ex.state_info if result.is_error() else None
        return policies.after_attempt(
            wf_ex, wf_spec, task_ex, state, info,
            result.error if result.is_error() else result.data, session)
    rc = set_rc(task_ex, done=rc["done"] + 1,
                errors=rc["errors"] + (1 if result.is_error() else 0))
    if rc["concurrency"]:
        nxt = _next_waiting_item(session, task_ex)
        if nxt is not None:
            nxt.state = states.RUNNING
            task_spec = wf_spec.task(task_ex.name)
            engine_actions.dispatch(nxt, safe_rerun=bool(task_spec.get("safe-rerun")),
                                    target=task_spec.get("target"))
    if rc["done"] < rc["count"]:
        return
    finish_items(wf_ex, wf_spec, task_ex, session)


def _next_waiting_item(session, task_ex):
    """The oldest waiting (IDLE) item of a with-items task, or None.

    Loaded a page at a time and kept for the transaction, so a batch of results takes
    its next items from one query rather than one query each (a page holds as many as
    a batch of results can free); the items come in the same order either way."""
    pages = session.info.setdefault("waiting_items", {})
    page = pages.get(task_ex.id)
    while True:
        if not page:
            page = pages[task_ex.id] = collections.deque(
                session.query(models.ActionExecution)
                .filter_by(task_execution_id=task_ex.id, state=states.IDLE)
                .order_by(models.ActionExecution.created_at)
                .limit(engine_actions.BATCH)
                .all())
            if not page:
                return None
        row = page.popleft()
        if row.state == states.IDLE:
            return row


def finish_items(wf_ex, wf_spec, task_ex, session):
    """Every item of a with-items task is done: it fails if any item failed."""
    rc = task_ex.runtime_context
    if rc["errors"]:
        policies.after_attempt(wf_ex, wf_spec, task_ex, states.ERROR,
                               "One or more items of the with-items task failed", None,
                               session, has_result=False)
    else:
        policies.after_attempt(wf_ex, wf_spec, task_ex, states.SUCCESS, None, None, session,
                               has_result=False)


def complete(wf_ex, wf_spec, task_ex, state, session, state_info=None, result=None,
             has_result=True):
    """Finish ``task_ex`` in ``state``: publish, then follow its transitions."""
    from mistral_svc.engine import workflows

    task_spec = wf_spec.task(task_ex.name)
    is_with_items = bool((task_ex.runtime_context or {}).get("with_items"))
    runtime = EngineRuntime(wf_ex, task_ex, current_result=result,
                            has_current_result=has_result and not is_with_items)
    ctx = data_context(wf_ex, task_ex)
    publish_spec = task_spec.publish if state == states.SUCCESS else task_spec.publish_on_error
    published = {}
    if publish_spec:
        try:
            published = evaluate(publish_spec, ctx, runtime)
            if not isinstance(published, dict):
                raise TaskFailure("publish must evaluate to a dict")
        except TaskFailure as e:
            state, state_info, published = states.ERROR, "Failed to publish: %s" % e, {}
    states.check("task", task_ex.state, state)
    task_ex.state = state
    task_ex.state_info = state_info
    task_ex.published = published
    task_ex.finished_at = models.utcnow()
    policies.cancel_timeout(task_ex)
    if task_spec.get("keep-result") is False:
        # Published values are computed; the (possibly large) raw results go.
        session.query(models.ActionExecution).filter_by(
            task_execution_id=task_ex.id).update({"output": None}, synchronize_session=False)
    if wf_ex.state == states.RUNNING:
        process_transitions(wf_ex, wf_spec, task_ex, session)
        workflows.check_and_complete(wf_ex, wf_spec, session)


def process_transitions(wf_ex, wf_spec, task_ex, session):
    """Follow the on-* clauses of a completed task (once: ``processed`` guards it)."""
    from mistral_svc.engine import workflows

    if task_ex.processed:
        return
    task_ex.processed = True
    if task_ex.state == states.CANCELLED:
        return
    out_ctx = dict(task_ex.in_context or {}, **(task_ex.published or {}))
    base_ctx = dict(data_context(wf_ex, task_ex), **(task_ex.published or {}))
    runtime = EngineRuntime(wf_ex, task_ex)
    outcome = direct.TaskOutcome(task_ex.id, task_ex.name, task_ex.state, out_ctx)
    try:
        decision = controller.next_commands(
            wf_spec, outcome, lambda d, c: evaluate(d, c, runtime), base_ctx,
            wf_ex.params or {},
        )
    except (TaskFailure, KeyError) as e:
        workflows.fail(wf_ex, wf_spec, session,
                       "Failed to evaluate transitions of task %r: %s" % (task_ex.name, e))
        return
    task_ex.error_handled = decision.error_handled
    runs = [c for c in decision.commands if isinstance(c, commands.RunTask)]
    ends = [c for c in decision.commands if isinstance(c, commands.EndWorkflow)]
    set_rc(task_ex, next=len(runs) + len(ends))
    if decision.global_publish:
        ctx = dict(wf_ex.context or {})
        ctx["__global"] = dict(ctx.get("__global") or {}, **decision.global_publish)
        wf_ex.context = ctx
    # Commands apply in the order written: tasks after a ``pause`` are created but held
    # (IDLE) until resume; the core already drops what follows ``fail``/``succeed``.
    for cmd in decision.commands:
        if isinstance(cmd, commands.RunTask):
            for t in cmd.triggered_by:
                t["task_name"] = task_ex.name
            if states.is_completed(wf_ex.state):
                break
            run(wf_ex, wf_spec, cmd, session)
        elif isinstance(cmd, commands.EndWorkflow):
            workflows.end_by_command(wf_ex, wf_spec, cmd, session)
