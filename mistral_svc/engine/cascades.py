"""Requests from one execution to another (pause, resume, stop, reopen a task),
recorded with the step that asks for them.

A cascade leaves as a cast once its step has committed, and the same transaction writes
a due job, ``JOB``, a while ahead (``3 x [engine] recovery_interval``). The handler
that applies the cast deletes the job; if the cast was lost (its engine died before
sending it, the broker lost it), the scheduler hands the job to an engine, which
applies the request then, provided the execution that asked is still in the state it
asked from (a parent paused then resumed meanwhile asks nothing any more). Applying a
request twice changes nothing: each one is idempotent.
"""

import logging

from mistral_svc import config, exceptions as exc
from mistral_svc.db import jobs, models
from mistral_svc.engine import apply, sending
from mistral_svc.workflow import states

CONF = config.CONF
LOG = logging.getLogger(__name__)

JOB = "cascade"


def _decide(method, kwargs):
    """What ``method`` asks of the target's conductor (None: not recorded)."""
    if method == "pause_workflow":
        return lambda c: c.pause()
    if method == "resume_workflow":
        return lambda c: c.resume(kwargs.get("env"))
    if method == "stop_workflow":
        return lambda c: c.stop(kwargs["state"], kwargs.get("message"))
    if method == "reopen_task":
        return lambda c: c.reopen_task(kwargs["task_ex_id"])
    return None


def send(source, method, wf_ex_id, kwargs):
    """Within the source execution's transaction: record the request, and cast it
    once the transaction commits."""
    kwargs = dict(kwargs or {})
    if _decide(method, kwargs) is None:
        sending.cast_after_commit(method, wf_ex_id=wf_ex_id, **kwargs)
        return
    key = "%s:%s" % (JOB, models.new_id())
    jobs.schedule(JOB, {"method": method, "wf_ex_id": wf_ex_id, "kwargs": kwargs,
                        "source": source.id, "source_state": source.state, "key": key},
                  delay=3 * CONF.engine.recovery_interval, key=key)
    sending.cast_after_commit(method, wf_ex_id=wf_ex_id, cascade_key=key, **kwargs)


def done(key):
    """The cast of the request recorded under ``key`` was applied."""
    if key:
        jobs.cancel(key)


def redeliver(args):
    """The job of a request whose cast was never applied: apply it now if its source
    still asks for it."""
    method, wf_ex_id, kwargs = args["method"], args["wf_ex_id"], args.get("kwargs") or {}
    try:
        source = apply.execution_state(args["source"])
    except exc.NotFound:
        return
    if source != args["source_state"]:
        return
    LOG.warning("applying %s of execution %s again: its message was lost", method, wf_ex_id)
    try:
        apply.on_execution(wf_ex_id, _decide(method, kwargs))
    except (exc.NotFound, exc.InvalidStateChange, states.InvalidStateTransition) as e:
        LOG.info("%s of execution %s no longer applies: %s", method, wf_ex_id, e)
