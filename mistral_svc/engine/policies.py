"""Task policies applied by the engine: pause-before, wait-before, timeout, retry,
wait-after, fail-on, keep-result.

Decisions come from ``workflow.policies``; every delay becomes a row in the scheduler's
table of due jobs (written in the same transaction as the state change), and the job
handlers below pick the task up again in a transaction of their own, so a delay survives
the restart of any service.
"""

from mistral_svc.db import api as db_api, models, session as db_session
from mistral_svc.engine import tasks
from mistral_svc.engine.job_handlers import job_handler
from mistral_svc.engine.runtime import EngineRuntime
from mistral_svc.scheduler import jobs
from mistral_svc.workflow import policies, states


def _value(task_spec, key, wf_ex, task_ex, runtime=None):
    value = task_spec.get(key)
    if isinstance(value, str) and value.strip().startswith(("<%", "{{")):
        value = tasks.evaluate(value, tasks.data_context(wf_ex, task_ex),
                               runtime or EngineRuntime(wf_ex, task_ex))
    return value


def _seconds(task_spec, key, wf_ex, task_ex):
    try:
        return policies.delay_seconds(key, _value(task_spec, key, wf_ex, task_ex))
    except policies.PolicyError as e:
        raise tasks.TaskFailure(str(e))


def hold_before_start(wf_ex, wf_spec, task_ex, session):
    """Apply the policies that act before a task starts; True if the task must wait."""
    task_spec = wf_spec.task(task_ex.name)
    rc = task_ex.runtime_context or {}
    if wf_ex.state == states.PAUSED:
        # Created while the workflow is paused: starts on resume.
        task_ex.state = states.IDLE
        return True
    if task_spec.get("pause-before") and not rc.get("paused_before"):
        if _value(task_spec, "pause-before", wf_ex, task_ex):
            tasks.set_rc(task_ex, paused_before=True)
            task_ex.state = states.IDLE
            from mistral_svc.engine import workflows

            workflows.pause_by_policy(wf_ex, task_ex.name)
            return True
    if task_spec.get("wait-before") is not None and not rc.get("waited_before"):
        delay = _seconds(task_spec, "wait-before", wf_ex, task_ex)
        if delay > 0:
            tasks.set_rc(task_ex, waited_before=True)
            task_ex.state = states.RUNNING_DELAYED
            jobs.schedule("task_start_delayed", {"task_ex_id": task_ex.id}, delay,
                          key="wait-before:%s" % task_ex.id)
            return True
    if task_spec.get("timeout") is not None and not rc.get("timeout_set"):
        timeout = _seconds(task_spec, "timeout", wf_ex, task_ex)
        if timeout > 0:
            tasks.set_rc(task_ex, timeout_set=True)
            jobs.schedule("task_timeout", {"task_ex_id": task_ex.id,
                                           "timeout": timeout}, timeout,
                          key="timeout:%s" % task_ex.id)
    return False


def cancel_timeout(task_ex):
    """Drop a pending timeout of a task that completed in time."""
    if (task_ex.runtime_context or {}).get("timeout_set"):
        jobs.cancel("timeout:%s" % task_ex.id)


def _retry(wf_ex, task_spec, task_ex, result, has_result):
    raw = task_spec.get("retry")
    if not raw:
        return None
    runtime = EngineRuntime(wf_ex, task_ex, current_result=result,
                            has_current_result=has_result)
    ctx = tasks.data_context(wf_ex, task_ex)
    spec = tasks.evaluate(raw, ctx, runtime) if isinstance(raw, str) else raw
    if not isinstance(spec, dict):
        raise tasks.TaskFailure("retry must be a mapping with 'count', got %r" % (spec,))
    values = {k: tasks.evaluate(spec.get(k), ctx, runtime) if spec.get(k) is not None
              else None for k in ("count", "delay", "break-on", "continue-on")}
    try:
        return policies.Retry.from_values(values["count"], values["delay"] or 0,
                                          values["break-on"], values["continue-on"])
    except policies.PolicyError as e:
        raise tasks.TaskFailure(str(e))


