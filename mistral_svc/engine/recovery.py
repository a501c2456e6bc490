"""Recovering work lost with a dead process.

- Executors report by heartbeat what they run and which results they sent; running
  action executions get a fresh ``last_heartbeat``, and a result an engine lost (it died
  while handling it) is asked for again.
- Every engine scans periodically (and once at start) for action executions whose
  executor stopped reporting: the action runs again when its task has ``safe-rerun``,
  otherwise the task fails with a clear state_info. It also finds workflow tasks whose
  sub-workflow completed while the notice to the parent was lost, and reverting
  executions whose request to a child (or the child's answer) was lost.

Each fix runs in its own transaction under the execution's lock and re-checks the state
first, so several engines scanning at once, or a late original message, change nothing
twice.
"""

import datetime
import logging
import threading
import time

import sqlalchemy as sa

from mistral_svc import config
from mistral_svc.db import api as db_api, models, session as db_session
from mistral_svc.engine import apply
from mistral_svc.workflow import states
from mistral_svc.workflow.conducting import lost_message  # noqa: F401 - shown in tests
from mistral_svc.workflow.reverting import REVERTING_PREFIX

CONF = config.CONF
LOG = logging.getLogger(__name__)


def report_actions(executor, running, finished):
    """Handle an executor heartbeat; returns ``{"resend": [ids]}``: finished actions
    whose result never got through (still RUNNING here)."""
    now = models.utcnow()
    table = models.ActionExecution.__table__
    with db_api.transaction() as session:
        resend = []
        if finished:
            resend = [r.id for r in session.query(models.ActionExecution.id).filter(
                models.ActionExecution.id.in_(finished),
                models.ActionExecution.state == states.RUNNING)]
        # A result about to be sent again is no more lost than a running action.
        alive = list(running) + resend
        if alive:
            session.execute(
                table.update()
                .where(table.c.id.in_(alive))
                .where(table.c.state == states.RUNNING)
                .values(last_heartbeat=now)
            )
    return {"resend": resend}


def _stale_actions(limit=200):
    cutoff = models.utcnow() - datetime.timedelta(
        seconds=CONF.engine.action_heartbeat_timeout)
    a = models.ActionExecution
    with db_api.transaction(read_only=True) as session:
        return [r.id for r in session.query(a.id).filter(
            a.state == states.RUNNING,
            a.workflow_execution_id.isnot(None),
            sa.or_(a.is_sync.is_(None), a.is_sync.is_(True)),
            sa.func.coalesce(a.last_heartbeat, a.created_at) < cutoff,
        ).limit(limit)]


def recover_action(action_ex_id):
    """Re-run or fail one action execution whose executor went silent; returns
    "rerun", "failed" or None (it reported meanwhile, or completed)."""
    now = models.utcnow()
    cutoff = now - datetime.timedelta(seconds=CONF.engine.action_heartbeat_timeout)
    wf_ex_id = apply.execution_of_action(action_ex_id)
    outcome = []

    def decide(conductor):
        action_ex = conductor.view.action(action_ex_id)
        seen = action_ex.last_heartbeat or action_ex.created_at if action_ex else None
        if action_ex is None or action_ex.state != states.RUNNING or seen >= cutoff:
            return
        conductor.on_action_lost(action_ex_id, now)
        outcome.append("rerun" if action_ex.state == states.RUNNING else "failed")

    apply.on_execution(wf_ex_id, decide)
    if outcome:
        LOG.warning("%s lost action execution %s",
                    "re-running" if outcome[0] == "rerun" else "failing", action_ex_id)
    return outcome[0] if outcome else None


def on_child_complete(child_id):
    """A sub-workflow finished: complete or advance its parent task."""
    with db_api.transaction(read_only=True) as session:
        found = apply.child_outcome(session, child_id)
    if found is None:
        return
    task_ex_id, child = found
    if not states.is_completed(child.state):
        return
    parent_id = apply.execution_of_task(task_ex_id)
    apply.on_execution(parent_id, lambda c: c.on_child_complete(task_ex_id, child))


def _stranded_parents(limit=200):
    """Workflow tasks still RUNNING although a sub-workflow of theirs completed a while
    ago: the notice from child to parent was lost."""
    cutoff = models.utcnow() - datetime.timedelta(seconds=CONF.engine.recovery_interval)
    t, w = models.TaskExecution, models.WorkflowExecution
    with db_api.transaction(read_only=True) as session:
        rows = session.query(w.id).join(t, t.id == w.task_execution_id).filter(
            t.state == states.RUNNING, t.type == "WORKFLOW",
            w.state.in_(states.COMPLETED),
            sa.func.coalesce(w.updated_at, w.created_at) < cutoff,
        ).limit(limit)
        return [r.id for r in rows]


def _stalled_reverts(limit=200):
    """Executions reverting their tasks that have not moved for a while."""
    cutoff = models.utcnow() - datetime.timedelta(seconds=CONF.engine.recovery_interval)
    w = models.WorkflowExecution
    with db_api.transaction(read_only=True) as session:
        rows = session.query(w.id).filter(
            w.state == states.RUNNING, w.state_info.like(REVERTING_PREFIX + "%"),
            sa.func.coalesce(w.updated_at, w.created_at) < cutoff,
        ).limit(limit)
        return [r.id for r in rows]


def scan(judge_actions=True):
    """One recovery pass; returns counts of what it fixed. With ``judge_actions``
    false, silent action executions are left alone (see RecoveryLoop)."""
    done = {"rerun": 0, "failed": 0, "parents": 0, "reverts": 0}
    for action_ex_id in _stale_actions() if judge_actions else ():
        try:
            outcome = db_session.retry_on_deadlock(recover_action)(action_ex_id)
        except Exception:  # noqa: BLE001 - one bad row must not stop the scan
            LOG.exception("could not recover action execution %s", action_ex_id)
            continue
        if outcome:
            done[outcome] += 1
    for child_id in _stranded_parents():
        try:
            on_child_complete(child_id)
            done["parents"] += 1
        except Exception:  # noqa: BLE001
            LOG.exception("could not resume the parent of execution %s", child_id)
    for wf_ex_id in _stalled_reverts():
        try:
            step = apply.on_execution(wf_ex_id, lambda c: c.check_reverting()).step()
            if step.delta or step.commands:
                done["reverts"] += 1
        except Exception:  # noqa: BLE001
            LOG.exception("could not go on reverting execution %s", wf_ex_id)
    return done


class RecoveryLoop:
    """Runs ``scan`` at start and then every ``[engine] recovery_interval`` seconds.

    A missing heartbeat only means an executor is gone if it could have been recorded:
    not while the database was away, nor while this engine was not running. So action
    executions are judged only once this engine has reached the database without a
    break for ``action_heartbeat_timeout``; the rest of the scan runs at once.
    """

    def __init__(self):
        self._stop = threading.Event()
        self._thread = None
        self._reachable_since = None

    def start(self):
        self._thread = threading.Thread(target=self._loop, name="engine-recovery",
                                        daemon=True)
        self._thread.start()

    def _loop(self):
        while True:
            now = time.monotonic()
            if self._reachable_since is None:
                self._reachable_since = now
            settled = now - self._reachable_since >= CONF.engine.action_heartbeat_timeout
            try:
                fixed = scan(judge_actions=settled)
                if any(fixed.values()):
                    LOG.info("recovery: %s", fixed)
            except Exception:  # noqa: BLE001 - the database may be briefly away
                self._reachable_since = None
                LOG.warning("recovery scan failed", exc_info=True)
            if self._stop.wait(CONF.engine.recovery_interval):
                return

    def stop(self):
        self._stop.set()
