"""The event engine: starts workflows from oslo.messaging notifications.

It runs in the scheduler process as a scheduler hook. For every (exchange, topic) pair
some event trigger uses, one notification listener (oslo.messaging's threading
executor) consumes the notifications of every priority but ``sample``. A notification
whose ``event_type`` is the ``event`` of triggers on that pair starts each of their
workflows through an engine, with the trigger's input, and its params plus
``event_params`` (see ``services.event_triggers.EventConverter``).

The set of triggers is read again every ``[event_engine] refresh_interval`` seconds
(at once when this process changed a trigger itself): listeners are started for new
pairs and stopped for pairs no trigger uses any more. Which triggers a notification
fires is read from the database when it arrives, so an update or a deletion counts
from that moment.

Each listener belongs to a pool named after ``[event_engine] listener_pool_name`` and
its pair. Listeners in the same pool share one queue, so with several schedulers each
notification reaches one of them and starts its executions once. The price: a
notification is taken off the queue before its executions are started, so one that
arrives while no engine answers is logged and lost (as in Mistral, notifications are
not redelivered). On RabbitMQ the pool's queue outlives its listeners and keeps
collecting notifications while no scheduler listens, which are then handled when one
starts again; it is not removed when the last trigger on its pair is deleted.
"""

import logging
import threading
import time
import urllib.parse
from collections.abc import Mapping

import oslo_messaging as messaging

from mistral_svc import config, expressions
from mistral_svc.rpc import clients
from mistral_svc.services import event_triggers, trusts

CONF = config.CONF
LOG = logging.getLogger(__name__)

# Every priority but "sample" (metering data, large volumes and no events).
PRIORITIES = ("audit", "debug", "info", "warn", "error", "critical")

# Transports whose state lives in this process: cleaning one up would empty the queues
# of every other transport of the process (they share their exchanges).
_IN_PROCESS_SCHEMES = ("fake", "inproc")


class _Endpoint:
    """Receives the notifications of one (exchange, topic) pair, at every priority."""

    def __init__(self, engine, exchange, topic):
        self._engine = engine
        self._exchange = exchange
        self._topic = topic

    def _notify(self, ctxt, publisher_id, event_type, payload, metadata):
        self._engine.handle(self._exchange, self._topic, ctxt, publisher_id, event_type,
                            payload, metadata)


for _priority in PRIORITIES:
    setattr(_Endpoint, _priority, _Endpoint._notify)


def pool_name(exchange, topic):
    """The listener pool (on RabbitMQ: the queue) of an (exchange, topic) pair."""
    return "%s.%s.%s" % (CONF.event_engine.listener_pool_name, exchange, topic)


