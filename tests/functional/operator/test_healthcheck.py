"""/healthcheck: oslo.middleware with the database-and-broker backend."""

import pytest

from mistral_svc.api import healthcheck
from tests.integration.conftest import require


@pytest.fixture(autouse=True)
def _fresh_answer():
    healthcheck.ServicesHealthcheck._last = (0.0, None)
    yield
    healthcheck.ServicesHealthcheck._last = (0.0, None)


def test_healthy_in_process(api):
    resp = api.app.get("/healthcheck", headers={"Accept": "application/json"})
    assert resp.status_int == 200
    assert resp.json["reasons"] == ["OK"]


def test_an_unreachable_broker_is_503_with_the_reason(api, monkeypatch):
    def unreachable(transport_url=None):
        return healthcheck.check_broker("rabbit://guest:guest@127.0.0.1:1/")

    monkeypatch.setattr(healthcheck, "check_broker", unreachable)
    resp = api.app.get("/healthcheck", status=503)
    assert resp.text == "broker unreachable"


def test_an_unreachable_database_is_503(api, monkeypatch):
    from oslo_db import exception as db_exc

    def down():
        raise db_exc.DBConnectionError("connection to server failed: secret@host")

    monkeypatch.setattr(healthcheck, "check_database", down)
    resp = api.app.get("/healthcheck", status=503)
    assert resp.text == "database unreachable"
    assert "secret" not in resp.text


def test_a_running_rabbitmq_is_reachable():
    require("rabbitmq")
    healthcheck.check_broker("rabbit://guest:guest@127.0.0.1:5672/")
    with pytest.raises(ConnectionError):
        healthcheck.check_broker("rabbit://guest:wrong@127.0.0.1:5672/")
