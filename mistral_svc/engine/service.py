"""The engine's RPC endpoint and service.

Each handler is one short transaction that locks the workflow execution it changes, is
retried on deadlock, and is idempotent: a duplicate result or replayed cast finds the
work already done and changes nothing.
"""

import logging

from oslo_db import exception as db_exc

from mistral_svc import config, exceptions as exc
from mistral_svc.db import api as db_api, session as db_session
from mistral_svc.engine import (  # noqa: F401 - policies registers job handlers
    actions,
    policies,
    recovery,
    subworkflows,
    workflows,
)
from mistral_svc.engine.job_handlers import JOB_HANDLERS, job_handler  # noqa: F401
from mistral_svc.rpc import transport
from mistral_svc.workflow import states

CONF = config.CONF
LOG = logging.getLogger(__name__)


def _guard(func):
    """Translate internal errors into API-level ones so they cross RPC cleanly."""

    def wrapper(self, ctx, **kwargs):
        try:
            return db_session.retry_on_deadlock(func)(self, ctx, **kwargs)
        except exc.MistralError:
            raise
        except db_exc.DBConnectionError:
            # Still away after the retries: the caller may try again later (503).
            raise exc.Unavailable("The database is unavailable, try again later")
        except states.InvalidStateTransition as e:
            raise exc.InvalidStateChange(str(e))
        except Exception as e:  # noqa: BLE001 - never leak a traceback to the caller
            LOG.exception("engine handler %s failed", func.__name__)
            raise exc.EngineError("%s: %s" % (type(e).__name__, e))

    wrapper.__name__ = func.__name__
    return wrapper


class EngineEndpoint:
    """RPC methods of the engine (topic ``[engine] topic``)."""

    @_guard
    def start_workflow(self, ctx, wf_identifier, wf_namespace="", wf_input=None,
                       description="", params=None, exact_namespace=False, columns=None):
        """Start an execution; answers its id and state and, for the names in
        ``columns``, the execution's columns as stored (dates as text)."""
        with db_api.transaction() as session:
            wf_ex = workflows.start(session, wf_identifier, wf_namespace, wf_input,
                                    description, params, project_id=ctx.get("project_id"),
                                    exact_namespace=exact_namespace)
            answer = {"id": wf_ex.id, "state": wf_ex.state}
            if columns:
                session.flush()  # updated_at as it will be committed
                answer["columns"] = workflows.stored_columns(wf_ex, columns)
            return answer

    @_guard
    def on_action_complete(self, ctx, action_ex_id, result):
        actions.on_action_complete(action_ex_id, result)

    @_guard
    def on_actions_complete(self, ctx, results):
        actions.on_actions_complete(results)

    @_guard
    def start_action(self, ctx, action_name, action_input=None, description=None,
                     namespace="", params=None):
        from mistral_svc.engine import standalone

        return standalone.start_action(ctx, action_name, action_input, description,
                                       namespace, params)

    @_guard
    def complete_action(self, ctx, action_ex_id, result):
        from mistral_svc.engine import standalone

        return standalone.complete_action(action_ex_id, result)

    @_guard
    def on_action_update(self, ctx, action_ex_id, state):
        from mistral_svc.engine import standalone

        return standalone.update_action_state(action_ex_id, state)

    @_guard
    def process_job(self, ctx, func_name, func_args):
        handler = JOB_HANDLERS.get(func_name)
        if handler is None:
            LOG.error("no handler for scheduled job %s", func_name)
            return
        handler(**(func_args or {}))

    @_guard
    def report_actions(self, ctx, executor, running, finished):
        return recovery.report_actions(executor, running or [], finished or [])

    @_guard
    def on_workflow_complete(self, ctx, wf_ex_id):
        subworkflows.on_child_complete(wf_ex_id)

    @_guard
    def pause_workflow(self, ctx, wf_ex_id):
        with db_api.transaction() as session:
            return {"id": workflows.pause(session, wf_ex_id).id}

    @_guard
    def resume_workflow(self, ctx, wf_ex_id, env=None):
        with db_api.transaction() as session:
            return {"id": workflows.resume(session, wf_ex_id, env).id}

    @_guard
    def stop_workflow(self, ctx, wf_ex_id, state, message=None):
        with db_api.transaction() as session:
            return {"id": workflows.stop(session, wf_ex_id, state, message).id}


    @_guard
    def rerun_task(self, ctx, task_ex_id, reset=True, env=None):
        with db_api.transaction() as session:
            return {"id": workflows.rerun_task(session, task_ex_id, reset, env).id}


class EngineService:
    """Owns the engine's RPC server and its recovery loop."""

    def __init__(self):
        self._server = transport.make_server(CONF.engine.topic, [EngineEndpoint()], "engine")
        self._recovery = recovery.RecoveryLoop()

    def start(self):
        self._server.start()
        self._recovery.start()

    def stop(self, graceful=True):
        """Take no new messages and let handlers in progress finish: each is one
        transaction, so stopping never leaves half-applied work."""
        self._recovery.stop()
        self._server.stop()
        self._server.wait()
