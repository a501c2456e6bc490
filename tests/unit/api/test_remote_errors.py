"""An error the engine raises reaches the API with the same status and message over a
broker as in one process: oslo.messaging's wire form of an exception, rebuilt on the
API's side, maps to what the original maps to."""

import sys

import oslo_messaging as messaging
import pytest
from oslo_messaging._drivers import common as rpc_common

from mistral_svc import exceptions as exc
from mistral_svc.api import rest_utils
from mistral_svc.rpc import transport

ERRORS = [exc.NotFound("Action execution not found [id=x]"),
          exc.InputError("Failed to find action [action_name=no.such]"),
          exc.InvalidModel("Invalid DSL"), exc.InvalidStateChange("Can't pause it"),
          exc.Conflict("Duplicate entry"), exc.NotAllowed("Not yours"),
          exc.Unavailable("Try later")]


def _over_the_wire(error, allowed):
    try:
        raise error
    except Exception:
        wire = rpc_common.serialize_remote_exception(sys.exc_info())
    return rpc_common.deserialize_remote_exception(wire, allowed)


def _allowed():
    # What the service's transport is set up with.
    return ["mistral_svc.exceptions"]


def test_the_transport_allows_the_project_exceptions(monkeypatch):
    seen = {}

    def fake_get_rpc_transport(conf, url=None, allowed_remote_exmods=None):
        seen["allowed"] = allowed_remote_exmods
        return object()

    monkeypatch.setattr(messaging, "get_rpc_transport", fake_get_rpc_transport)
    monkeypatch.setattr(transport, "_transports", {})
    transport.get_transport()
    assert seen["allowed"] == _allowed()


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_rebuilt_errors_keep_status_and_message(error):
    remote = _over_the_wire(error, _allowed())
    assert isinstance(remote, type(error))
    assert rest_utils._status_and_message(remote) == rest_utils._status_and_message(error)


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_it_cannot_rebuild_keep_their_status(error):
    remote = _over_the_wire(error, [])  # not allowed: a RemoteError naming the class
    assert isinstance(remote, messaging.RemoteError)
    assert rest_utils._status_and_message(remote) == rest_utils._status_and_message(error)


def test_other_remote_errors_are_500_without_their_text():
    remote = _over_the_wire(KeyError("secret detail"), [])
    assert rest_utils._status_and_message(remote) == (500, "Internal server error")
