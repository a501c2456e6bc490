"""The engine's RPC endpoint and service.

Each handler is one short transaction that locks the workflow execution it changes, is
retried on deadlock, and is idempotent: a duplicate result or replayed cast finds the
work already done and changes nothing.
"""

import contextlib
import logging

from oslo_db import exception as db_exc

from mistral_svc import config, exceptions as exc
from mistral_svc.db import session as db_session
from mistral_svc.engine import (
    acks, apply, cascades, recovery, results as engine_results, standalone,
)
from mistral_svc.rpc import transport
from mistral_svc.workflow import states
from mistral_svc.workflow.runtime import fmt_date

CONF = config.CONF
LOG = logging.getLogger(__name__)


def _guard(func):
    """Translate internal errors into API-level ones so they cross RPC cleanly."""

    def wrapper(self, ctx, **kwargs):
        try:
            return db_session.retry_on_deadlock(func)(self, ctx, **kwargs)
        except exc.MistralError:
            raise
        except db_exc.DBDataError:
            # A client's value the database refused (too long, out of range).
            raise exc.InputError("A value does not fit its field (too long or out of range)")
        except db_exc.DBConnectionError:
            # Still away after the retries: the caller may try again later (503).
            raise exc.Unavailable("The database is unavailable, try again later")
        except states.InvalidStateTransition as e:
            raise exc.InvalidStateChange(str(e))
        except Exception as e:  # noqa: BLE001 - never leak a traceback to the caller
            LOG.exception("engine handler %s failed", func.__name__)
            # The details are in the engine's log; the caller learns only the kind.
            raise exc.EngineError("Internal error in the engine (%s); see the engine's log"
                                  % type(e).__name__)

    wrapper.__name__ = func.__name__
    return wrapper


@contextlib.contextmanager
def _cascade(key):
    """A request cast by another execution's step (``key``: its record, see
    ``cascades``): once applied, or refused for good, its record goes."""
    try:
        yield
    except (exc.MistralError, states.InvalidStateTransition):
        cascades.done(key)
        raise
    cascades.done(key)


# Due jobs the conductor schedules for itself (``ScheduleTimer``), by name.
TIMERS = ("task_start_delayed", "task_retry", "task_complete_delayed", "task_timeout")


def stored_columns(wf_ex, columns):
    """``{column: value}`` of a workflow execution record for the names in
    ``columns``, dates as the API shows them: what a caller on the other side of RPC
    would otherwise read back."""
    out = {}
    for name in columns:
        value = getattr(wf_ex, name, None)
        out[name] = fmt_date(value) if hasattr(value, "strftime") else value
    return out


