"""Event triggers over RabbitMQ: notifications sent to the broker as an OpenStack
service sends them start the trigger's workflow, once per notification, with two
schedulers listening in one pool."""

import json
import time
import uuid

import kombu
import oslo_messaging as messaging
import pytest
import requests
from oslo_config import cfg
from oslo_context import context as oslo_context

from tests.integration.conftest import Deployment, drop_database, fresh_database, require
from tests.waiting import poll as _wait

RABBIT = "rabbit://guest:guest@127.0.0.1:5672/"
AMQP = "amqp://guest:guest@127.0.0.1:5672//"
POOL = "mistral_event_engine"

WF = """\
version: '2.0'
{name}:
  input:
    - who
  output:
    said: <% $.who %>
  tasks:
    t:
      action: std.echo output=<% $.who %>
"""


@pytest.fixture(scope="module", params=["postgresql", "mariadb"])
def two_schedulers(request):
    """api, engine, executor and two schedulers on one database and broker."""
    require("rabbitmq", "redis", request.param)
    db_url = fresh_database(request.param)
    dep = Deployment(db_url, extra="[event_engine]\nrefresh_interval = 0.5\n")
    try:
        dep.db_manage("upgrade", "head")
        dep.db_manage("populate")
        for server in ("engine", "executor", "scheduler", "scheduler", "api"):
            dep.start(server)
        dep.wait_api()
        yield dep
    finally:
        dep.stop()
        drop_database(db_url)


class _ContextSerializer(messaging.NoOpSerializer):
    def serialize_context(self, ctxt):
        return ctxt.to_dict()


def _notifier(tmp_path, exchange, topic):
    """A Notifier configured as a service whose control exchange is ``exchange``."""
    conf_file = tmp_path / "sender.conf"
    conf_file.write_text("[DEFAULT]\ncontrol_exchange = %s\n" % exchange)
    conf = cfg.ConfigOpts()
    conf(args=[], default_config_files=[str(conf_file)])
    transport = messaging.get_notification_transport(conf, url=RABBIT)
    return transport, messaging.Notifier(transport, publisher_id="compute.it-host",
                                         driver="messagingv2", topics=[topic],
                                         serializer=_ContextSerializer())


def _consumers(queue):
    """How many consumers ``queue`` has, or None while it does not exist."""
    with kombu.Connection(AMQP) as conn:
        try:
            return conn.channel().queue_declare(queue=queue, passive=True).consumer_count
        except conn.channel_errors:
            return None


def _cleanup_broker(queue, exchange):
    with kombu.Connection(AMQP) as conn:
        channel = conn.channel()
        channel.queue_delete(queue=queue)
        channel.exchange_delete(exchange=exchange)


def _finished(url, ex_id, timeout=30):
    def get():
        ex = requests.get(url + "/executions/" + ex_id, timeout=10).json()
        return ex if ex["state"] in ("SUCCESS", "ERROR", "CANCELLED") else None

    return _wait(get, timeout)


def _fired(url, wf_name, trigger_id):
    executions = requests.get(url + "/executions", params={"workflow_name": wf_name},
                              timeout=10).json()["executions"]
    return [e for e in executions
            if json.loads(e["params"] or "{}").get("event_trigger_id") == trigger_id]


def test_notifications_on_rabbitmq_start_one_execution_each(two_schedulers, tmp_path):
    url = two_schedulers.url
    run = uuid.uuid4().hex[:8]
    wf_name = "evt_wf_" + run
    r = requests.post(url + "/workflows", data=WF.format(name=wf_name),
                      headers={"Content-Type": "text/plain"}, timeout=10)
    assert r.status_code == 201, r.text
    wf_id = r.json()["workflows"][0]["id"]
    exchange, topic = "msvc_it_nova_" + run, "notifications_" + run
    queue = "%s.%s.%s" % (POOL, exchange, topic)
    r = requests.post(url + "/event_triggers", json={
        "name": "on_create_" + run, "workflow_id": wf_id, "exchange": exchange,
        "topic": topic, "event": "compute.instance.create.end",
        "workflow_input": json.dumps({"who": "rabbit"}),
        "workflow_params": json.dumps({"env": {"from": "trigger"}}),
    }, timeout=10)
    assert r.status_code == 201, r.text
    trigger = r.json()

    transport = None
    try:
        # Both schedulers consume the pool's one queue.
        assert _wait(lambda: _consumers(queue) == 2, 30), (
            "consumers: %s\n%s" % (_consumers(queue), two_schedulers.logs()))
        transport, notifier = _notifier(tmp_path, exchange, topic)
        ctxt = oslo_context.RequestContext(user_id="u-it", project_id="p-it")
        notifier.info(ctxt, "compute.instance.update", {"ignored": True})
        for i in range(8):
            notifier.info(ctxt, "compute.instance.create.end", {"n": i})

        fired = _wait(lambda: len(_fired(url, wf_name, trigger["id"])) >= 8 or None, 60)
        assert fired, two_schedulers.logs()
        time.sleep(2)
        executions = _fired(url, wf_name, trigger["id"])
        assert len(executions) == 8, two_schedulers.logs()
        for listed in executions:
            ex = _finished(url, listed["id"])
            assert ex and ex["state"] == "SUCCESS", ex
            assert json.loads(ex["output"]) == {"said": "rabbit"}
            params = json.loads(ex["params"])
            assert params["env"] == {"from": "trigger"}
            assert params["event_params"]["service"] == "compute.it-host"
            assert params["event_params"]["project_id"] == "p-it"
            assert params["event_params"]["user_id"] == "u-it"

        # Deleting the last trigger on the pair stops both listeners.
        r = requests.delete(url + "/event_triggers/" + trigger["id"], timeout=10)
        assert r.status_code == 204
        assert _wait(lambda: _consumers(queue) == 0, 30), two_schedulers.logs()
    finally:
        if transport is not None:
            transport.cleanup()
        _cleanup_broker(queue, exchange)
