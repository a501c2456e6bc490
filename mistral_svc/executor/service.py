"""The executor: runs action executions it is sent and casts their results back.

Executors never touch the database: an action's input arrives in its message and its
result leaves in one, so executors can run on hosts that reach only the broker.
"""

import concurrent.futures
import logging
import threading
import time

from mistral_svc import config
from mistral_svc.actions import base
from mistral_svc.executor import runner
from mistral_svc.executor.tracker import Tracker
from mistral_svc.rpc import clients, transport

CONF = config.CONF
LOG = logging.getLogger(__name__)


# Finding, making and running the action: see ``runner``.
run_action = runner.run_action


class ExecutorEndpoint:
    """RPC endpoint of executors (topic ``[executor] topic``)."""

    def __init__(self, pool, tracker=None):
        self._pool = pool
        self._engine = clients.EngineClient()
        self._outbox = ResultOutbox(self._engine)
        self._tracker = tracker

    def run_actions(self, ctx, actions):
        """Several action executions sent in one message."""
        for kwargs in actions:
            self.run_action(ctx, **kwargs)

    def run_action(self, ctx, action_ex_id, action_name, params, safe_rerun=False,
                   exec_ctx=None, timeout=None):
        if self._tracker is not None and not self._tracker.begin(action_ex_id):
            return  # already running here: a recovery re-dispatch raced the original
        # Hand the work to the bounded pool so RPC dispatch threads stay free.
        wf_ex_id = (exec_ctx or {}).get("workflow_execution_id")
        reporter = _OnceReporter(self._outbox, ctx, action_ex_id, wf_ex_id, self._tracker)
        if timeout:
            # A thread cannot be killed: at the deadline the action is reported as
            # failed, and whatever it returns later is dropped.
            timer = threading.Timer(float(timeout), reporter.send, args=(
                base.Result(error=_timeout_message(action_name, timeout)),))
            timer.daemon = True
            timer.start()
            reporter.timer = timer
        self._pool.submit(self._run, reporter, action_name, params, exec_ctx)

    def _run(self, reporter, action_name, params, exec_ctx):
        result, is_sync = run_action(action_name, params, exec_ctx)
        if not is_sync and not result.is_error():
            reporter.cancel_timer()
            reporter.forget()
            return  # completed later through PUT /v2/action_executions/{id}
        reporter.send(result)

    def run_action_sync(self, ctx, action_name, params, exec_ctx=None, timeout=None):
        """Run an action and answer with its result dict (run-action, synchronous)."""
        future = self._pool.submit(run_action, action_name, params, exec_ctx)
        try:
            result, _ = future.result(timeout=float(timeout) if timeout else None)
        except concurrent.futures.TimeoutError:
            result = base.Result(error=_timeout_message(action_name, timeout))
        return result.to_dict()


def _timeout_message(action_name, timeout):
    return "%s timed out after %s seconds" % (action_name, timeout)


class _OnceReporter:
    """Sends one action execution's result to the engine at most once (the action's
    own result or its timeout, whichever comes first)."""

    def __init__(self, outbox, ctx, action_ex_id, wf_ex_id, tracker=None):
        self._outbox, self._ctx, self._id = outbox, ctx, action_ex_id
        self._wf_ex_id = wf_ex_id
        self._tracker = tracker
        self._lock = threading.Lock()
        self._sent = False
        self.timer = None

    def cancel_timer(self):
        if self.timer is not None:
            self.timer.cancel()

    def forget(self):
        if self._tracker is not None:
            self._tracker.forget(self._id)

    def send(self, result):
        with self._lock:
            if self._sent:
                return
            self._sent = True
        self.cancel_timer()
        if self._tracker is not None:
            # Kept until an engine settles it: a result lost with a dead engine is
            # sent again by the next heartbeat.
            self._tracker.finished(self._id, self._ctx, result.to_dict())
        self._outbox.put(self._ctx, self._id, self._wf_ex_id, result.to_dict())


class ResultOutbox:
    """Casts results to engines, several per message when they pile up.

    The thread whose result finds no send in progress sends it at once (no added
    latency for a lone result) and then keeps sending, in messages of up to
    ``BATCH``, whatever other threads queued meanwhile."""

    BATCH = 100

    def __init__(self, engine):
        self._engine = engine
        self._lock = threading.Lock()
        self._queue = []
        self._sending = False

    def put(self, ctx, action_ex_id, wf_ex_id, result):
        with self._lock:
            self._queue.append((ctx, [action_ex_id, wf_ex_id, result]))
            if self._sending:
                return
            self._sending = True
        while True:
            with self._lock:
                batch = self._queue[:self.BATCH]
                del self._queue[:self.BATCH]
                if not batch:
                    self._sending = False
                    return
            self._send(batch)

    def _send(self, batch):
        by_ctx = {}
        for ctx, item in batch:
            by_ctx.setdefault(transport.context_key(ctx), (ctx, []))[1].append(item)
        for ctx, items in by_ctx.values():
            try:
                self._engine.on_actions_complete(ctx, items)
            except Exception:  # noqa: BLE001 - kept by the tracker and sent again
                LOG.exception("could not send results of action executions %s",
                              ", ".join(i[0] for i in items))


class ExecutorService:
    """Owns the executor's RPC server and worker pool."""

    def __init__(self):
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=CONF.executor.workers, thread_name_prefix="executor"
        )
        self._tracker = Tracker(clients.EngineClient())
        self._server = transport.make_server(
            CONF.executor.topic, [ExecutorEndpoint(self._pool, self._tracker)], "executor",
            server=CONF.host,
        )

    def start(self):
        self._server.start()
        self._tracker.start()

    def stop(self, graceful=True):
        """Take no new work; let running actions finish (up to
        ``graceful_shutdown_timeout``) and deliver their results."""
        self._server.stop()
        self._server.wait()
        deadline = time.monotonic() + (CONF.graceful_shutdown_timeout if graceful else 0)
        while self._tracker.busy() and time.monotonic() < deadline:
            time.sleep(0.1)
        try:
            self._tracker.beat(settle_all=True)
        except Exception:  # noqa: BLE001 - engines may be gone; they recover by scan
            pass
        self._tracker.stop()
        self._pool.shutdown(wait=False)
