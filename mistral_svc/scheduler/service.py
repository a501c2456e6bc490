"""The scheduler service: polls due jobs and hands each to an engine.

Jobs are delivered to engines as RPC casts (``process_job``); a batch of jobs is deleted
only after its casts were sent, and the engine's handlers are idempotent, so a job that
is delivered twice after a crash changes nothing the second time. Hooks (cron triggers)
run after the jobs on every poll.
"""

import logging
import threading
import weakref

from mistral_svc import config
from mistral_svc.coordination import membership
from mistral_svc.rpc import clients
from mistral_svc.scheduler import jobs

CONF = config.CONF
LOG = logging.getLogger(__name__)

# Every scheduler started in this process. Tests that point the process at another
# database pause them first, so no poll runs against a database swapped under it.
_started = weakref.WeakSet()


def started():
    """The SchedulerServices started in this process and not stopped yet."""
    return list(_started)


class SchedulerService:
    """Runs the polling loop in a thread of its own."""

    def __init__(self):
        self._stop = threading.Event()
        self._resumed = threading.Event()
        self._resumed.set()
        self._round = threading.Lock()
        self._thread = None
        self._owner = membership.member_id()
        self._hooks = []
        self._engine = None

    def add_hook(self, func):
        """Run ``func()`` on every poll, after the due jobs (cron triggers plug in
        here). A hook with a ``stop()`` method is stopped with the service."""
        self._hooks.append(func)

    def start(self):
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()
        _started.add(self)

    def _loop(self):
        delay = CONF.scheduler.fixed_delay
        while not self._stop.wait(delay):
            self._resumed.wait()
            if self._stop.is_set():
                break
            with self._round:
                # Checked again under the lock: pause() may have come in between.
                if not self._resumed.is_set():
                    continue
                busy = self.run_once()
            # A full batch means more jobs are probably due: poll again at once.
            delay = 0 if busy else CONF.scheduler.fixed_delay

    def run_once(self):
        """One poll: deliver due jobs, then run the hooks. Returns True when a full
        batch of jobs was claimed."""
        busy = False
        try:
            self._engine = self._engine or clients.EngineClient()
            busy = self.poll(self._engine) >= CONF.scheduler.batch_size
        except Exception:  # noqa: BLE001 - keep polling through transient failures
            LOG.exception("scheduler poll failed")
        for hook in self._hooks:
            try:
                hook()
            except Exception:  # noqa: BLE001 - one failing hook must not stop the rest
                LOG.exception("scheduler hook %r failed", hook)
        return busy

    def poll(self, engine):
        """Claim due jobs and hand them to ``engine``; returns how many were claimed."""
        claimed = jobs.claim_due(self._owner, CONF.scheduler.pickup_job_after,
                                 CONF.scheduler.batch_size)
        delivered, undelivered = [], []
        for job in claimed:
            try:
                engine.process_job({}, job["func_name"], job["func_args"])
                delivered.append(job["id"])
            except Exception:  # noqa: BLE001 - the broker may be briefly away
                LOG.warning("could not hand job %s (%s) to an engine", job["id"],
                            job["func_name"], exc_info=True)
                undelivered.append(job["id"])
        jobs.done(*delivered)
        if undelivered:
            jobs.release(undelivered, claimed[0]["lease"])
        return len(claimed)

    def pause(self):
        """Stop polling after the round in progress (which this waits for)."""
        self._resumed.clear()
        with self._round:
            pass

    def resume(self):
        self._resumed.set()

    def stop(self, graceful=True):
        self._stop.set()
        self._resumed.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        _started.discard(self)
        for hook in self._hooks:
            stop = getattr(hook, "stop", None)
            if stop is not None:
                stop()