class EngineEndpoint:
    """RPC methods of the engine (topic ``[engine] topic``)."""

    @_guard
    def start_workflow(self, ctx, wf_identifier, wf_namespace="", wf_input=None,
                       description="", params=None, exact_namespace=False, columns=None,
                       wf_ex_id=None):
        """Start an execution (with the id ``wf_ex_id`` if given); answers its id and
        state and, for the names in ``columns``, its columns as stored (dates as text)."""
        conductor = apply.start(wf_identifier, wf_namespace, wf_input, description, params,
                                project_id=ctx.get("project_id"),
                                exact_namespace=exact_namespace, rpc_ctx=ctx,
                                wf_ex_id=wf_ex_id)
        wf_ex = conductor.wf_ex
        answer = {"id": wf_ex.id, "state": wf_ex.state}
        if columns:
            answer["columns"] = stored_columns(wf_ex, columns)
        return answer

    @_guard
    def on_action_complete(self, ctx, action_ex_id, result):
        engine_results.on_action_complete(action_ex_id, result)

    @_guard
    def on_actions_complete(self, ctx, results):
        engine_results.on_actions_complete(results)

    @_guard
    def start_action(self, ctx, action_name, action_input=None, description=None,
                     namespace="", params=None):
        return standalone.start_action(ctx, action_name, action_input, description,
                                       namespace, params)

    @_guard
    def complete_action(self, ctx, action_ex_id, result):
        return engine_results.complete_action(action_ex_id, result)

    @_guard
    def on_action_update(self, ctx, action_ex_id, state):
        return standalone.update_action_state(action_ex_id, state)

    @_guard
    def process_job(self, ctx, func_name, func_args):
        if func_name == cascades.JOB:
            return cascades.redeliver(func_args or {})
        if func_name not in TIMERS:
            LOG.error("no handler for scheduled job %s", func_name)
            return
        args = dict(func_args or {})
        task_ex_id = args.pop("task_ex_id")
        try:
            wf_ex_id = apply.execution_of_task(task_ex_id)
        except exc.NotFound:
            return  # the execution was deleted meanwhile
        apply.on_execution(wf_ex_id, lambda c: c.on_timer(func_name, task_ex_id, args))

    @_guard
    def report_actions(self, ctx, executor, running, finished):
        return recovery.report_actions(executor, running or [], finished or [])

    @_guard
    def on_actions_accepted(self, ctx, executor, action_ex_ids):
        recovery.accept_actions(executor, action_ex_ids or [])

    @_guard
    def claim_actions(self, ctx, executor, action_ex_ids):
        return recovery.claim_actions(executor, action_ex_ids or [])

    @_guard
    def release_actions(self, ctx, executor, action_ex_ids):
        recovery.release_actions(executor, action_ex_ids or [])

    @_guard
    def on_workflow_complete(self, ctx, wf_ex_id):
        recovery.on_child_complete(wf_ex_id)

    @_guard
    def pause_workflow(self, ctx, wf_ex_id, cascade_key=None):
        with _cascade(cascade_key):
            return {"id": apply.on_execution(wf_ex_id, lambda c: c.pause()).wf_ex.id}

    @_guard
    def resume_workflow(self, ctx, wf_ex_id, env=None, cascade_key=None):
        with _cascade(cascade_key):
            return {"id": apply.on_execution(wf_ex_id, lambda c: c.resume(env)).wf_ex.id}

    @_guard
    def stop_workflow(self, ctx, wf_ex_id, state, message=None, cascade_key=None):
        with _cascade(cascade_key):
            return {"id": apply.on_execution(wf_ex_id,
                                             lambda c: c.stop(state, message)).wf_ex.id}

    @_guard
    def skip_task(self, ctx, task_ex_id):
        wf_ex_id = apply.execution_of_task(task_ex_id)
        apply.on_execution(wf_ex_id, lambda c: c.skip(task_ex_id))
        return {"id": task_ex_id}

    @_guard
    def revert_workflow(self, ctx, wf_ex_id):
        """Revert a succeeded sub-workflow on its reverting parent's behalf."""
        apply.on_execution(wf_ex_id, lambda c: c.revert())

    @_guard
    def reopen_task(self, ctx, wf_ex_id, task_ex_id, cascade_key=None):
        with _cascade(cascade_key):
            apply.on_execution(wf_ex_id, lambda c: c.reopen_task(task_ex_id))

    @_guard
    def rerun_task(self, ctx, task_ex_id, reset=True, env=None):
        wf_ex_id = apply.execution_of_task(task_ex_id)
        apply.on_execution(wf_ex_id, lambda c: c.rerun(task_ex_id, reset, env))
        return {"id": task_ex_id}


class EngineService:
    """Owns the engine's RPC server and its recovery loop."""

    def __init__(self):
        self._server = transport.make_server(CONF.engine.topic, [EngineEndpoint()], "engine")
        self._recovery = recovery.RecoveryLoop(in_process=transport.is_in_process())

    def start(self):
        self._server.start()
        self._recovery.start()

    def stop(self, graceful=True):
        """Take no new messages and let handlers in progress finish: each is one
        transaction, so stopping never leaves half-applied work."""
        self._recovery.stop()
        self._server.stop()
        self._server.wait()
        acks.BUFFER.stop()
