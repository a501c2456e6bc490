"""Recovering work lost with a dead process.

- An executor acknowledges each action execution as a worker starts it
  (``accept_actions``; its first heartbeat does too), which sets ``last_heartbeat``.
  An action execution still RUNNING with no ``last_heartbeat`` a while
  (``action_ack_timeout``) after it was sent was never started by anybody: its
  message was lost (the engine died between its commit and its cast, the broker lost
  it, the process stopped). It is sent again, whatever its safe-rerun, as a delivery
  that the executor must claim (``claim_actions``) before running it, so two copies
  of it never both run.
- Executors report by heartbeat what they run and which results they sent; running
  action executions get a fresh ``last_heartbeat``, and a result an engine lost (it died
  while handling it) is asked for again.
- Every engine scans periodically (and once at start) for acknowledged action
  executions whose executor stopped reporting: the action runs again when its task has
  ``safe-rerun``, otherwise the task fails with a clear state_info. It also finds
  workflow tasks whose sub-workflow completed while the notice to the parent was lost,
  and reverting executions whose request to a child (or the child's answer) was lost.

Each fix runs in its own transaction under the execution's lock and re-checks the state
first (``judge``), so several engines scanning at once, or a late original message,
change nothing twice.
"""

import datetime
import logging
import threading
import time

import sqlalchemy as sa

from mistral_svc import config
from mistral_svc.db import api as db_api, models, session as db_session
from mistral_svc.engine import acks, apply, standalone
from mistral_svc.workflow import states
from mistral_svc.workflow.conducting import lost_message  # noqa: F401 - shown in tests
from mistral_svc.workflow.reverting import REVERTING_PREFIX

CONF = config.CONF
LOG = logging.getLogger(__name__)

RESEND = "resent"
RERUN_OR_FAIL = "lost"

_TABLE = models.ActionExecution.__table__


def judge(action_ex, now, ack_timeout, heartbeat_timeout):
    """What recovery does with an action execution at ``now``: RESEND (never
    acknowledged, and its last delivery is ``ack_timeout`` old), RERUN_OR_FAIL
    (acknowledged, then no heartbeat for ``heartbeat_timeout``; an asynchronous
    action, which waits for its result over the API, never is), or None."""
    if action_ex is None or action_ex.state != states.RUNNING:
        return None
    if action_ex.last_heartbeat is None:
        sent = action_ex.updated_at or action_ex.created_at
        if sent <= now - datetime.timedelta(seconds=ack_timeout):
            return RESEND
        return None
    if action_ex.is_sync is False:
        return None
    if action_ex.last_heartbeat < now - datetime.timedelta(seconds=heartbeat_timeout):
        return RERUN_OR_FAIL
    return None


def accept_actions(executor, action_ex_ids):
    """An executor's acknowledgement: these action executions start there (stored
    unless their result comes first, see ``acks``)."""
    if action_ex_ids:
        acks.BUFFER.accept(executor, action_ex_ids)


def claim_actions(executor, action_ex_ids):
    """An executor asks to run deliveries that may have a twin: each is granted
    (returned) only if no other executor acknowledged it, and is then this one's (a
    claim asked again, its answer lost, is granted again)."""
    # This engine's own pending acknowledgements count: store them first.
    acks.BUFFER.flush(everything=True)
    granted = []
    now = models.utcnow()
    for action_ex_id in sorted(action_ex_ids):
        with db_api.transaction() as session:
            done = session.execute(
                _TABLE.update()
                .where(_TABLE.c.id == action_ex_id)
                .where(_TABLE.c.state == states.RUNNING)
                .where(sa.or_(_TABLE.c.last_heartbeat.is_(None),
                              _TABLE.c.acked_by == executor))
                .values(last_heartbeat=now, acked_by=executor)
            ).rowcount
        if done:
            granted.append(action_ex_id)
    return granted


def release_actions(executor, action_ex_ids):
    """A stopping executor gives back actions it acknowledged but never started:
    they count as never acknowledged again, and are sent again at once."""
    if not action_ex_ids:
        return
    acks.BUFFER.settled(action_ex_ids)
    with db_api.transaction() as session:
        session.execute(
            _TABLE.update()
            .where(_TABLE.c.id.in_(sorted(action_ex_ids)))
            .where(_TABLE.c.state == states.RUNNING)
            .where(sa.or_(_TABLE.c.acked_by.is_(None), _TABLE.c.acked_by == executor))
            .values(last_heartbeat=None, acked_by=None)
        )
    for action_ex_id in action_ex_ids:
        try:
            db_session.retry_on_deadlock(recover_action)(action_ex_id, ack_timeout=0)
        except Exception:  # noqa: BLE001 - the scan sends it later
            LOG.warning("could not send action execution %s again", action_ex_id,
                        exc_info=True)


def report_actions(executor, running, finished):
    """Handle an executor heartbeat; returns ``{"resend": [ids]}``: finished actions
    whose result never got through (still RUNNING here)."""
    now = models.utcnow()
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
                _TABLE.update()
                .where(_TABLE.c.id.in_(sorted(alive)))
                .where(_TABLE.c.state == states.RUNNING)
                .values(last_heartbeat=now,
                        acked_by=sa.func.coalesce(_TABLE.c.acked_by, executor))
            )
    return {"resend": resend}


