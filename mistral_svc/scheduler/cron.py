"""Cron trigger firing, run by the scheduler on every poll.

Each due trigger is first claimed (``triggers.advance``: a conditional UPDATE of its
next execution time), then its execution is started through an engine. Claim first,
start second: of several schedulers only the winner of a slot starts an execution, so
a slot never fires twice. The price is that a scheduler dying between the two steps
loses that one firing, which is the same at-most-once promise Mistral's cron makes.
"""

import logging

from mistral_svc import config
from mistral_svc.db import models
from mistral_svc.rpc import clients
from mistral_svc.services import triggers, trusts

CONF = config.CONF
LOG = logging.getLogger(__name__)

# workflow_executions_v2.description is 255 characters wide.
_DESCRIPTION_MAX = 255


class CronTriggers:
    """Scheduler hook: fire the cron triggers that are due."""

    def __init__(self, engine=None, clock=models.utcnow):
        self._engine = engine
        self._clock = clock

    def __call__(self):
        return self.fire_due()

    def fire_due(self):
        """Fire every due trigger this scheduler wins; returns the triggers fired."""
        now = self._clock()
        fired = []
        for trigger in triggers.due(now, CONF.scheduler.batch_size):
            if not triggers.advance(trigger, now):
                continue  # another scheduler took this slot
            fired.append(trigger)
            self._start(trigger)
        return fired

    def _start(self, trigger):
        description = ("Started by cron trigger '%s'" % trigger.name)[:_DESCRIPTION_MAX]
        try:
            self._engine = self._engine or clients.EngineClient()
            result = self._engine.start_workflow(
                trusts.owner_context(trigger),
                trigger.workflow_id or trigger.workflow_name,
                trigger.workflow_namespace or "",
                trigger.workflow_input or {},
                description,
                triggers.execution_params(trigger),
            )
        except Exception as e:  # noqa: BLE001 - one bad trigger must not stop the others
            LOG.error("cron trigger %s (%s) could not start workflow %s: %s",
                      trigger.name, trigger.id, trigger.workflow_name, e)
            return
        LOG.info("cron trigger %s started execution %s of workflow %s", trigger.name,
                 (result or {}).get("id"), trigger.workflow_name)
