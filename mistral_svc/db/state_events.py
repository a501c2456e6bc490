"""State changes of workflow and task executions, told to subscribers after commit.

Whoever needs to react to an execution changing state (notifications, metrics) calls
``subscribe(func)``. The changes are seen where they happen, on the ``state`` column of
the ORM models, so every code path that moves an execution is covered without being
told; they are collected per transaction and ``func(changes)`` runs once the
transaction has committed (never for a rolled-back one), with the changes in the order
they were made. Each change is a ``Change``: ``kind`` ("workflow" or "task"), the row
object, the states it left and entered, and a task's workflow execution row if the
transaction had loaded it (read from the session, never queried).
"""

import collections
import logging

import sqlalchemy as sa

from mistral_svc.db import models, session as db_session

LOG = logging.getLogger(__name__)

Change = collections.namedtuple("Change", "kind obj old new workflow")
Change.__doc__ = """One state change; ``workflow`` is, for a task, its workflow execution's
row when the transaction had it loaded (else None)."""

_subscribers = []
_KEY = ("state_events",)


def subscribe(func):
    """Call ``func(changes)`` after each commit that changed execution states. Once per
    function; hooks the models on the first subscription."""
    if func in _subscribers:
        return
    _subscribers.append(func)
    _install()


def unsubscribe(func):
    if func in _subscribers:
        _subscribers.remove(func)


def _deliver(changes):
    for func in list(_subscribers):
        try:
            func(changes)
        except Exception:  # noqa: BLE001 - one subscriber must not hurt the others
            LOG.exception("state change subscriber %r failed", func)


def record(kind, obj, old, new, workflow=None):
    """Report that ``obj`` (a workflow or task execution row) moved from ``old`` to
    ``new`` in the current transaction. The model hooks below call this; code that
    changes states without assigning the ORM attribute (a bulk UPDATE) calls it too."""
    if not _subscribers or new == old or new is None:
        return
    if kind == "task" and workflow is None:
        workflow = _loaded_workflow(obj)
    db_session.after_commit_batch(_KEY, Change(kind, obj, old, new, workflow), _deliver)


def _on_set(kind):
    def listener(target, value, oldvalue, initiator):
        if _subscribers:
            record(kind, target, oldvalue if isinstance(oldvalue, str) else None, value)

    return listener


def _loaded_workflow(task_ex):
    session = db_session.current_session()
    wf_ex_id = task_ex.__dict__.get("workflow_execution_id")
    if session is None or not wf_ex_id:
        return None
    key = sa.orm.util.identity_key(models.WorkflowExecution, wf_ex_id)
    return session.identity_map.get(key)


_installed = []


def _install():
    if _installed:
        return
    sa.event.listen(models.WorkflowExecution.state, "set", _on_set("workflow"),
                    active_history=True)
    sa.event.listen(models.TaskExecution.state, "set", _on_set("task"),
                    active_history=True)
    _installed.append(True)
