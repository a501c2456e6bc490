"""Results of action executions: batched per workflow execution, applied by the loop.

Results of one execution are applied one transaction at a time under its row lock, so
when many arrive together (with-items, fan-out) they would queue on that lock. Instead
the first thread to arrive drains every result that comes in for the execution
meanwhile, up to ``BATCH`` per transaction; the other threads return at once. A result
held only in memory here is not lost if this engine dies: its executor keeps it until
an engine has settled it, and sends it again.
"""

import logging
import threading

from oslo_db import exception as db_exc

from mistral_svc import exceptions as exc
from mistral_svc.db import api as db_api, session as db_session
from mistral_svc.engine import acks, apply, standalone
from mistral_svc.workflow import records, states

LOG = logging.getLogger(__name__)

_mailboxes = {}
_draining = set()
_mailbox_lock = threading.Lock()
BATCH = 64


def on_action_complete(action_ex_id, result_dict):
    """One result whose workflow execution the sender did not say (the API's PUT,
    heartbeat re-sends)."""
    wf_ex_id = apply.execution_of_action(action_ex_id)
    if wf_ex_id is None:
        return standalone.complete_standalone(action_ex_id, result_dict)
    deliver(wf_ex_id, [(action_ex_id, result_dict)])


def complete_action(action_ex_id, result_dict):
    """A result reported through the API (PUT with SUCCESS, ERROR or CANCELLED)."""
    with db_api.transaction(read_only=True) as session:
        action_ex = standalone.load(session, action_ex_id)
    if action_ex.state in states.COMPLETED:
        raise exc.InvalidStateChange(
            "Action execution %s is already complete (%s)" % (action_ex_id, action_ex.state))
    on_action_complete(action_ex_id, result_dict)
    return {"id": action_ex_id}


def on_actions_complete(results):
    """Executors' results: ``[action_ex_id, workflow_execution_id or None, result]``
    items, applied per workflow execution."""
    by_wf_ex = {}
    for action_ex_id, wf_ex_id, result_dict in results:
        by_wf_ex.setdefault(wf_ex_id, []).append((action_ex_id, result_dict))
    for wf_ex_id, items in by_wf_ex.items():
        try:
            if wf_ex_id is None:
                for action_ex_id, result_dict in items:
                    on_action_complete(action_ex_id, result_dict)
            else:
                deliver(wf_ex_id, items)
        except Exception:  # noqa: BLE001 - the others still apply; executors re-send
            LOG.exception("could not apply results of workflow execution %s", wf_ex_id)


def deliver(wf_ex_id, items):
    """Apply results of one workflow execution's actions (see the module docstring)."""
    # A result in hand settles the acknowledgement: should this engine die before it is
    # stored, its executor sends the result again and reports it by heartbeat.
    acks.BUFFER.settled([i for i, _ in items])
    with _mailbox_lock:
        _mailboxes.setdefault(wf_ex_id, []).extend(items)
        if wf_ex_id in _draining:
            return
        _draining.add(wf_ex_id)
    try:
        while True:
            with _mailbox_lock:
                pending = _mailboxes.get(wf_ex_id) or []
                batch, rest = pending[:BATCH], pending[BATCH:]
                if rest:
                    _mailboxes[wf_ex_id] = rest
                else:
                    _mailboxes.pop(wf_ex_id, None)
                if not batch:
                    _draining.discard(wf_ex_id)
                    return
            _apply_or_isolate(wf_ex_id, batch)
    except BaseException:
        with _mailbox_lock:
            _draining.discard(wf_ex_id)
        raise


# What storing a step raises when its data cannot be stored, however often it is tried
# (an integer too long to encode, a value the JSON encoder refuses, a column overflow).
_POISON = (ValueError, TypeError, OverflowError, RecursionError, db_exc.DBDataError)


def unstorable_message(action_ex_id, error):
    """The state_info of a task whose action's result could not be stored."""
    return ("The result of action execution %s could not be stored: %s: %s"
            % (action_ex_id, type(error).__name__, str(error)[:300]))


def _apply_or_isolate(wf_ex_id, batch):
    """Apply a batch; if its data cannot be stored, find the result at fault and fail
    its task instead, so the others go on and no executor re-sends it forever."""
    try:
        db_session.retry_on_deadlock(_apply)(wf_ex_id, batch)
        return
    except _POISON as e:
        if len(batch) > 1:
            for item in batch:
                _apply_or_isolate(wf_ex_id, [item])
            return
        error = e
    [(action_ex_id, _)] = batch
    message = unstorable_message(action_ex_id, error)
    LOG.warning("%s; its task fails", message)
    try:
        # As an error result: the task's on-error runs as for any failed action.
        db_session.retry_on_deadlock(_apply)(
            wf_ex_id, [(action_ex_id, records.ActionResult(error=message).to_dict())])
        return
    except _POISON:
        LOG.warning("the error result of action execution %s could not be stored either",
                    action_ex_id)
    apply.on_execution(wf_ex_id, lambda c: c.fail_unstorable(action_ex_id, message))
    acks.BUFFER.settled([action_ex_id])


def _apply(wf_ex_id, batch):
    def decide(items):
        def run(conductor):
            conductor.view.preload([i for i, _ in items])
            conductor.on_action_results(
                [(i, records.ActionResult.from_dict(r)) for i, r in items])
        return run

    try:
        conductor = apply.on_execution_once(wf_ex_id, decide(batch))
    except exc.SizeLimitExceeded:
        # One of them cannot be stored: apply them one by one, and the culprit as the
        # failure it causes, as Mistral does.
        for item in batch:
            _apply_one(wf_ex_id, item, decide)
        return
    _log_dropped(wf_ex_id, batch, conductor)


def _apply_one(wf_ex_id, item, decide):
    action_ex_id, result_dict = item
    try:
        conductor = apply.on_execution_once(wf_ex_id, decide([item]))
    except exc.SizeLimitExceeded as e:
        failed = {"error": "Failed to handle action completion [error=%s]" % e}
        conductor = apply.on_execution(wf_ex_id, decide([(action_ex_id, failed)]))
    _log_dropped(wf_ex_id, [item], conductor)


def _log_dropped(wf_ex_id, batch, conductor):
    for action_ex_id in conductor.dropped:
        LOG.warning("result for unknown action execution %s of workflow execution %s "
                    "dropped", action_ex_id, wf_ex_id)
