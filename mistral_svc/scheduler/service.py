"""The scheduler service: polls due jobs and hands each to an engine.

Jobs are delivered to engines as RPC casts (``process_job``); the job row is deleted
only after the cast was sent, and the engine's handlers are idempotent, so a job that is
delivered twice after a crash changes nothing the second time.
"""

import logging
import threading

from mistral_svc import config
from mistral_svc.coordination import membership
from mistral_svc.rpc import clients
from mistral_svc.scheduler import jobs

CONF = config.CONF
LOG = logging.getLogger(__name__)


class SchedulerService:
    """Runs the polling loop in a thread of its own."""

    def __init__(self):
        self._stop = threading.Event()
        self._thread = None
        self._owner = membership.member_id()
        self._hooks = []

    def add_hook(self, func):
        """Run ``func()`` on every poll (cron triggers plug in here)."""
        self._hooks.append(func)

    def start(self):
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def _loop(self):
        engine = None
        while not self._stop.wait(CONF.scheduler.fixed_delay):
            try:
                engine = engine or clients.EngineClient()
                self.poll(engine)
            except Exception:  # noqa: BLE001 - keep polling through transient failures
                LOG.exception("scheduler poll failed")

    def poll(self, engine):
        for job in jobs.claim_due(self._owner, CONF.scheduler.pickup_job_after,
                                  CONF.scheduler.batch_size):
            engine.process_job({}, job["func_name"], job["func_args"])
            jobs.done(job["id"])
        for hook in self._hooks:
            hook()

    def stop(self, graceful=True):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