def _cutoff(seconds):
    return models.utcnow() - datetime.timedelta(seconds=seconds)


def _unacknowledged_actions(ack_timeout, limit=200):
    a = models.ActionExecution
    with db_api.transaction(read_only=True) as session:
        return [r.id for r in session.query(a.id).filter(
            a.state == states.RUNNING,
            a.last_heartbeat.is_(None),
            sa.func.coalesce(a.updated_at, a.created_at) <= _cutoff(ack_timeout),
        ).order_by(sa.func.coalesce(a.updated_at, a.created_at)).limit(limit)]


def _stale_actions(limit=200):
    a = models.ActionExecution
    with db_api.transaction(read_only=True) as session:
        return [r.id for r in session.query(a.id).filter(
            a.state == states.RUNNING,
            a.workflow_execution_id.isnot(None),
            sa.or_(a.is_sync.is_(None), a.is_sync.is_(True)),
            a.last_heartbeat.isnot(None),
            a.last_heartbeat < _cutoff(CONF.engine.action_heartbeat_timeout),
        ).limit(limit)]


def recover_action(action_ex_id, ack_timeout=None):
    """Send again, re-run or fail one action execution (see ``judge``); returns
    "resent", "rerun", "failed" or None (it was acknowledged or reported meanwhile,
    or completed)."""
    now = models.utcnow()
    if ack_timeout is None:
        ack_timeout = CONF.engine.action_ack_timeout
    wf_ex_id = apply.execution_of_action(action_ex_id)
    if wf_ex_id is None:
        # A standalone action (run-action) is only ever sent again: with no task, it
        # has no safe-rerun to go by, and nobody waits on it to fail.
        due = standalone.resend_unacknowledged(action_ex_id, lambda a: judge(
            a, now, ack_timeout, CONF.engine.action_heartbeat_timeout) == RESEND)
        if due:
            LOG.warning("sending never acknowledged action execution %s", action_ex_id)
        return RESEND if due else None
    outcome = []

    def decide(conductor):
        action_ex = conductor.view.action(action_ex_id)
        verdict = judge(action_ex, now, ack_timeout, CONF.engine.action_heartbeat_timeout)
        if verdict == RESEND:
            conductor.on_action_unacknowledged(action_ex_id)
            outcome.append(RESEND)
        elif verdict == RERUN_OR_FAIL:
            conductor.on_action_lost(action_ex_id)
            outcome.append("rerun" if action_ex.state == states.RUNNING else "failed")

    apply.on_execution(wf_ex_id, decide)
    if outcome:
        LOG.warning("%s action execution %s", {
            RESEND: "sending never acknowledged", "rerun": "re-running lost",
            "failed": "failing lost"}[outcome[0]], action_ex_id)
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


def scan(judge_actions=True, resend_actions=True, ack_timeout=None):
    """One recovery pass; returns counts of what it fixed. With ``judge_actions``
    false, silent action executions are left alone, and with ``resend_actions`` false
    unacknowledged ones (see RecoveryLoop)."""
    done = {RESEND: 0, "rerun": 0, "failed": 0, "parents": 0, "reverts": 0}
    acks.BUFFER.flush(everything=True)
    if ack_timeout is None:
        ack_timeout = CONF.engine.action_ack_timeout
    candidates = []
    if resend_actions:
        candidates += _unacknowledged_actions(ack_timeout)
    if judge_actions:
        candidates += _stale_actions()
    for action_ex_id in candidates:
        try:
            outcome = db_session.retry_on_deadlock(recover_action)(action_ex_id,
                                                                   ack_timeout)
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
    break for ``action_heartbeat_timeout``, and unacknowledged ones sent again only
    after ``action_ack_timeout`` of the same (an acknowledgement may be waiting in the
    broker meanwhile, and live executors' heartbeats acknowledge too); the rest of the
    scan runs at once.

    On the in-process transport every executor lives and dies with this process: on
    its first scan nothing can be on its way, so whatever was never acknowledged is
    sent again at once (the embedded default restarted after a stop).
    """

    def __init__(self, in_process=False):
        self._stop = threading.Event()
        self._thread = None
        self._reachable_since = None
        self._in_process = in_process
        self._started = models.utcnow()

    def start(self):
        self._thread = threading.Thread(target=self._loop, name="engine-recovery",
                                        daemon=True)
        self._thread.start()

    def _loop(self):
        first = True
        while True:
            now = time.monotonic()
            if self._reachable_since is None:
                self._reachable_since = now
            reachable = now - self._reachable_since
            try:
                if first and self._in_process:
                    # Whatever was sent before this process started.
                    since = (models.utcnow() - self._started).total_seconds()
                    fixed = scan(judge_actions=False, ack_timeout=max(0.0, since))
                else:
                    fixed = scan(
                        judge_actions=reachable >= CONF.engine.action_heartbeat_timeout,
                        resend_actions=reachable >= CONF.engine.action_ack_timeout)
                first = False
                if any(fixed.values()):
                    LOG.info("recovery: %s", fixed)
            except Exception:  # noqa: BLE001 - the database may be briefly away
                self._reachable_since = None
                LOG.warning("recovery scan failed", exc_info=True)
            if self._stop.wait(CONF.engine.recovery_interval):
                return

    def stop(self):
        self._stop.set()
