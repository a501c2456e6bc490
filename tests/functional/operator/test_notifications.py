"""Notifications as Mistral sends them: params.notify with webhook publishers."""

import json

import pytest

from mistral_svc import config
from tests.functional.fake_http import loopback_allowed
from tests.functional.operator.webhook import Receiver

FLOW = """\
version: '2.0'
{name}:
  tasks:
    first:
      action: std.echo output=1
      on-success: [second]
    second:
      action: std.async_noop
"""


@pytest.fixture
def receiver():
    r = Receiver()
    # Webhooks obey std.http's egress policy, and the receiver listens on loopback.
    with loopback_allowed():
        yield r
    r.close()


@pytest.fixture
def local_delivery():
    config.CONF.set_override("type", "local", group="notifier")
    config.CONF.set_override("retry_delay", 0.05, group="notifier")
    yield
    config.CONF.clear_override("type", group="notifier")
    config.CONF.clear_override("retry_delay", group="notifier")


def _events(bodies, ex_id, tasks):
    """(kind, name or state) of what arrived, in order."""
    out = []
    for b in bodies:
        if b["id"] == ex_id:
            out.append(("workflow", b["state"]))
        elif b.get("workflow_execution_id") == ex_id:
            out.append((b["name"], b["state"]))
    return out


def _complete(api, ex_id, task_name):
    task = api.tasks(ex_id)[task_name]
    (action_ex,) = api.get("/v2/tasks/%s/action_executions" % task["id"])["action_executions"]
    api.put("/v2/action_executions/%s" % action_ex["id"],
            {"state": "SUCCESS", "output": json.dumps({"result": 2})})


def test_webhook_gets_workflow_and_task_events_in_order(api, unique, receiver,
                                                        local_delivery):
    name = "notified_" + unique
    api.create_workflow(FLOW.format(name=name))
    notify = [{"type": "webhook", "url": receiver.url, "headers": {"X-Hook": "yes"}}]
    ex_id = api.start(name, params={"notify": notify})["id"]
    receiver.wait_for(lambda b: ("second", "RUNNING") in _events(b, ex_id, None))
    api.put("/v2/executions/%s" % ex_id, {"state": "PAUSED"})
    api.put("/v2/executions/%s" % ex_id, {"state": "RUNNING"})
    _complete(api, ex_id, "second")
    api.wait(ex_id)
    bodies = receiver.wait_for(lambda b: ("workflow", "SUCCESS") in _events(b, ex_id, None))
    assert _events(bodies, ex_id, None) == [
        ("workflow", "RUNNING"),       # WORKFLOW_LAUNCHED
        ("first", "RUNNING"),          # TASK_LAUNCHED
        ("first", "SUCCESS"),          # TASK_SUCCEEDED
        ("second", "RUNNING"),
        ("workflow", "PAUSED"),        # WORKFLOW_PAUSED
        ("workflow", "RUNNING"),       # WORKFLOW_RESUMED
        ("second", "SUCCESS"),
        ("workflow", "SUCCESS"),       # WORKFLOW_SUCCEEDED
    ]
    wf_event = bodies[0]
    assert set(wf_event) == {"id", "name", "workflow_name", "workflow_namespace",
                             "workflow_id", "root_execution_id", "state", "state_info",
                             "project_id", "task_execution_id", "params", "created_at",
                             "updated_at"}
    assert wf_event["params"]["notify"] == notify
    task_event = bodies[1]
    assert set(task_event) == {"id", "name", "workflow_execution_id", "workflow_name",
                               "workflow_namespace", "workflow_id", "state", "state_info",
                               "type", "project_id", "created_at", "updated_at",
                               "started_at", "finished_at"}
    assert task_event["type"] == "ACTION"
    assert receiver.headers[0]["X-Hook"] == "yes"


def test_webhooks_obey_the_egress_policy():
    from mistral_svc.actions import egress
    from mistral_svc.notifications.impl_webhook import WebhookPublisher

    r = Receiver()
    try:
        with pytest.raises(egress.Blocked, match="127.0.0.1 is a blocked address"):
            WebhookPublisher().publish("ex", {"id": "ex"}, "WORKFLOW_SUCCEEDED", None,
                                       url=r.url)
        assert r.bodies == []
    finally:
        r.close()


@pytest.fixture
def loopback():
    with loopback_allowed():
        yield


def test_event_types_filter_and_retries(api, unique, local_delivery, loopback):
    flaky = Receiver(fail_first=2)
    try:
        name = "filtered_" + unique
        api.create_workflow(FLOW.format(name=name).replace("std.async_noop", "std.noop"))
        notify = [{"type": "webhook", "url": flaky.url,
                   "event_types": ["WORKFLOW_SUCCEEDED", "TASK_SUCCEEDED"]},
                  {"type": "noop"}]
        ex_id = api.start(name, params={"notify": notify})["id"]
        api.wait(ex_id)
        bodies = flaky.wait_for(lambda b: any(x["id"] == ex_id for x in b))
        # The first event failed twice and got through on the third attempt.
        assert flaky.attempts == len(bodies) + 2
        assert _events(bodies, ex_id, None) == [
            ("first", "SUCCESS"), ("second", "SUCCESS"), ("workflow", "SUCCESS")]
    finally:
        flaky.close()


@pytest.mark.parametrize("notify, message", [
    ("hook", "params.notify must be a list"),
    ([{"url": "http://x"}], "params.notify[0] must be an object with a 'type'"),
    ([{"type": "carrier-pigeon"}], "unknown publisher type 'carrier-pigeon'"),
    ([{"type": "webhook"}], "a webhook needs a 'url'"),
    ([{"type": "noop", "event_types": ["WORKFLOW_EXPLODED"]}], "event_types must be"),
])
def test_bad_publishers_are_a_400(api, unique, notify, message):
    name = "badnotify_" + unique
    api.create_workflow(FLOW.format(name=name))
    before = len(api.get("/v2/executions?workflow_name=%s" % name)["executions"])
    resp = api.start(name, params={"notify": notify}, status=400)
    assert message in resp["faultstring"]
    assert len(api.get("/v2/executions?workflow_name=%s" % name)["executions"]) == before


def test_the_notifier_service_delivers_for_the_embedded_server(mistral_server, receiver):
    from tests.functional.server_fixture import unique

    name = unique("remote_notified")
    mistral_server.create_workflows(FLOW.format(name=name).replace("std.async_noop",
                                                                   "std.noop"))
    ex = mistral_server.start_execution(
        name, params=json.dumps({"notify": [{"type": "webhook", "url": receiver.url}]}))
    bodies = receiver.wait_for(
        lambda b: ("workflow", "SUCCESS") in _events(b, ex["id"], None))
    assert _events(bodies, ex["id"], None)[0] == ("workflow", "RUNNING")
