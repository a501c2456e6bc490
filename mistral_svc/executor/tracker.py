"""What an executor is doing, reported to engines by heartbeat.

An executor tracks the action executions it runs and the results it sent but engines
have not yet settled. Every heartbeat tells an engine both: running actions get a fresh
``last_heartbeat`` (so they are not taken for lost), and a result an engine lost (its
process died while handling it) is sent again. Results are thus delivered at least once,
and the engine's handlers ignore duplicates.
"""

import logging
import threading
import time

from mistral_svc import config
from mistral_svc.coordination import membership

CONF = config.CONF
LOG = logging.getLogger(__name__)


class Tracker:
    """Running action ids and unconfirmed results, shared by an executor's threads."""

    def __init__(self, engine):
        self._engine = engine
        self._lock = threading.Lock()
        self._running = set()
        self._unconfirmed = {}  # action_ex_id -> (ctx, result dict, monotonic time sent)
        self._stop = threading.Event()
        self._thread = None

    def begin(self, action_ex_id):
        """Register an action about to run; False if it is running here already (a
        re-dispatch of work this executor still has in hand)."""
        with self._lock:
            if action_ex_id in self._running or action_ex_id in self._unconfirmed:
                return False
            self._running.add(action_ex_id)
            return True

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
            running = sorted(self._running)
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
