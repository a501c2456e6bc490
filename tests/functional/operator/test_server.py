"""The server as an operator meets it: logs, health, metrics, ports, WSGI."""

import os
import socket
import subprocess
import sys

import requests

from tests.functional import scenarios
from tests.functional.server_fixture import free_port, unique
from tests.waiting import wait_for as _wait_for


def _root(server):
    return server.url[: -len("/v2")]


def _log(server):
    with open(server.log_file, encoding="utf-8", errors="replace") as f:
        return f.read()


def test_healthcheck_reports_database_and_broker(mistral_server):
    resp = requests.get(_root(mistral_server) + "/healthcheck", timeout=10)
    assert resp.status_code == 200
    assert resp.text == "OK"
    resp = requests.get(_root(mistral_server) + "/healthcheck", timeout=10,
                        headers={"Accept": "application/json"})
    assert resp.json()["reasons"] == ["OK"]


def test_one_access_line_per_request_and_no_traceback_for_a_4xx(mistral_server):
    name = unique("logged")
    mistral_server.create_workflows(scenarios.hello(name))
    ex = mistral_server.start_execution(name, {"who": "log"})
    mistral_server.wait_execution(ex["id"])
    marker = unique("missing")
    resp = requests.put(mistral_server.url + "/executions/%s" % ex["id"], timeout=10,
                        json={"state": "PAUSED"})
    assert resp.status_code == 400
    requests.get(mistral_server.url + "/executions/" + marker, timeout=10)

    _wait_for(lambda: marker in _log(mistral_server))
    log = _log(mistral_server)
    lines = [line for line in log.splitlines() if "GET /v2/executions/" + marker in line]
    assert len(lines) == 1 and "status: 404" in lines[0], lines
    put = [line for line in log.splitlines()
           if '"PUT /v2/executions/%s"' % ex["id"] in line]
    assert len(put) == 1 and "status: 400" in put[0], put
    assert "Traceback" not in log


def test_metrics_count_what_ran(mistral_server):
    url = _root(mistral_server) + "/metrics"

    def finished():
        for line in requests.get(url, timeout=10).text.splitlines():
            if line.startswith('mistral_svc_workflow_executions_finished_total{state="SUCCESS"}'):
                return float(line.split()[-1])
        return 0.0

    before = finished()
    name = unique("counted")
    mistral_server.create_workflows(scenarios.hello(name))
    ex = mistral_server.start_execution(name, {"who": "metrics"})
    assert mistral_server.wait_execution(ex["id"])["state"] == "SUCCESS"
    _wait_for(lambda: finished() >= before + 1)
    page = requests.get(url, timeout=10).text
    assert 'mistral_svc_action_duration_seconds_count{action="std.echo"}' in page
    assert 'mistral_svc_engine_hop_seconds_count{method="start_workflow"}' in page
    assert "mistral_svc_scheduler_due_jobs" in page
    assert "mistral_svc_task_executions_started_total" in page


def _env(state_dir):
    env = dict(os.environ, MISTRAL_SVC_STATE_DIR=state_dir)
    source_root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH"))
                                        if p)
    return env


def test_a_taken_port_is_one_line_and_a_failure(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "mistral_svc.cmd.server", "--host", "127.0.0.1",
             "--port", str(port)],
            env=_env(str(tmp_path)), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    err = [line for line in proc.stderr.splitlines() if line.strip()]
    assert err == ["mistral-svc-server: cannot listen on 127.0.0.1:%d: Address already "
                   "in use (choose another with --port or [api] port)" % port], proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_wsgi_application_runs_workflows(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mistral_svc.api.wsgi", "--port", str(port)],
        env=_env(str(tmp_path)), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:%d/v2" % port
    try:
        _wait_for(lambda: _answers(base), timeout=90)
        name = unique("wsgi")
        requests.post(base + "/workflows", data=scenarios.hello(name).encode(),
                      headers={"Content-Type": "text/plain"}, timeout=30).raise_for_status()
        ex = requests.post(base + "/executions", json={"workflow_name": name,
                                                       "input": '{"who": "wsgi"}'},
                           timeout=30).json()
        _wait_for(lambda: requests.get(base + "/executions/" + ex["id"], timeout=10)
                  .json()["state"] == "SUCCESS", timeout=30)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _answers(url):
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
