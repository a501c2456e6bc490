"""Executors' acknowledgements, written to the database only when they matter.

An executor acknowledges every action execution before it runs it. Most actions end
within milliseconds, and their result settles them in a transaction of its own: writing
each acknowledgement as well would double the writes of a chain. So an engine keeps the
acknowledgements it receives for ``DELAY`` seconds and writes, in one statement, only
those whose result has not reached it meanwhile (a result waiting in this engine to be
applied counts: a burst of with-items results writes no acknowledgement).

Nothing is lost if this engine dies holding some: live executors report what they run
with every heartbeat, which acknowledges too, well before any engine would send an
unacknowledged action again (``[engine] action_ack_timeout``).
"""

import logging
import threading
import time

from mistral_svc.db import api as db_api, models
from mistral_svc.workflow import states

LOG = logging.getLogger(__name__)

DELAY = 0.5
_TABLE = models.ActionExecution.__table__


class AckBuffer:
    """Acknowledged ids waiting to be written, and the thread that writes them."""

    def __init__(self, delay=DELAY, clock=time.monotonic):
        self._delay = delay
        self._clock = clock
        self._pending = {}  # action_ex_id -> (monotonic time received, executor)
        self._cond = threading.Condition()
        self._thread = None
        self._stopped = False

    def accept(self, executor, action_ex_ids):
        now = self._clock()
        with self._cond:
            for action_ex_id in action_ex_ids:
                self._pending.setdefault(action_ex_id, (now, executor))
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._loop, name="engine-acks",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def settled(self, action_ex_ids):
        """These have a stored result: their acknowledgement need not be written."""
        with self._cond:
            for action_ex_id in action_ex_ids:
                self._pending.pop(action_ex_id, None)

    def due(self, everything=False):
        """Take the acknowledgements received ``delay`` ago or more (all with
        ``everything``): ``{executor: [action_ex_id]}``."""
        cutoff = self._clock() - (0 if everything else self._delay)
        by_executor = {}
        with self._cond:
            ids = [i for i, (t, _) in self._pending.items() if t <= cutoff]
            for action_ex_id in sorted(ids):
                _, executor = self._pending.pop(action_ex_id)
                by_executor.setdefault(executor, []).append(action_ex_id)
        return by_executor

    def flush(self, everything=False):
        """Write what is due; what could not be written waits for the next flush."""
        by_executor = self.due(everything)
        for executor, ids in by_executor.items():
            try:
                write(executor, ids)
            except Exception:
                self.accept(executor, ids)
                raise
        return by_executor

    def _loop(self):
        while True:
            with self._cond:
                while not self._pending and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
            time.sleep(self._delay)
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - heartbeats acknowledge them all the same
                LOG.warning("could not store acknowledgements", exc_info=True)

    def stop(self):
        """Write what is pending and stop the thread (the engine is stopping; a later
        ``accept`` starts it again)."""
        with self._cond:
            self._stopped = True
            thread, self._thread = self._thread, None
            self._cond.notify()
        if thread is not None:
            thread.join(timeout=5)
        with self._cond:
            self._stopped = False
        try:
            self.flush(everything=True)
        except Exception:  # noqa: BLE001
            LOG.warning("could not store acknowledgements", exc_info=True)


def write(executor, action_ex_ids):
    """Mark action executions as acknowledged by ``executor`` (those still RUNNING
    that nobody acknowledged yet)."""
    with db_api.transaction() as session:
        session.execute(
            _TABLE.update()
            .where(_TABLE.c.id.in_(sorted(action_ex_ids)))
            .where(_TABLE.c.state == states.RUNNING)
            .where(_TABLE.c.last_heartbeat.is_(None))
            .values(last_heartbeat=models.utcnow(), acked_by=executor)
        )


BUFFER = AckBuffer()
