"""/v2/cron_triggers on the in-process service: CRUD, validation, and firing."""

import datetime
import json
import time

import pytest

from tests.functional.server_fixture import mistral_server  # noqa: F401
from tests.waiting import wait_for as _wait

WF = """\
version: '2.0'
{name}:
  input:
    - who
    - greeting: hello
  output:
    said: <% $.greeting %> <% $.who %>
  tasks:
    t:
      action: std.noop
"""

FIELDS = {"id", "name", "pattern", "workflow_name", "workflow_id", "workflow_namespace",
          "workflow_input", "workflow_params", "scope", "first_execution_time",
          "next_execution_time", "remaining_executions", "status", "project_id",
          "created_at", "updated_at"}


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _minute(dt):
    return dt.strftime("%Y-%m-%d %H:%M")


def _parse(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


@pytest.fixture
def wf(api, unique):
    name = "cron_wf_" + unique
    api.create_workflow(WF.format(name=name))
    return name


def _trigger(api, name, wf, status=201, **extra):
    body = {"name": name, "workflow_name": wf,
            "workflow_input": json.dumps({"who": "cron"})}
    body.update(extra)
    return api.post("/v2/cron_triggers", body, status=status)


def _executions(api, wf):
    return api.get("/v2/executions?workflow_name=%s" % wf)["executions"]


def test_create_get_list_delete(api, unique, wf):
    name = "ct_" + unique
    before = _utcnow()
    t = _trigger(api, name, wf, pattern="*/5 * * * *", remaining_executions=3,
                 workflow_params=json.dumps({"env": {"x": 1}}))
    assert set(t) == FIELDS
    assert t["name"] == name and t["workflow_name"] == wf and t["pattern"] == "*/5 * * * *"
    assert json.loads(t["workflow_input"]) == {"who": "cron"}
    assert json.loads(t["workflow_params"]) == {"env": {"x": 1}}
    assert t["remaining_executions"] == 3 and t["status"] == "READY"
    assert t["scope"] == "private" and t["first_execution_time"] is None
    nxt = _parse(t["next_execution_time"])
    assert nxt > before and nxt.minute % 5 == 0 and nxt.second == 0
    assert nxt - before <= datetime.timedelta(minutes=5)

    assert api.get("/v2/cron_triggers/%s" % name) == t
    assert api.get("/v2/cron_triggers/%s" % t["id"]) == t
    assert api.get("/v2/cron_triggers/%s?fields=status" % name) == {
        "id": t["id"], "status": "READY"}
    listed = api.get("/v2/cron_triggers?name=%s" % name)
    assert listed == {"cron_triggers": [t]}

    api.delete("/v2/cron_triggers/%s" % name)
    assert api.get("/v2/cron_triggers/%s" % name, status=404)["faultstring"]
    api.delete("/v2/cron_triggers/%s" % t["id"], status=404)


def test_validation_errors(api, unique, wf):
    name = "ctv_" + unique
    now = _utcnow()
    bad = [
        {"pattern": "every minute"},
        {"pattern": "* * * * * * * *"},
        {"pattern": "0 0 31 2 *"},  # no date matches it
        {},
        {"pattern": "* * * * *", "remaining_executions": 0},
        {"first_execution_time": _minute(now + datetime.timedelta(hours=1)),
         "remaining_executions": 3},
        {"first_execution_time": "next tuesday"},
        {"first_execution_time": _minute(now - datetime.timedelta(hours=5))},
        {"pattern": "* * * * *", "workflow_input": json.dumps({"nobody": 1})},
        {"pattern": "* * * * *", "workflow_input": "{not json"},
        {"pattern": "* * * * *", "workflow_params": "[1, 2]"},
        {"pattern": "* * * * *", "workflow_name": None},
        {"pattern": "* * * * *", "scope": "everyone"},
    ]
    for extra in bad:
        err = _trigger(api, name, wf, status=400, **extra)
        assert err["faultstring"], extra
    assert _trigger(api, name, "no_such_" + unique, status=404, pattern="* * * * *")
    _trigger(api, name, wf, pattern="0 0 * * *")
    assert "Duplicate" in _trigger(api, name, wf, status=409,
                                   pattern="0 0 * * *")["faultstring"]
    assert api.get("/v2/cron_triggers?name=%s" % name)["cron_triggers"][0][
        "pattern"] == "0 0 * * *"


def test_by_workflow_id(api, unique, wf):
    wf_id = api.get("/v2/workflows/%s" % wf)["id"]
    t = _trigger(api, "ctid_" + unique, None, workflow_id=wf_id, pattern="0 3 * * *")
    assert t["workflow_id"] == wf_id and t["workflow_name"] == wf


def test_list_filters_sorting_and_pagination(api, unique, wf):
    names = ["ctl_%s_%d" % (unique, i) for i in range(3)]
    for i, n in enumerate(names):
        _trigger(api, n, wf, pattern="%d 4 * * *" % i, remaining_executions=i + 1,
                 workflow_params=json.dumps({"n": i}))
    query = "/v2/cron_triggers?name=in:%s" % ",".join(names)
    page = api.get(query + "&limit=2&sort_keys=name&sort_dirs=desc")
    assert [t["name"] for t in page["cron_triggers"]] == [names[2], names[1]]
    assert "/v2/cron_triggers?" in page["next"] and "marker=" in page["next"]
    rest = api.get(query + "&limit=2&sort_keys=name&sort_dirs=desc&marker=%s"
                   % page["cron_triggers"][-1]["id"])
    assert [t["name"] for t in rest["cron_triggers"]] == [names[0]]
    assert "next" not in rest

    def names_of(q):
        return sorted(t["name"] for t in api.get(query + q)["cron_triggers"])

    assert names_of("&remaining_executions=2") == [names[1]]
    assert names_of("&remaining_executions=gte:2") == names[1:]
    assert names_of("&pattern=0 4 * * *") == [names[0]]
    assert names_of("&workflow_params=%s" % json.dumps({"n": 2})) == [names[2]]
    assert names_of("&status=READY") == names
    assert names_of("&workflow_name=%s" % wf) == names
    api.get(query + "&remaining_executions=many", status=400)
    api.get(query + "&sort_keys=nope", status=400)


def test_one_shot_trigger_fires_once_and_stays_completed(api, unique, wf):
    name = "ct1_" + unique
    t = _trigger(api, name, wf, first_execution_time=_minute(_utcnow()),
                 workflow_params=json.dumps({"env": {"k": "v"}}))
    assert t["remaining_executions"] == 1 and t["pattern"] is None
    [ex] = _wait(lambda: _executions(api, wf))
    ex = api.wait(ex["id"])
    assert ex["state"] == "SUCCESS"
    assert json.loads(ex["output"]) == {"said": "hello cron"}
    params = json.loads(ex["params"])
    assert params["cron_trigger_id"] == t["id"] and params["env"] == {"k": "v"}
    done = _wait(lambda: (lambda c: c if c["status"] == "COMPLETED" else None)(
        api.get("/v2/cron_triggers/%s" % name)))
    assert done["remaining_executions"] == 0
    time.sleep(0.5)
    assert len(_executions(api, wf)) == 1
    assert [c["name"] for c in api.get(
        "/v2/cron_triggers?status=COMPLETED&name=%s" % name)["cron_triggers"]] == [name]


def test_pattern_trigger_fires_now_then_on_the_next_minute(api, unique, wf):
    name = "ct2_" + unique
    _trigger(api, name, wf, first_execution_time=_minute(_utcnow()),
             pattern="* * * * *", remaining_executions=2)
    _wait(lambda: _executions(api, wf))
    t = _wait(lambda: (lambda c: c if c["remaining_executions"] == 1 else None)(
        api.get("/v2/cron_triggers/%s" % name)))
    assert t["status"] == "READY"
    nxt = _parse(t["next_execution_time"])
    assert nxt.second == 0 and nxt > _parse(t["created_at"]).replace(second=0)
    assert nxt - _utcnow() <= datetime.timedelta(seconds=61)


def test_missed_slots_fire_once(api, unique, wf):
    from mistral_svc.db import api as db_api, models

    name = "ctm_" + unique
    t = _trigger(api, name, wf, pattern="0 0 1 1 *", remaining_executions=5)
    row = db_api.get(models.CronTrigger, t["id"])
    db_api.update(row, {"next_execution_time": _utcnow() - datetime.timedelta(minutes=30)})
    _wait(lambda: _executions(api, wf))
    time.sleep(0.5)
    assert len(_executions(api, wf)) == 1
    t = api.get("/v2/cron_triggers/%s" % name)
    assert t["remaining_executions"] == 4
    assert _parse(t["next_execution_time"]) > _utcnow() - datetime.timedelta(seconds=1)


def test_python_mistralclient(mistral_server, unique):  # noqa: F811
    """The official client's cron trigger calls, end to end over HTTP."""
    from mistralclient.api import client

    mc = client.client(mistral_url=mistral_server.url)
    wf = "cron_mc_" + unique
    mistral_server.create_workflows(WF.format(name=wf))
    created = mc.cron_triggers.create("daily_" + unique, wf, {"who": "mc"},
                                      {"env": {"a": 1}}, pattern="0 5 * * *", count=3)
    assert created.remaining_executions == 3 and created.status == "READY"
    assert created.next_execution_time.endswith("05:00:00")
    assert json.loads(created.workflow_params) == {"env": {"a": 1}}
    assert mc.cron_triggers.get("daily_" + unique).id == created.id
    assert [t.name for t in mc.cron_triggers.list(workflow_name=wf)] == ["daily_" + unique]

    once = mc.cron_triggers.create("once_" + unique, wf, {"who": "mc"},
                                   first_time=_minute(_utcnow()))
    fired = _wait(lambda: mistral_server.api("GET", "/executions",
                                             params={"workflow_name": wf})["executions"])
    assert json.loads(fired[0]["params"])["cron_trigger_id"] == once.id
    assert _wait(lambda: mc.cron_triggers.get(once.id).status == "COMPLETED")
    mc.cron_triggers.delete("daily_" + unique)
    assert [t.name for t in mc.cron_triggers.list(workflow_name=wf)] == ["once_" + unique]
