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
from mistral_svc.coordination import membership
from mistral_svc.executor import runner
from mistral_svc.executor.tracker import Tracker
from mistral_svc.rpc import clients, transport

CONF = config.CONF
LOG = logging.getLogger(__name__)


# Finding, making and running the action: see ``runner``.
run_action = runner.run_action


class ExecutorEndpoint:
    """RPC endpoint of executors (topic ``[executor] topic``).

    An action is acknowledged to the engines by the worker about to run it, before it
    runs: an engine re-sends only actions that no executor acknowledged, since nobody
    can have started those (an action still waiting for a worker when its executor
    dies is one of them), and takes only acknowledged ones that then went silent for
    lost while running. An action this executor accepted before (a re-send that
    crossed the acknowledgement) runs nothing.
    """

    def __init__(self, pool, tracker=None, engine=None):
        self._pool = pool
        self._engine = engine or clients.EngineClient()
        self._outbox = ResultOutbox(self._engine)
        self._acks = AckOutbox(self._engine)
        self._tracker = tracker
        self._accepting = True

    def run_actions(self, ctx, actions):
        """Several action executions sent in one message."""
        for kwargs in actions:
            self.run_action(ctx, **kwargs)

    def run_action(self, ctx, action_ex_id, action_name, params, safe_rerun=False,
                   exec_ctx=None, timeout=None, ack_by=None, claim=False):
        if not self._accepting:
            return  # stopping: left unacknowledged, so an engine sends it again
        if self._tracker is not None and not self._tracker.begin(action_ex_id):
            return  # accepted here before: a duplicate delivery runs nothing
        # A delivery that may have a twin runs only once an engine granted it.
        claim = bool(claim or (ack_by and time.time() > ack_by))
        # Hand the work to the bounded pool so RPC dispatch threads stay free.
        wf_ex_id = (exec_ctx or {}).get("workflow_execution_id")
        reporter = _OnceReporter(self._outbox, ctx, action_ex_id, wf_ex_id, self._tracker)
        reporter.claim = claim
        self._pool.submit(self._run, reporter, action_name, params, exec_ctx, timeout)

    def stop_accepting(self):
        """Take no new action from now on (graceful stop): what still arrives is left
        unacknowledged, and so is sent again by an engine to another executor."""
        self._accepting = False

    def _acknowledged(self, reporter):
        """Acknowledge (or claim) the action a worker is about to run; False if it must
        not run (refused, or the acknowledgement could not be sent)."""
        if reporter.claim:
            ok = reporter.action_ex_id in self._claim(reporter.ctx, [reporter.action_ex_id])
        else:
            ok = self._acks.ack(reporter.ctx, reporter.action_ex_id)
        if not ok and self._tracker is not None:
            self._tracker.give_back(reporter.action_ex_id)
        return ok

    def _claim(self, ctx, ids, attempts=3):
        """The ``ids`` an engine granted this executor. A claim whose answer is lost
        is asked again (granted again if it was granted); after the last attempt the
        claims are given up, so that no engine waits on them here."""
        member = membership.member_id()
        for _attempt in range(attempts):
            try:
                return self._engine.claim_actions(ctx, executor=member, action_ex_ids=ids)
            except Exception:  # noqa: BLE001 - asked again
                LOG.warning("could not claim action executions %s", ", ".join(ids),
                            exc_info=True)
        try:
            self._engine.release_actions(ctx, executor=member, action_ex_ids=ids)
        except Exception:  # noqa: BLE001 - then they count as lost with this executor
            LOG.warning("could not give up the claims of %s", ", ".join(ids), exc_info=True)
        return []

    def _run(self, reporter, action_name, params, exec_ctx, timeout=None):
        if self._tracker is not None and not self._tracker.start_running(reporter.action_ex_id):
            return  # handed back on a graceful stop: another executor runs it
        if not self._acknowledged(reporter):
            return
        if timeout:
            # A thread cannot be killed: at the deadline the action is reported as
            # failed, and whatever it returns later is dropped.
            timer = threading.Timer(float(timeout), reporter.send, args=(
                base.Result(error=_timeout_message(action_name, timeout)),))
            timer.daemon = True
            timer.start()
            reporter.timer = timer
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
        self.ctx, self.action_ex_id = ctx, action_ex_id
        self.claim = False
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