class EventEngine:
    """Scheduler hook keeping notification listeners on the triggers' targets.

    Calling the hook is cheap: it only wakes the engine's own thread when a refresh is
    due, since starting and stopping listeners may wait on the broker.
    """

    def __init__(self, engine=None, transport=None, converter=None, clock=time.monotonic):
        if converter is None:
            try:
                converter = event_triggers.EventConverter.from_file(
                    CONF.event_engine.event_definitions_cfg_file)
            except ValueError as e:
                raise SystemExit("[event_engine] event_definitions_cfg_file: %s" % e)
        self._converter = converter
        self._engine = engine
        self._transport = transport
        self._own_transport = transport is None
        self._clock = clock
        self._lock = threading.Lock()
        self._listeners = {}
        self._events = {}
        self._seen_change = None
        self._next_refresh = None
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = None

    # -- the hook ---------------------------------------------------------------------

    def __call__(self):
        if self._stopped.is_set():
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="event-engine",
                                            daemon=True)
            self._thread.start()
        now = self._clock()
        if (self._next_refresh is None or now >= self._next_refresh
                or event_triggers.generation() != self._seen_change):
            self._next_refresh = now + CONF.event_engine.refresh_interval
            self._wake.set()

    def _run(self):
        while not self._stopped.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopped.is_set():
                break
            self.refresh()

    def listening(self):
        """The (exchange, topic) pairs listened to now."""
        with self._lock:
            return set(self._listeners)

    def refresh(self):
        """Read the triggers and start or stop listeners to match them."""
        seen = event_triggers.generation()
        try:
            subscriptions = event_triggers.subscriptions()
        except Exception:  # noqa: BLE001 - the database may be briefly away
            LOG.warning("could not read the event triggers", exc_info=True)
            return
        with self._lock:
            self._events = subscriptions
            current = set(self._listeners)
        wanted = set(subscriptions)
        for key in sorted(current - wanted):
            self._stop_listener(key)
        for key in sorted(wanted - current):
            self._start_listener(key)
        self._seen_change = seen

    def _get_transport(self):
        if self._transport is None:
            self._transport = messaging.get_notification_transport(CONF)
        return self._transport

    def _start_listener(self, key):
        if self._stopped.is_set():
            return
        exchange, topic = key
        try:
            listener = messaging.get_notification_listener(
                self._get_transport(),
                [messaging.Target(exchange=exchange, topic=topic)],
                [_Endpoint(self, exchange, topic)],
                executor="threading",
                allow_requeue=False,
                pool=pool_name(exchange, topic),
            )
            listener.start()
        except Exception:  # noqa: BLE001 - tried again at the next refresh
            LOG.exception("could not listen for notifications on exchange %s, topic %s",
                          exchange, topic)
            return
        with self._lock:
            self._listeners[key] = listener
        LOG.info("listening for notifications on exchange %s, topic %s", exchange, topic)

    def _stop_listener(self, key):
        with self._lock:
            listener = self._listeners.pop(key, None)
        if listener is None:
            return
        try:
            listener.stop()
            listener.wait()
        except Exception:  # noqa: BLE001 - it is being dropped anyway
            LOG.warning("error stopping the listener on %s", key, exc_info=True)
        LOG.info("stopped listening on exchange %s, topic %s", *key)

    def stop(self):
        """Stop every listener and the engine's thread."""
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        for key in list(self.listening()):
            self._stop_listener(key)
        if self._own_transport and self._transport is not None:
            if _transport_scheme() not in _IN_PROCESS_SCHEMES:
                self._transport.cleanup()
            self._transport = None

    # -- notifications ------------------------------------------------------------------

    def handle(self, exchange, topic, ctxt, publisher_id, event_type, payload, metadata):
        """Start the workflows of the triggers a notification fires; returns the
        results of the starts (for tests)."""
        with self._lock:
            events = self._events.get((exchange, topic), ())
        if event_type not in events:
            return []
        ctxt = dict(ctxt) if isinstance(ctxt, Mapping) else {}
        try:
            found = event_triggers.matching(
                exchange, topic, event_type,
                project_id=event_triggers.context_project(ctxt),
                projects_apply=CONF.pecan.auth_enable,
            )
        except Exception:  # noqa: BLE001 - log, never requeue a notification forever
            LOG.exception("could not read the triggers of event %s", event_type)
            return []
        if not found:
            return []
        event = event_triggers.notification_event(ctxt, publisher_id, event_type, payload,
                                                  metadata)
        try:
            event_params = self._converter.convert(event)
        except expressions.ExpressionError as e:
            LOG.error("event definition for %s failed, no workflow started: %s",
                      event_type, e)
            return []
        return [self._start(trigger, event_params) for trigger in found]

    def _start(self, trigger, event_params):
        try:
            self._engine = self._engine or clients.EngineClient()
            result = self._engine.start_workflow(
                trusts.owner_context(trigger),
                trigger.workflow_id,
                "",
                trigger.workflow_input or {},
                event_triggers.execution_description(trigger),
                event_triggers.execution_params(trigger, event_params),
            )
        except Exception as e:  # noqa: BLE001 - one bad trigger must not stop the others
            LOG.error("event trigger %s could not start workflow %s: %s", trigger.id,
                      trigger.workflow_id, e)
            return None
        LOG.info("event trigger %s started execution %s of workflow %s", trigger.id,
                 (result or {}).get("id"), trigger.workflow_id)
        return result


def _transport_scheme():
    url = CONF.oslo_messaging_notifications.transport_url or config.transport_url()
    return urllib.parse.urlsplit(url or "").scheme.split("+")[0]
