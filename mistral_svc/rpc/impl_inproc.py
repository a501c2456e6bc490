"""``inproc://``: oslo.messaging's in-process transport, woken by deliveries.

oslo.messaging's ``fake://`` driver moves messages in memory too, but its listeners
sleep 50 ms between polls, which puts up to 50 ms on every RPC hop (two per task). This
driver reuses the fake driver's exchanges and message objects and only changes how a
listener waits: on a condition that every delivery signals. It is registered as an
oslo.messaging driver (entry point ``oslo.messaging.drivers``) and is the embedded
default's transport; ``fake://`` keeps working, only slower.
"""

import threading
import time

from oslo_messaging._drivers import base, impl_fake

# One condition for every in-process exchange: deliveries are rare enough (a few
# thousand a second at most) that waking every listener costs nothing measurable.
_arrived = threading.Condition()


class _Exchange(impl_fake.FakeExchange):
    def deliver_message(self, topic, ctxt, message, server=None, fanout=False,
                        reply_q=None):
        with _arrived:
            super().deliver_message(topic, ctxt, message, server=server, fanout=fanout,
                                    reply_q=reply_q)
            _arrived.notify_all()


class _ExchangeManager(impl_fake.FakeExchangeManager):
    _exchanges_lock = threading.Lock()
    _exchanges = {}

    def get_exchange(self, name):
        if name is None:
            name = self._default_exchange
        with self._exchanges_lock:
            return self._exchanges.setdefault(name, _Exchange(name))


class _Listener(impl_fake.FakeListener):
    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        with _arrived:
            while not self._stopped.is_set():
                for target in self._targets:
                    exchange = self._exchange_manager.get_exchange(target.exchange)
                    ctxt, message, reply_q, requeue = exchange.poll(target, self._pool)
                    if message is not None:
                        return impl_fake.FakeIncomingMessage(ctxt, message, reply_q,
                                                             requeue)
                wait = 1.0
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                    if wait <= 0:
                        return None
                _arrived.wait(wait)
        return None

    def stop(self):
        super().stop()
        with _arrived:
            _arrived.notify_all()


class InProcDriver(impl_fake.FakeDriver):
    """The fake driver with event-driven listeners (see the module docstring)."""

    def __init__(self, conf, url, default_exchange=None, allowed_remote_exmods=None):
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        self._exchange_manager = _ExchangeManager(default_exchange)

    def listen(self, target, batch_size, batch_timeout):
        import oslo_messaging

        exchange = target.exchange or self._default_exchange
        listener = _Listener(self._exchange_manager, [
            oslo_messaging.Target(topic=target.topic, server=target.server,
                                  exchange=exchange),
            oslo_messaging.Target(topic=target.topic, exchange=exchange),
        ])
        return base.PollStyleListenerAdapter(listener, batch_size, batch_timeout)

    def cleanup(self):
        self._exchange_manager.cleanup()
