"""oslo.messaging transport setup, shared by every client and server in a process.

The in-process ``fake://`` transport only connects clients and servers that hold the
same transport object, so transports are cached per URL for the life of the process.
"""

import json
import os
import threading
import uuid

import oslo_messaging as messaging

from mistral_svc import config

CONF = config.CONF
_lock = threading.Lock()
_transports = {}


class ContextSerializer(messaging.Serializer):
    """Carries the caller's security context across RPC: a ``MistralContext`` (or the
    dict of one) leaves as its ``to_dict()`` and arrives as a plain dict, which the
    receiving endpoint makes the current context while it handles the message."""

    def serialize_entity(self, ctxt, entity):
        return entity

    def deserialize_entity(self, ctxt, entity):
        return entity

    def serialize_context(self, ctxt):
        return as_dict(ctxt)

    def deserialize_context(self, ctxt):
        return dict(ctxt or {})


def as_dict(ctxt):
    """The wire form of a context (a dict), whatever form it has here."""
    if ctxt is None:
        return {}
    if hasattr(ctxt, "to_dict"):
        return ctxt.to_dict()
    return dict(ctxt)


def context_key(ctxt):
    """A hashable key of a security context: messages for one context can travel
    together, and only those (a message carries one context)."""
    return json.dumps(as_dict(ctxt), sort_keys=True, default=str)


def get_transport():
    """The process-wide RPC transport for ``transport_url``."""
    url = config.transport_url()
    with _lock:
        transport = _transports.get(url)
        if transport is None:
            transport = messaging.get_rpc_transport(
                CONF, url=url, allowed_remote_exmods=["mistral_svc.exceptions"]
            )
            _transports[url] = transport
        return transport


def is_in_process():
    """True when messages never leave this process (``fake://``, ``inproc://``)."""
    return config.transport_url().split(":", 1)[0] in ("fake", "inproc")


def server_name(kind):
    """A unique RPC server name: several services may share a host or a process."""
    return "%s_%s_%d_%s" % (kind, CONF.host, os.getpid(), uuid.uuid4().hex[:6])


def make_server(topic, endpoints, kind, server=None):
    """An RPC server on ``topic`` dispatching to ``endpoints`` in a thread pool
    (oslo.messaging's threading executor: no eventlet anywhere). ``server`` names the
    queue that targeted casts reach (executors use their host, for ``target:``)."""
    from mistral_svc.rpc import observed

    target = messaging.Target(topic=topic, server=server or server_name(kind))
    return messaging.get_rpc_server(
        get_transport(),
        target,
        [observed.Endpoint(e, kind) for e in endpoints],
        serializer=ContextSerializer(),
    )


def make_client(topic, timeout=None):
    """An RPC client of ``topic``. Over a broker it publishes with the mandatory flag:
    a message no queue takes (one published after RabbitMQ came back, before its
    consumers declared their queues again) is returned, and ``observed.Client``
    publishes it again a few times before it gives up (the broker's publisher confirms,
    which oslo.messaging always asks for, make that return arrive with the confirm, at
    no further cost)."""
    from mistral_svc.rpc import observed

    target = messaging.Target(topic=topic)
    options = None if is_in_process() else messaging.TransportOptions(at_least_once=True)
    return observed.Client(messaging.get_rpc_client(
        get_transport(), target, serializer=ContextSerializer(), timeout=timeout,
        transport_options=options,
    ), topic)


def cleanup():
    """Close every transport (shutdown and tests)."""
    with _lock:
        for t in _transports.values():
            try:
                t.cleanup()
            except Exception:  # noqa: BLE001 - best effort on shutdown
                pass
        _transports.clear()
