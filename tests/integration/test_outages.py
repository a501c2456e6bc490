"""Outages of what the services stand on, and a graceful shutdown.

- RabbitMQ restarted mid-run (``rabbitmqctl stop_app``, 5 s, ``start_app``): the
  services reconnect by themselves and every execution succeeds, although its tasks
  have no safe-rerun and nothing is run twice. What sat in the broker's (transient)
  queues when it stopped is gone; casts published after it came back but before their
  consumers had declared their queues again are returned to the sender (mandatory
  publishing) and published again. An action whose message was lost was never
  acknowledged, so an engine sends it again; a result is sent again by its executor
  until an engine stored it. The heartbeat timeout (15 s here) is longer than the
  restart, so no running action is taken for lost.
- PostgreSQL stopped for 10 s while executions run: every API call made meanwhile
  answers 503 with a JSON faultstring, what was refused then left no trace, and every
  execution succeeds after. Its tasks have no safe-rerun, and the outage outlasts the
  heartbeat timeout: an action that ran on through the outage is neither failed nor
  run again.
- SIGTERM of the only executor while it runs a 2 s ``std.sleep`` (no safe-rerun): it
  finishes the action, delivers the result (stored while no executor is left) and exits
  within ``graceful_shutdown_timeout``. The next task is sent while no executor is
  there: never acknowledged, it is sent again once a new executor runs, and the
  workflow succeeds (whatever the new executor's start-up takes under load).

The services are restarted in a ``finally`` and waited for, whatever happens.
Figures are printed and written as JSON to the deployment's directory.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time

import pytest
import requests

from tests.integration import chaos
from tests.integration.conftest import _answers, deployed, require

CONFIG = """\
[DEFAULT]
graceful_shutdown_timeout = 20
[api]
rpc_timeout = 10
[engine]
action_ack_timeout = 4
action_heartbeat_timeout = 6
recovery_interval = 2
[executor]
heartbeat_interval = 1
[scheduler]
pickup_job_after = 5
"""

WORKFLOW = """\
version: '2.0'
{name}:
  input:
    - n
  output:
    items: <% $.items %>
    last: <% $.last %>
  tasks:
    first:
      action: std.echo output=<% $.n %>{safe}
      publish:
        first: <% task().result %>
      on-success:
        - nap
    nap:
      action: std.sleep seconds=3{safe}
      on-success:
        - items
    items:
      with-items: i in <% [1, 2, 3] %>
      action: std.echo output=<% $.first * 10 + $.i %>{safe}
      publish:
        items: <% task().result %>
      on-success:
        - later
    later:
      wait-before: 1
      action: std.echo output=<% $.first %>{safe}
      publish:
        last: <% task().result %>
