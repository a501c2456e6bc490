"""RPC clients of the engine and the executor.

The API *calls* the engine where it needs an answer; engine and executor *cast* to each
other (run this action / here is its result), so neither blocks on the other.
"""

import threading

from mistral_svc import config
from mistral_svc.rpc import transport

CONF = config.CONF
_clients = {}
_lock = threading.Lock()


def _client(topic, timeout=None):
    key = (topic, timeout)
    with _lock:
        if key not in _clients:
            _clients[key] = transport.make_client(topic, timeout=timeout)
        return _clients[key]


def reset():
    with _lock:
        _clients.clear()


class EngineClient:
    """What the API, executors and the scheduler ask of engines."""

    def __init__(self):
        self._call = _client(CONF.engine.topic, timeout=CONF.api.rpc_timeout)
        self._cast = _client(CONF.engine.topic)
        self._hb = _client(CONF.engine.topic, timeout=max(CONF.executor.heartbeat_interval,
                                                          5.0))

    def start_workflow(self, ctx, wf_identifier, wf_namespace="", wf_input=None,
                       description="", params=None, exact_namespace=False, columns=None,
                       wf_ex_id=None):
        """Start an execution (with the id ``wf_ex_id`` if given): ``{"id", "state"}``,
        and ``"columns"`` with the stored values of the execution's columns named in
        ``columns``."""
        kwargs = {}
        if wf_ex_id:
            kwargs["wf_ex_id"] = wf_ex_id
        if exact_namespace:
            kwargs["exact_namespace"] = True
        if columns:
            kwargs["columns"] = list(columns)
        return self._call.call(ctx, "start_workflow", wf_identifier=wf_identifier,
                               wf_namespace=wf_namespace, wf_input=wf_input or {},
                               description=description, params=params or {}, **kwargs)

    def pause_workflow(self, ctx, wf_ex_id):
        return self._call.call(ctx, "pause_workflow", wf_ex_id=wf_ex_id)

    def resume_workflow(self, ctx, wf_ex_id, env=None):
        return self._call.call(ctx, "resume_workflow", wf_ex_id=wf_ex_id, env=env)

    def stop_workflow(self, ctx, wf_ex_id, state, message=None):
        return self._call.call(ctx, "stop_workflow", wf_ex_id=wf_ex_id, state=state,
                               message=message)

    def rerun_task(self, ctx, task_ex_id, reset=True, env=None):
        return self._call.call(ctx, "rerun_task", task_ex_id=task_ex_id, reset=reset,
                               env=env)

    def skip_task(self, ctx, task_ex_id):
        return self._call.call(ctx, "skip_task", task_ex_id=task_ex_id)

    def start_action(self, ctx, action_name, action_input, description=None,
                     namespace="", params=None):
        return self._call.call(ctx, "start_action", action_name=action_name,
                               action_input=action_input or {}, description=description,
                               namespace=namespace, params=params or {})

    def cast(self, method, ctx=None, **kwargs):
        """Fire-and-forget any engine method (cascades between executions)."""
        self._cast.cast(ctx or {}, method, **kwargs)

    def on_action_complete(self, ctx, action_ex_id, result):
        self._cast.cast(ctx, "on_action_complete", action_ex_id=action_ex_id, result=result)

    def on_actions_complete(self, ctx, results):
        """Results of several action executions in one message: a list of
        ``[action_ex_id, workflow_execution_id or None, result dict]``."""
        self._cast.cast(ctx, "on_actions_complete", results=results)

    def report_actions(self, ctx, executor, running, finished):
        """An executor's heartbeat; answers which finished results to send again."""
        return self._hb.call(ctx, "report_actions", executor=executor, running=running,
                             finished=finished)

    def on_actions_accepted(self, ctx, executor, action_ex_ids):
        """An executor took these action executions and is about to run them."""
        self._cast.cast(ctx, "on_actions_accepted", executor=executor,
                        action_ex_ids=action_ex_ids)

    def claim_actions(self, ctx, executor, action_ex_ids):
        """Ask to run action executions that may have been delivered twice; answers
        the ids this executor may run (no other executor acknowledged them)."""
        return self._hb.call(ctx, "claim_actions", executor=executor,
                             action_ex_ids=action_ex_ids)

    def release_actions(self, ctx, executor, action_ex_ids):
        """An executor that is stopping gives back actions it accepted but never
        started; answered once they are marked to be sent again."""
        return self._hb.call(ctx, "release_actions", executor=executor,
                             action_ex_ids=action_ex_ids)

    def on_workflow_complete(self, ctx, wf_ex_id):
        """A sub-workflow finished: its parent task may go on."""
        self._cast.cast(ctx, "on_workflow_complete", wf_ex_id=wf_ex_id)

    def complete_action(self, ctx, action_ex_id, result):
        """The API's PUT of an action execution's result: answered once it is stored."""
        return self._call.call(ctx, "complete_action", action_ex_id=action_ex_id,
                               result=result)

    def on_action_update(self, ctx, action_ex_id, state):
        return self._call.call(ctx, "on_action_update", action_ex_id=action_ex_id,
                               state=state)

    def process_job(self, ctx, func_name, func_args):
        """Hand a due job the scheduler claimed to an engine and wait until it was
        handled: the scheduler deletes the job only then, so a job whose engine died
        is claimed again when its lease expires (handlers are idempotent)."""
        self._call.call(ctx, "process_job", func_name=func_name, func_args=func_args)


class ExecutorClient:
    """What engines ask of executors."""

    def __init__(self):
        self._cast = _client(CONF.executor.topic)

    def run_action(self, ctx, action_ex_id, action_name, params, safe_rerun=False,
                   exec_ctx=None, target=None, timeout=None, **delivery):
        """One action execution; ``delivery``: ``ack_by`` and ``claim`` (see
        ``engine.sending.dispatch``)."""
        client = self._cast
        if target:
            client = client.prepare(server=target)
        client.cast(ctx, "run_action", action_ex_id=action_ex_id, action_name=action_name,
                    params=params, safe_rerun=safe_rerun, exec_ctx=exec_ctx or {},
                    timeout=timeout, **delivery)

    def run_actions(self, ctx, actions, target=None):
        """Several action executions in one message: dicts with the keyword arguments
        of ``run_action`` (an executor runs them side by side)."""
        client = self._cast
        if target:
            client = client.prepare(server=target)
        client.cast(ctx, "run_actions", actions=actions)

    def run_action_sync(self, ctx, action_name, params, exec_ctx=None, target=None,
                        timeout=None):
        """Run an action on an executor and wait for its result dict (run-action)."""
        wait = float(timeout) + 5 if timeout else CONF.api.rpc_timeout
        client = _client(CONF.executor.topic, timeout=wait)
        if target:
            client = client.prepare(server=target)
        return client.call(ctx, "run_action_sync", action_name=action_name, params=params,
                           exec_ctx=exec_ctx or {}, timeout=timeout)


class NotifierClient:
    """What engines send the notifier service (``[notifier] topic``)."""

    def __init__(self):
        self._cast = _client(CONF.notifier.topic)

    def notify(self, ctx, notifications):
        """Notifications of one committed transaction, delivered in order."""
        self._cast.cast(ctx, "notify", notifications=notifications)
