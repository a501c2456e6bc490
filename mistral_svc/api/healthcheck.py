"""``/healthcheck`` through oslo.middleware, and the backend that checks what the API
needs: the database answers a query and the message broker accepts a connection.

The options are Mistral's ``[healthcheck]`` group (oslo.middleware's): ``backends``
(``mistral_svc`` by default; ``disable_by_file`` and the others still work),
``detailed``, ``allowed_source_ranges``... A failing check answers 503 with the reason.
"""

import threading
import time

from oslo_middleware import healthcheck
from oslo_middleware.healthcheck import pluginbase

from mistral_svc import config

CONF = config.CONF

# Load balancers poll often; one check's answer serves the calls of the next second.
_CACHE_SECONDS = 1.0


def _not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"Not found\n"]


def application():
    """The oslo.middleware healthcheck as a WSGI application. A request it must
    ignore (a source outside ``allowed_source_ranges``) gets a 404."""
    return healthcheck.Healthcheck(_not_found, CONF)


def check_database():
    from mistral_svc.db import session as db_session

    import sqlalchemy as sa

    with db_session.transaction(read_only=True) as session:
        session.execute(sa.text("SELECT 1"))


def check_broker(transport_url=None):
    """Open (and close) a connection to the first reachable broker of the transport
    URL (the one in force by default); the in-process transport is always there."""
    import oslo_messaging as messaging

    url = messaging.TransportURL.parse(CONF, transport_url or config.transport_url())
    if url.transport in ("inproc", "fake"):
        return
    import kombu

    errors = []
    for host in url.hosts or [None]:
        uri = "amqp://%s:%s@%s:%s/%s" % (
            getattr(host, "username", None) or "guest",
            getattr(host, "password", None) or "guest",
            getattr(host, "hostname", None) or "localhost",
            getattr(host, "port", None) or 5672,
            url.virtual_host or "")
        conn = kombu.Connection(uri, connect_timeout=2)
        try:
            conn.ensure_connection(max_retries=1, timeout=2)
            return
        except Exception as e:  # noqa: BLE001 - the message says which part failed
            errors.append(type(e).__name__)
        finally:
            conn.release()
    raise ConnectionError("no broker of the transport URL answers (%s)"
                          % ", ".join(errors))


class ServicesHealthcheck(pluginbase.HealthcheckBaseExtension):
    """Backend ``mistral_svc``: the database and the message broker are reachable."""

    _lock = threading.Lock()
    _last = (0.0, None)

    def healthcheck(self, server_port):
        with self._lock:
            at, result = ServicesHealthcheck._last
            if result is not None and time.monotonic() - at < _CACHE_SECONDS:
                return result
            result = self._check()
            ServicesHealthcheck._last = (time.monotonic(), result)
            return result

    @staticmethod
    def _check():
        failures, details = [], []
        for name, check in (("database", check_database), ("broker", check_broker)):
            try:
                check()
                details.append("%s: OK" % name)
            except Exception as e:  # noqa: BLE001 - reported, never raised
                failures.append("%s unreachable" % name)
                # The class name only: an error's text may hold a URL with a password.
                details.append("%s: %s" % (name, type(e).__name__))
        if failures:
            return pluginbase.HealthcheckResult(
                available=False, reason=", ".join(failures), details="; ".join(details))
        return pluginbase.HealthcheckResult(
            available=True, reason="OK", details="; ".join(details))
