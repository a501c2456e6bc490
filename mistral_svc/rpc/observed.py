"""RPC endpoints and clients as metrics and logs see them.

A served endpoint is wrapped so that each handled message is timed (the engine's hop
latency), a handler's unexpected failure is counted, and a client's error (a 4xx the
API will answer with) crosses back to the caller without oslo.messaging logging a
traceback for it. A client is wrapped so that a message that could not be sent, or an
answer that never came, is counted. While a message is handled, the security context it
carried is the current one (``mistral_svc.context``), so what the handler reads and
creates is scoped to the project that sent it.
"""

import time

import oslo_messaging as messaging

from mistral_svc import context, exceptions as exc, metrics


def _is_client_error(e):
    return isinstance(e, exc.MistralError) and e.http_code < 500


class Endpoint:
    """Proxy of an RPC endpoint object: the same methods, observed."""

    def __init__(self, endpoint, service):
        self._endpoint = endpoint
        self._service = service
        self._wrapped = {}
        target = getattr(endpoint, "target", None)
        if target is not None:
            self.target = target

    def __getattr__(self, name):
        func = getattr(self._endpoint, name)
        if name.startswith("_") or not callable(func):
            return func
        wrapped = self._wrapped.get(name)
        if wrapped is None:
            wrapped = self._wrapped[name] = self._observe(name, func)
        return wrapped

    def _observe(self, name, func):
        service = self._service
        hop = metrics.ENGINE_HOP_SECONDS.labels(method=name) if service == "engine" else None

        def observed(ctxt, **kwargs):
            try:
                with context.using(context.from_rpc(ctxt)):
                    if hop is None:
                        return func(ctxt, **kwargs)
                    with metrics.Timer(hop):
                        return func(ctxt, **kwargs)
            except Exception as e:
                if _is_client_error(e):
                    # The caller gets the original error; the server logs nothing.
                    raise messaging.ExpectedException()
                metrics.RPC_ERRORS.labels(service=service, method=name,
                                          kind="handler").inc()
                raise

        observed.__name__ = name
        return observed


# Pauses before publishing a returned message again (about 2 s in all): consumers
# declare their queues again within a second or two of the broker's return.
UNDELIVERABLE_PAUSES = (0.1, 0.3, 0.6, 1.0)


def _returned_again(send, pauses):
    """``send()``, published again after each pause while the broker returns it (no
    queue took it); the last refusal is raised."""
    for pause in pauses:
        try:
            return send()
        except messaging.MessageUndeliverable:
            time.sleep(pause)
    return send()


class Client:
    """Proxy of an oslo.messaging RPC client that counts failed sends and calls, and
    publishes a message the broker returned again (see ``transport.make_client``)."""

    def __init__(self, client, topic, pauses=UNDELIVERABLE_PAUSES):
        self._client = client
        self._topic = topic
        self._pauses = pauses

    def prepare(self, **kwargs):
        return Client(self._client.prepare(**kwargs), self._topic, self._pauses)

    def cast(self, ctxt, method, **kwargs):
        try:
            return _returned_again(lambda: self._client.cast(ctxt, method, **kwargs),
                                   self._pauses)
        except Exception:
            self._count(method)
            raise

    def call(self, ctxt, method, **kwargs):
        try:
            return _returned_again(lambda: self._client.call(ctxt, method, **kwargs),
                                   self._pauses)
        except Exception as e:
            if not _is_client_error(e):
                self._count(method)
            raise

    def _count(self, method):
        metrics.RPC_ERRORS.labels(service=self._topic, method=method, kind="send").inc()

    def __getattr__(self, name):
        return getattr(self._client, name)
