"""The ``notifier`` service: receives notifications over RPC and delivers them."""

from mistral_svc import config
from mistral_svc.notifications import delivery
from mistral_svc.rpc import transport

CONF = config.CONF


class NotifierEndpoint:
    """RPC methods of the notifier (topic ``[notifier] topic``)."""

    def notify(self, ctx, notifications):
        delivery.deliverer().put(notifications)


class NotifierService:
    def __init__(self):
        self._server = transport.make_server(CONF.notifier.topic, [NotifierEndpoint()],
                                             "notifier")

    def start(self):
        self._server.start()

    def stop(self, graceful=True):
        self._server.stop()
        self._server.wait()
        delivery.deliverer().stop(timeout=CONF.graceful_shutdown_timeout if graceful
                                  else 0)