"""

COUNT = 20


def _workflow(name, safe_rerun):
    safe = "\n      safe-rerun: true" if safe_rerun else ""
    return WORKFLOW.format(name=name, safe=safe)


def _expected(n):
    return {"items": [10 * n + 1, 10 * n + 2, 10 * n + 3], "last": n}


def _need(command):
    path = shutil.which(command)
    if path is None:
        msg = "%s is not available to restart the service" % command
        if os.environ.get("CI") == "true":
            pytest.fail(msg + " (mandatory under CI=true)")
        pytest.skip(msg)
    return path


@contextlib.contextmanager
def _running(extra):
    """api, engine, executor and scheduler on PostgreSQL, started and answering."""
    with deployed("postgresql", extra=extra) as dep:
        cluster = chaos.Cluster(dep)
        topology = {"engine": 1, "executor": 1, "scheduler": 1, "api": 1}
        for kind, count in topology.items():
            cluster.start(kind, count)
        dep.wait_api()
        cluster.wait_members(topology)
        dep.cluster = cluster
        yield dep


@pytest.fixture
def services():
    with _running(CONFIG) as dep:
        yield dep


@pytest.fixture
def services_patient():
    """The same, with a heartbeat timeout longer than the broker's restart: only the
    actions whose messages really were lost in it are run again."""
    with _running(CONFIG.replace("action_heartbeat_timeout = 6",
                                 "action_heartbeat_timeout = 15")) as dep:
        yield dep


def _start_all(dep, workflow, prefix):
    starter = chaos.Starter(dep.url, workflow, [{"n": i} for i in range(COUNT)], 1, prefix)
    starter.run()
    assert starter.error is None, starter.error
    return starter


def _wait_finished(db, prefix, timeout):
    def done():
        counts = db.state_counts(prefix)
        return counts if sum(counts.get(s, 0) for s in chaos.FINISHED) >= COUNT else None

    return chaos.wait_for(done, timeout, interval=0.5)


def _check_outputs(db, prefix):
    wrong = [(e["description"], e["state"], (e["state_info"] or "")[:300], e["output"])
             for e in db.executions(prefix)
             if e["state"] != "SUCCESS" or e["output"] != _expected(e["input"]["n"])]
    assert not wrong, wrong


def _reruns(db):
    return sum((a["runtime_context"] or {}).get("reruns", 0) for a in db.actions())


def _resends(db):
    return sum((a["runtime_context"] or {}).get("resends", 0) for a in db.actions())


def test_rabbitmq_restart_mid_run(services_patient):
    dep = services_patient
    require("rabbitmq")
    rabbitmqctl = _need("rabbitmqctl")
    db = chaos.Database(dep.db_url)
    try:
        chaos.post_workflow(dep.url, _workflow("outage_mq", safe_rerun=False))
        _start_all(dep, "outage_mq", "mq")
        time.sleep(1.5)
        chaos.service_control(rabbitmqctl, "stop_app")
        stopped = time.monotonic()
        try:
            time.sleep(5)
        finally:
            chaos.service_control(rabbitmqctl, "start_app")
            assert chaos.wait_for(lambda: _answers(5672), 60), "RabbitMQ did not come back"
        back = time.monotonic()
        finished = _wait_finished(db, "mq", 120)
        figures = {
            "executions": COUNT,
            "finished": sum((finished or {}).get(s, 0) for s in chaos.FINISHED),
            "succeeded": (finished or {}).get("SUCCESS", 0),
            "broker_down_s": round(back - stopped, 1),
            "all_finished_after_broker_back_s": round(time.monotonic() - back, 1),
            "action_reruns": _reruns(db),
            "results_resent_by_executors": chaos.log_lines(
                dep, "sending the result of action execution"),
        }
        figures["actions_sent_again_unacknowledged"] = _resends(db)
        chaos.write_figures(dep, "outage-rabbitmq.json", figures)
        assert finished, "executions left unfinished:\n" + dep.logs()
        _check_outputs(db, "mq")
        assert figures["action_reruns"] == 0, figures
        assert not any(db.unfinished().values()), db.unfinished()
        # Every service is still there: it reconnected rather than died.
        assert all(p.poll() is None for procs in dep.cluster.procs.values() for p in procs)
    finally:
        db.close()


def _pg_cluster():
    """(version, name) of the PostgreSQL cluster listening on 5432."""
    _need("pg_ctlcluster")
    listing = subprocess.run([_need("pg_lsclusters"), "--no-header"], capture_output=True,
                             text=True, timeout=30).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == "5432":
            return fields[0], fields[1]
    msg = "no PostgreSQL cluster on port 5432 to stop and start"
    if os.environ.get("CI") == "true":
        pytest.fail(msg + " (mandatory under CI=true)")
    pytest.skip(msg)


def _pg_control(version, name, action):
    chaos.service_control("pg_ctlcluster", "--skip-systemctl-redirect", version, name,
                          action)


def _pg_answers():
    import psycopg2

    try:
        psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres",
                         connect_timeout=2).close()
        return True
    except psycopg2.Error:
        return False


def _api_calls_during_outage(url, ex_id):
    """One round of API calls; returns [(call, status, body)]."""
    calls = [
        ("GET /executions", lambda: requests.get(url + "/executions", timeout=30)),
        ("GET /executions/<id>", lambda: requests.get(url + "/executions/" + ex_id,
                                                      timeout=30)),
        ("GET /tasks", lambda: requests.get(url + "/tasks", timeout=30)),
        ("POST /workflows", lambda: requests.post(
            url + "/workflows", data=_workflow("made_in_outage", False),
            headers={"Content-Type": "text/plain"}, timeout=30)),
        ("POST /executions", lambda: requests.post(url + "/executions", json={
            "workflow_name": "outage_db", "input": json.dumps({"n": 99}),
            "description": "refused-in-outage"}, timeout=30)),
    ]
    out = []
    for name, call in calls:
        r = call()
        try:
            body = r.json()
        except ValueError:
            body = r.text
        out.append((name, r.status_code, body))
    return out


def test_database_outage_answers_503_and_loses_nothing(services):
    dep = services
    version, name = _pg_cluster()
    db = chaos.Database(dep.db_url)
    try:
        chaos.post_workflow(dep.url, _workflow("outage_db", safe_rerun=False))
        starter = _start_all(dep, "outage_db", "db")
        time.sleep(1.5)
        answers = []
        _pg_control(version, name, "stop")
        stopped = time.monotonic()
        try:
            while time.monotonic() - stopped < 10:
                answers.extend(_api_calls_during_outage(dep.url, starter.ids[0]))
                time.sleep(0.5)
        finally:
            _pg_control(version, name, "start")
            assert chaos.wait_for(_pg_answers, 60), "PostgreSQL did not come back"
        back = time.monotonic()
        finished = _wait_finished(db, "db", 120)
        statuses = sorted({(call, status) for call, status, _ in answers})
        figures = {
            "executions": COUNT,
            "finished": sum((finished or {}).get(s, 0) for s in chaos.FINISHED),
            "succeeded": (finished or {}).get("SUCCESS", 0),
            "database_down_s": round(back - stopped, 1),
            "api_calls_during_outage": len(answers),
            "api_statuses_during_outage": sorted({s for _, s, _ in answers}),
            "all_finished_after_database_back_s": round(time.monotonic() - back, 1),
            "action_reruns": _reruns(db),
            "results_resent_by_executors": chaos.log_lines(
                dep, "sending the result of action execution"),
        }
        chaos.write_figures(dep, "outage-postgresql.json", figures)

        assert answers
        bad = [(c, s, b) for c, s, b in answers
               if s != 503 or not isinstance(b, dict) or not b.get("faultstring")]
        assert not bad, "not a JSON 503: %s (all: %s)" % (bad[:3], statuses)
        assert finished, "executions left unfinished:\n" + dep.logs()
        _check_outputs(db, "db")
        assert not any(db.unfinished().values()), db.unfinished()
        # What was refused left nothing behind.
        r = requests.get(dep.url + "/workflows/made_in_outage", timeout=10)
        assert r.status_code == 404, r.text
        assert db.executions("refused") == []
        assert len(db.executions("db")) == COUNT
    finally:
        db.close()


def test_sigterm_lets_the_executor_finish_its_action(services):
    dep = services
    chaos.post_workflow(dep.url, """\
