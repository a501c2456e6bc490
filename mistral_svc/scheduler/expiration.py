"""Mistral's execution expiration policy (``[execution_expiration_policy]``), run by
the scheduler.

Every ``evaluation_interval`` minutes the scheduler deletes finished top-level
executions (with their tasks, action executions and sub-workflows): those that
finished more than ``older_than`` minutes ago, and beyond the ``max_finished_executions``
newest finished ones. States in ``ignored_states`` are kept. Deletion goes in
transactions of ``batch_size`` executions (0: 500 at a time), so a large backlog never
becomes one long transaction. Several schedulers may evaluate at once: deleting an
execution twice changes nothing.
"""

import datetime
import logging

import sqlalchemy as sa

from mistral_svc import config
from mistral_svc.db import api as db_api, models
from mistral_svc.services import executions
from mistral_svc.workflow import states

CONF = config.CONF
LOG = logging.getLogger(__name__)
DEFAULT_BATCH = 500


def _final_states():
    ignored = set(CONF.execution_expiration_policy.ignored_states or [])
    return [s for s in (states.SUCCESS, states.ERROR, states.CANCELLED) if s not in ignored]


def _finished_roots(session, final):
    wf = models.WorkflowExecution
    return (session.query(wf.id)
            .filter(wf.task_execution_id.is_(None))
            .filter(wf.state.in_(final)))


def _finished_at():
    wf = models.WorkflowExecution
    return sa.func.coalesce(wf.updated_at, wf.created_at)


def _delete_batch(select):
    """Delete the executions ``select(session)`` returns, in one transaction; returns
    how many."""
    with db_api.transaction() as session:
        ids = [row.id for row in select(session)]
        for wf_ex_id in ids:
            executions._delete_tree(session, wf_ex_id)
    return len(ids)


class ExpirationPolicy:
    """Scheduler hook: evaluate the policy when ``evaluation_interval`` has passed."""

    def __init__(self, clock=models.utcnow):
        self._clock = clock
        self._last = None

    def __call__(self):
        opts = CONF.execution_expiration_policy
        if not opts.evaluation_interval:
            return 0
        now = self._clock()
        if self._last is not None and \
                now - self._last < datetime.timedelta(minutes=opts.evaluation_interval):
            return 0
        self._last = now
        return self.run_once(now)

    def run_once(self, now=None):
        """Apply the policy once; returns how many executions were deleted."""
        opts = CONF.execution_expiration_policy
        now = now or self._clock()
        final = _final_states()
        if not final:
            return 0
        batch = opts.batch_size or DEFAULT_BATCH
        deleted = 0
        if opts.older_than:
            cutoff = now - datetime.timedelta(minutes=opts.older_than)

            def expired(session):
                return (_finished_roots(session, final).filter(_finished_at() < cutoff)
                        .order_by(_finished_at()).limit(batch).all())

            deleted += self._drain(expired)
        if opts.max_finished_executions:
            keep = opts.max_finished_executions

            def superfluous(session):
                return (_finished_roots(session, final)
                        .order_by(_finished_at().desc(), models.WorkflowExecution.id)
                        .offset(keep).limit(batch).all())

            deleted += self._drain(superfluous)
        if deleted:
            LOG.info("execution expiration policy deleted %d executions", deleted)
        return deleted

    @staticmethod
    def _drain(select):
        total = 0
        while True:
            n = _delete_batch(select)
            total += n
            if n == 0:
                return total
