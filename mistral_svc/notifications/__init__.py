"""Notifications as Mistral sends them: ``notify`` in an execution's params.

``params.notify`` (and ``[notifier] notify`` for every execution) is a list of
publishers, ``{"type": "webhook", "url": ..., "headers": {...}, "event_types": [...]}``
or ``{"type": "noop"}``; without ``event_types`` a publisher gets every event. Events
are Mistral's (``WORKFLOW_LAUNCHED``, ``TASK_SUCCEEDED``...; see ``events``) with
Mistral's payloads (``payloads``).

The engine reaches this package through one entry point, ``emit(changes)``: the state
changes of workflow and task executions of one committed transaction (what
``mistral_svc.db.state_events`` reports). Nothing is sent for a transaction that rolled
back. With ``[notifier] type = remote`` (the default, as in Mistral) the notifications
are cast to the ``notifier`` service (``mistral-svc-server --server notifier``), which
delivers them; with ``local`` the engine's process delivers them itself. Delivery is in
order, retried, and bounded (see ``delivery``).
"""

import logging

from mistral_svc import config, exceptions as exc
from mistral_svc.notifications import delivery, events, payloads

CONF = config.CONF
LOG = logging.getLogger(__name__)

# The notify lists of executions seen lately (they never change once started). Only the
# list is kept, never the rest of the params (an env may be large).
_notify_cache = {}
_CACHE_SIZE = 10000


def check_publishers(publishers):
    """Refuse (InputError, a 400) a ``notify`` that is not a list of publishers of
    known types with well-formed ``event_types``."""
    if publishers is None:
        return
    if not isinstance(publishers, list):
        raise exc.InputError("params.notify must be a list of publishers")
    for i, entry in enumerate(publishers):
        where = "params.notify[%d]" % i
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise exc.InputError("%s must be an object with a 'type'" % where)
        if not delivery.known(entry["type"]):
            raise exc.InputError("%s: unknown publisher type '%s' (known: noop, webhook)"
                                 % (where, entry["type"]))
        types = entry.get("event_types", [])
        if not isinstance(types, list) or not all(t in events.EVENTS for t in types):
            raise exc.InputError("%s.event_types must be a list of: %s"
                                 % (where, ", ".join(events.EVENTS)))
        if entry["type"] == "webhook" and not isinstance(entry.get("url"), str):
            raise exc.InputError("%s: a webhook needs a 'url'" % where)
        if not isinstance(entry.get("headers", {}), dict):
            raise exc.InputError("%s.headers must be an object" % where)


def _global_publishers():
    return [p for p in (CONF.notifier.notify or []) if isinstance(p, dict)]


def _wanted(publishers, event):
    return [p for p in publishers if isinstance(p, dict) and p.get("type")
            and (not p.get("event_types") or event in p["event_types"])]


def _remember(wf_ex_id, params):
    if len(_notify_cache) >= _CACHE_SIZE:
        _notify_cache.clear()
    notify = (params or {}).get("notify")
    _notify_cache[wf_ex_id] = notify if isinstance(notify, list) else None


def _load_params(ids):
    """Read and remember the notify lists of executions ``ids`` (one query)."""
    from mistral_svc.db import api as db_api, models

    with db_api.transaction(read_only=True) as session:
        rows = session.query(models.WorkflowExecution.id,
                             models.WorkflowExecution.params).filter(
            models.WorkflowExecution.id.in_(list(ids))).all()
    for row_id, params in rows:
        _remember(row_id, params or {})


def _notifications(changes):
    for change in changes:
        wf_ex = change.obj if change.kind == "workflow" else change.workflow
        if wf_ex is not None:
            _remember(wf_ex.id, wf_ex.params or {})
    unknown = {c.obj.workflow_execution_id for c in changes
               if c.kind == "task"} - set(_notify_cache)
    if unknown:
        _load_params(unknown)
    glob = _global_publishers()
    out = []
    for change in changes:
        obj = change.obj
        if change.kind == "workflow":
            event = events.workflow_event(change.old, change.new)
            notify = _notify_cache.get(obj.id)
        else:
            event = events.task_event(change.old, change.new)
            notify = _notify_cache.get(obj.workflow_execution_id)
        if event is None:
            continue
        publishers = _wanted(glob + (notify or []), event)
        if not publishers:
            continue
        data = (payloads.workflow if change.kind == "workflow" else payloads.task)(
            obj, change.new)
        out.append({"ex_id": obj.id, "data": data, "event": event,
                    "timestamp": data.get("updated_at") or data.get("created_at"),
                    "publishers": publishers})
    return out


def emit(changes):
    """The entry point: notify the publishers of committed state changes."""
    try:
        items = _notifications(changes)
    except Exception:  # noqa: BLE001 - a notification never breaks the engine
        LOG.exception("could not build notifications")
        return
    if not items:
        return
    if CONF.notifier.type == "local":
        delivery.deliverer().put(items)
        return
    from mistral_svc.rpc import clients

    try:
        clients.NotifierClient().notify({}, items)
    except Exception:  # noqa: BLE001 - the broker may be away; the engine goes on
        LOG.warning("could not hand %d notifications to the notifier", len(items),
                    exc_info=True)
