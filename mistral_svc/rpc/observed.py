"""RPC endpoints and clients as metrics and logs see them.

A served endpoint is wrapped so that each handled message is timed (the engine's hop
latency), a handler's unexpected failure is counted, and a client's error (a 4xx the
API will answer with) crosses back to the caller without oslo.messaging logging a
traceback for it. A client is wrapped so that a message that could not be sent, or an
answer that never came, is counted. While a message is handled, the security context it
carried is the current one (``mistral_svc.context``), so what the handler reads and
creates is scoped to the project that sent it.
"""

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


class Client:
    """Proxy of an oslo.messaging RPC client that counts failed sends and calls."""

    def __init__(self, client, topic):
        self._client = client
        self._topic = topic

    def prepare(self, **kwargs):
        return Client(self._client.prepare(**kwargs), self._topic)

    def cast(self, ctxt, method, **kwargs):
        try:
            return self._client.cast(ctxt, method, **kwargs)
        except Exception:
            self._count(method)
            raise

    def call(self, ctxt, method, **kwargs):
        try:
            return self._client.call(ctxt, method, **kwargs)
        except Exception as e:
            if not _is_client_error(e):
                self._count(method)
            raise

    def _count(self, method):
        metrics.RPC_ERRORS.labels(service=self._topic, method=method, kind="send").inc()

    def __getattr__(self, name):
        return getattr(self._client, name)
