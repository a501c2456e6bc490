"""What an executor is doing, reported to engines by heartbeat.

An executor tracks the action executions it runs and the results it sent but engines
have not yet settled. Every heartbeat tells an engine both: running actions get a fresh
``last_heartbeat`` (so they are not taken for lost), and a result an engine lost (its
process died while handling it) is sent again. Results are thus delivered at least once,
and the engine's handlers ignore duplicates.

It also remembers the last ``SEEN`` action execution ids it accepted: an action delivered
twice (a recovery re-send that crossed the executor's acknowledgement) runs once.
"""

import collections
import logging
import threading
import time

from mistral_svc import config
from mistral_svc.coordination import membership

CONF = config.CONF
LOG = logging.getLogger(__name__)


class Tracker:
    """Running action ids and unconfirmed results, shared by an executor's threads."""

    SEEN = 10000

    def __init__(self, engine):
        self._engine = engine
        self._lock = threading.Lock()
        self._running = set()
        self._seen = collections.OrderedDict()  # accepted ids, oldest first
        self._queued = set()  # accepted, waiting for a worker
        self._stopping = False
        self._unconfirmed = {}  # action_ex_id -> (ctx, result dict, monotonic time sent)
        self._stop = threading.Event()
        self._thread = None

    def begin(self, action_ex_id):
        """Register an action about to run; False if this executor accepted it before
        (a duplicate delivery: it runs nothing)."""
        with self._lock:
            if (action_ex_id in self._running or action_ex_id in self._unconfirmed
                    or action_ex_id in self._seen):
                return False
            self._running.add(action_ex_id)
            self._queued.add(action_ex_id)
            self._seen[action_ex_id] = None
            if len(self._seen) > self.SEEN:
                self._seen.popitem(last=False)
            return True

    def give_back(self, action_ex_id):
        """Undo ``begin`` for an action that was not started after all (its
        acknowledgement could not be sent): a later delivery may run it."""
        with self._lock:
            self._running.discard(action_ex_id)
            self._queued.discard(action_ex_id)
            self._seen.pop(action_ex_id, None)

    def start_running(self, action_ex_id):
        """A worker is about to run the action: False once the executor is stopping
        (the action was handed back instead, see ``hand_back``)."""
        with self._lock:
            if self._stopping:
                return False
            self._queued.discard(action_ex_id)
            return True

    def hand_back(self):
        """Stop starting actions; returns the accepted ones no worker started, which
        are then no longer this executor's (an engine sends them again)."""
        with self._lock:
            self._stopping = True
            queued = sorted(self._queued)
            self._queued.clear()
            self._running.difference_update(queued)
            for action_ex_id in queued:
                self._seen.pop(action_ex_id, None)
            return queued

    def running(self):
        with self._lock:
            return sorted(self._running)

    def finished(self, action_ex_id, ctx, result):
        with self._lock:
            self._running.discard(action_ex_id)
            self._unconfirmed[action_ex_id] = (ctx, result, time.monotonic())

    def forget(self, action_ex_id):
        with self._lock:
            self._running.discard(action_ex_id)
            self._unconfirmed.pop(action_ex_id, None)

    def busy(self):
        with self._lock:
            return bool(self._running)

    def start(self):
        self._thread = threading.Thread(target=self._loop, name="executor-heartbeat",
                                        daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()

    def _loop(self):
        while not self._stop.wait(CONF.executor.heartbeat_interval):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - engines may be briefly away
                LOG.warning("executor heartbeat failed", exc_info=True)

    def beat(self, settle_all=False):
        """One heartbeat: report, then resend what engines lost, drop what they settled.

        Results are asked about once they are a heartbeat old, so one just sent (and
        probably being handled right now) is not sent twice for nothing.
        """
        ripe = time.monotonic() - (0 if settle_all else CONF.executor.heartbeat_interval)
        with self._lock:
            # Not those waiting for a worker: a heartbeat acknowledges what it reports.
            running = sorted(self._running - self._queued)
            finished = sorted(i for i, v in self._unconfirmed.items() if v[2] <= ripe)
        if not running and not finished:
            return
        answer = self._engine.report_actions(
            {}, executor=membership.member_id(), running=running, finished=finished)
        resend = set(answer.get("resend") or [])
        with self._lock:
            for action_ex_id in finished:
                if action_ex_id not in resend:
                    self._unconfirmed.pop(action_ex_id, None)
            lost = [(i,) + self._unconfirmed[i][:2] for i in resend if i in self._unconfirmed]
        for action_ex_id, ctx, result in lost:
            LOG.info("sending the result of action execution %s again", action_ex_id)
            self._engine.on_action_complete(ctx, action_ex_id, result)