version: '2.0'
nap_then_echo:
  tasks:
    nap:
      action: std.sleep seconds=2
      on-success:
        - done
    done:
      action: std.echo output="done"
      publish:
        out: <% task().result %>
""")
    r = requests.post(dep.url + "/executions", json={"workflow_name": "nap_then_echo"},
                      timeout=30)
    assert r.status_code == 201, r.text
    ex_id = r.json()["id"]

    def nap_running():
        actions = requests.get(dep.url + "/action_executions", timeout=10).json()
        return [a for a in actions["action_executions"]
                if a["name"] == "std.sleep" and a["state"] == "RUNNING"]

    assert chaos.wait_for(nap_running, 30, interval=0.05)
    time.sleep(0.3)
    [executor] = dep.cluster.alive("executor")
    executor.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    executor.wait(timeout=30)
    exited_after = time.monotonic() - signalled
    dep.cluster.procs["executor"].remove(executor)

    # The nap's result made it; ``done`` needs an executor again.
    def nap_done():
        actions = requests.get(dep.url + "/action_executions", timeout=10).json()
        naps = [a for a in actions["action_executions"] if a["name"] == "std.sleep"]
        return naps if naps and naps[0]["state"] != "RUNNING" else None

    naps = chaos.wait_for(nap_done, 10)
    assert naps, "the result of the action was lost:\n" + dep.logs()
    assert [a["state"] for a in naps] == ["SUCCESS"]
    assert exited_after < 20, exited_after
    assert executor.returncode == 0, dep.logs()
    dep.cluster.start("executor")

    def finished():
        ex = requests.get(dep.url + "/executions/" + ex_id, timeout=10).json()
        return ex if ex["state"] in chaos.FINISHED else None

    ex = chaos.wait_for(finished, 30)
    assert ex and ex["state"] == "SUCCESS", (ex, dep.logs())
    assert json.loads(ex["output"]) == {"out": "done"}
    print("\ngraceful shutdown: executor exited %.1f s after SIGTERM" % exited_after)