def after_attempt(wf_ex, wf_spec, task_ex, state, state_info, result, session,
                  has_result=True):
    """A task's action(s) or sub-workflow(s) finished one attempt: apply fail-on, retry
    and wait-after, then complete the task."""
    task_spec = wf_spec.task(task_ex.name)
    try:
        if state == states.SUCCESS and task_spec.get("fail-on"):
            runtime = EngineRuntime(wf_ex, task_ex, current_result=result,
                                    has_current_result=has_result)
            if tasks.evaluate(task_spec.get("fail-on"), tasks.data_context(wf_ex, task_ex),
                              runtime):
                state, state_info = states.ERROR, "Failed by the fail-on policy"
        retry = _retry(wf_ex, task_spec, task_ex, result, has_result)
    except tasks.TaskFailure as e:
        return tasks.complete(wf_ex, wf_spec, task_ex, states.ERROR, session,
                              state_info=str(e))
    attempts = (task_ex.runtime_context or {}).get("retry_no", 0)
    if policies.should_retry(retry, attempts, state):
        tasks.set_rc(task_ex, retry_no=attempts + 1)
        if retry.delay > 0:
            task_ex.state = states.RUNNING_DELAYED
            jobs.schedule("task_retry", {"task_ex_id": task_ex.id}, retry.delay,
                          key="retry:%s:%d" % (task_ex.id, attempts + 1))
        else:
            _restart(wf_ex, wf_spec, task_ex, session)
        return
    try:
        wait_after = _seconds(task_spec, "wait-after", wf_ex, task_ex) \
            if task_spec.get("wait-after") is not None else 0
    except tasks.TaskFailure as e:
        return tasks.complete(wf_ex, wf_spec, task_ex, states.ERROR, session,
                              state_info=str(e))
    if wait_after > 0 and not (task_ex.runtime_context or {}).get("waited_after"):
        tasks.set_rc(task_ex, waited_after=True,
                     outcome={"state": state, "state_info": state_info})
        task_ex.state = states.RUNNING_DELAYED
        jobs.schedule("task_complete_delayed", {"task_ex_id": task_ex.id}, wait_after,
                      key="wait-after:%s" % task_ex.id)
        return
    tasks.complete(wf_ex, wf_spec, task_ex, state, session, state_info=state_info,
                   result=result, has_result=has_result)


def _restart(wf_ex, wf_spec, task_ex, session):
    """Run a task's action(s) again: earlier attempts stay recorded but unaccepted."""
    for a in session.query(models.ActionExecution).filter_by(task_execution_id=task_ex.id):
        a.accepted = False
    task_ex.state = states.RUNNING
    task_ex.state_info = None
    tasks.start(wf_ex, wf_spec, task_ex, session)


def _load(task_ex_id):
    """Lock the task's workflow execution and return (wf_ex, wf_spec, task_ex, session)."""
    task_ex = db_api.get(models.TaskExecution, task_ex_id)
    wf_ex = db_api.lock_workflow_execution(task_ex.workflow_execution_id)
    session = db_session.current_session()
    session.refresh(task_ex)
    return wf_ex, tasks.workflow_spec(wf_ex), task_ex, session


@job_handler("task_start_delayed")
def _start_delayed(task_ex_id):
    with db_api.transaction():
        wf_ex, wf_spec, task_ex, session = _load(task_ex_id)
        if task_ex.state != states.RUNNING_DELAYED:
            return
        if wf_ex.state == states.PAUSED:
            task_ex.state = states.IDLE
            return
        task_ex.state = states.RUNNING
        tasks.begin(wf_ex, wf_spec, task_ex, session)


@job_handler("task_retry")
def _retry_delayed(task_ex_id):
    with db_api.transaction():
        wf_ex, wf_spec, task_ex, session = _load(task_ex_id)
        if task_ex.state != states.RUNNING_DELAYED:
            return
        _restart(wf_ex, wf_spec, task_ex, session)


@job_handler("task_complete_delayed")
def _complete_delayed(task_ex_id):
    with db_api.transaction():
        wf_ex, wf_spec, task_ex, session = _load(task_ex_id)
        if task_ex.state != states.RUNNING_DELAYED:
            return
        outcome = (task_ex.runtime_context or {}).get("outcome") or {}
        task_ex.state = states.RUNNING
        tasks.complete(wf_ex, wf_spec, task_ex, outcome.get("state", states.SUCCESS),
                       session, state_info=outcome.get("state_info"), has_result=False)


@job_handler("task_timeout")
def _timeout(task_ex_id, timeout):
    with db_api.transaction():
        wf_ex, wf_spec, task_ex, session = _load(task_ex_id)
        if task_ex.state not in (states.RUNNING, states.RUNNING_DELAYED, states.WAITING):
            return
        # Late results of the timed-out attempt are ignored: the task is no longer RUNNING.
        for a in session.query(models.ActionExecution).filter_by(
                task_execution_id=task_ex.id, state=states.RUNNING):
            a.state = states.ERROR
            a.state_info = policies.timeout_message(timeout)
            a.accepted = True
        task_ex.state = states.RUNNING
        after_attempt(wf_ex, wf_spec, task_ex, states.ERROR,
                      policies.timeout_message(timeout), None, session, has_result=False)
