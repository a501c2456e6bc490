"""Two scheduler processes over RabbitMQ and PostgreSQL: cron triggers fire each slot
exactly once, and delayed work (wait-before, wait-after, retry delays) keeps its time."""

import datetime
import json
import time

import pytest
import requests

from tests.integration.conftest import Deployment, drop_database, fresh_database, require
from tests.waiting import poll as _wait

WF = """\
version: '2.0'
{name}:
  input:
    - n
  tasks:
    t:
      action: std.echo output=<% $.n %>
"""

DELAYS = """\
version: '2.0'
{name}:
  tasks:
    waits:
      action: std.noop
      wait-before: 2
      wait-after: 1
      on-success: retries
    retries:
      action: std.fail
      retry:
        count: 2
        delay: 2
"""


@pytest.fixture(scope="module")
def two_schedulers():
    """api, engine, executor and two schedulers, sharing one PostgreSQL database."""
    require("rabbitmq", "redis", "postgresql")
    db_url = fresh_database("postgresql")
    dep = Deployment(db_url)
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


def _post_workflow(url, text):
    r = requests.post(url + "/workflows", data=text, headers={"Content-Type": "text/plain"},
                      timeout=10)
    assert r.status_code == 201, r.text


def _executions(url, wf):
    return requests.get(url + "/executions", params={"workflow_name": wf},
                        timeout=10).json()["executions"]


def test_cron_trigger_with_count_two_fires_exactly_twice(two_schedulers):
    url = two_schedulers.url
    _post_workflow(url, WF.format(name="cron_it"))
    # The first slot is the current minute, so it fires at once; the pattern's next
    # slot is the next minute boundary: the whole test takes at most a minute or so.
    first = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    ids = []
    for n in range(3):
        r = requests.post(url + "/cron_triggers", json={
            "name": "every_minute_%d" % n, "workflow_name": "cron_it",
            "workflow_input": json.dumps({"n": n}), "pattern": "* * * * *",
            "first_execution_time": first, "remaining_executions": 2}, timeout=10)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])

    def completed():
        listed = requests.get(url + "/cron_triggers", timeout=10).json()["cron_triggers"]
        return listed if all(t["status"] == "COMPLETED" for t in listed) else None

    triggers = _wait(completed, timeout=100)
    assert triggers, "triggers never completed:\n" + two_schedulers.logs()
    assert all(t["remaining_executions"] == 0 for t in triggers)
    # Both schedulers poll every 0.2 s: give a double firing time to show up.
    time.sleep(2)
    executions = _executions(url, "cron_it")
    fired = sorted(json.loads(e["params"])["cron_trigger_id"] for e in executions)
    assert fired == sorted(ids * 2), two_schedulers.logs()

    def all_done():
        states = [e["state"] for e in _executions(url, "cron_it")]
        return states if all(s == "SUCCESS" for s in states) else None

    assert _wait(all_done, timeout=30)


def test_waits_and_retry_delays_are_kept(two_schedulers):
    url = two_schedulers.url
    _post_workflow(url, DELAYS.format(name="delays_it"))
    started = time.monotonic()
    r = requests.post(url + "/executions", json={"workflow_name": "delays_it"}, timeout=30)
    assert r.status_code == 201, r.text
    ex_id = r.json()["id"]

    def finished():
        ex = requests.get(url + "/executions/" + ex_id, timeout=10).json()
        return ex if ex["state"] in ("SUCCESS", "ERROR") else None

    ex = _wait(finished, timeout=60, interval=0.1)
    elapsed = time.monotonic() - started
    assert ex is not None, two_schedulers.logs()
    assert ex["state"] == "ERROR"
    # wait-before 2 s + wait-after 1 s, then two retries 2 s apart.
    assert 7 <= elapsed < 7 + 6, elapsed
    tasks = {t["name"]: t for t in requests.get(
        url + "/executions/%s/tasks" % ex_id, timeout=10).json()["tasks"]}
    attempts = requests.get(url + "/action_executions", params={
        "task_execution_id": tasks["retries"]["id"]}, timeout=10).json()["action_executions"]
    # One first attempt and exactly two retries: no retry job was delivered twice.
    assert len(attempts) == 3