class AckOutbox:
    """Acknowledgements of actions about to run, several per message when workers
    start together; each worker waits until its own has left.

    The worker whose acknowledgement finds no send in progress sends it at once and
    then keeps sending whatever others queued meanwhile (a group commit)."""

    def __init__(self, engine, in_process=None):
        self._engine = engine
        self._lock = threading.Lock()
        self._queue = []
        self._sending = False
        if in_process is None:
            in_process = transport.is_in_process()
        # On the in-process transport the engines live in this process: their
        # acknowledgements are handed over directly, at the cost of a function call.
        self._local = _local_acks() if in_process else None

    def ack(self, ctx, action_ex_id):
        """True once the acknowledgement of ``action_ex_id`` was sent."""
        entry = {"ctx": ctx, "id": action_ex_id, "done": threading.Event(), "ok": False}
        with self._lock:
            self._queue.append(entry)
            leader = not self._sending
            self._sending = True
        if not leader:
            entry["done"].wait()
            return entry["ok"]
        while True:
            with self._lock:
                batch, self._queue = self._queue, []
                if not batch:
                    self._sending = False
                    break
            self._send(batch)
        return entry["ok"]

    def _send(self, batch):
        by_ctx = {}
        for entry in batch:
            by_ctx.setdefault(transport.context_key(entry["ctx"]),
                              (entry["ctx"], []))[1].append(entry)
        for ctx, entries in by_ctx.values():
            ids = [e["id"] for e in entries]
            try:
                if self._local is not None:
                    self._local(membership.member_id(), ids)
                else:
                    self._engine.on_actions_accepted(ctx, executor=membership.member_id(),
                                                     action_ex_ids=ids)
                ok = True
            except Exception:  # noqa: BLE001 - not acknowledged: an engine sends them again
                LOG.warning("could not acknowledge action executions %s; not running them",
                            ", ".join(ids), exc_info=True)
                ok = False
            for e in entries:
                e["ok"] = ok
                e["done"].set()


def _local_acks():
    from mistral_svc.engine import recovery

    return recovery.accept_actions


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
        self._engine = clients.EngineClient()
        self._tracker = Tracker(self._engine)
        self._endpoint = ExecutorEndpoint(self._pool, self._tracker, self._engine)
        self._server = transport.make_server(
            CONF.executor.topic, [self._endpoint], "executor", server=CONF.host,
        )

    def start(self):
        self._server.start()
        self._tracker.start()

    def stop(self, graceful=True):
        """Take no new work; hand the accepted actions no worker started back to the
        engines (they send them again, to another executor); let running actions
        finish (up to ``graceful_shutdown_timeout``) and deliver their results."""
        self._server.stop()
        self._server.wait()
        self._endpoint.stop_accepting()
        queued = self._tracker.hand_back()
        if queued:
            try:
                self._engine.release_actions({}, executor=membership.member_id(),
                                             action_ex_ids=queued)
                LOG.info("handed back action executions %s", ", ".join(queued))
            except Exception:  # noqa: BLE001 - then they count as lost with this executor
                LOG.warning("could not hand back action executions %s", ", ".join(queued),
                            exc_info=True)
        deadline = time.monotonic() + (CONF.graceful_shutdown_timeout if graceful else 0)
        while self._tracker.busy() and time.monotonic() < deadline:
            time.sleep(0.1)
        try:
            self._tracker.beat(settle_all=True)
        except Exception:  # noqa: BLE001 - engines may be gone; they recover by scan
            pass
        self._tracker.stop()
        self._pool.shutdown(wait=False)
