"""Runner and command line of tools/bench against a tiny in-process fake API."""

import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

TOOLS_DIR = Path(__file__).resolve().parents[3] / "tools"
sys.path.insert(0, str(TOOLS_DIR))

from benchlib import cli, scenarios  # noqa: E402
from benchlib import runner as runner_module  # noqa: E402
from benchlib.client import MistralClient  # noqa: E402
from benchlib.runner import Runner, ScenarioAborted  # noqa: E402


class FakeMistral:
    """Just enough of API v2: executions finish after a few polls."""

    def __init__(self, outcome="SUCCESS", polls_to_finish=2):
        self.outcome = outcome
        self.polls_to_finish = polls_to_finish
        self.workflows = {}
        self.executions = {}
        self.calls = []
        self.lock = threading.Lock()

    def advance(self, execution):
        execution["polls"] += 1
        finishes = self.outcome != "STUCK" and execution["polls"] >= self.polls_to_finish
        if finishes and execution["state"] == "RUNNING":
            execution["state"] = self.outcome


def make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body=None):
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def handle_any(self, method):
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            parts = url.path.strip("/").split("/")[1:]
            with fake.lock:
                fake.calls.append((method, url.path, query))
                return self.route(method, parts, query)

        def route(self, method, parts, query):
            ex = fake.executions
            if parts == ["workflows"] and method == "POST":
                assert self.headers["Content-Type"] == "text/plain"
                doc = yaml.safe_load(self.body())
                name = next(k for k in doc if k != "version")
                if name in fake.workflows:
                    return self.reply(409, {"faultstring": "exists"})
                fake.workflows[name] = doc
                return self.reply(201, {"workflows": [{"name": name}]})
            if parts[0] == "workflows" and method == "DELETE":
                found = fake.workflows.pop(parts[1], None)
                return self.reply(204 if found else 404)
            if parts == ["workflows"]:
                return self.reply(200, {"workflows": []})
            if parts == ["executions"] and method == "POST":
                req = json.loads(self.body())
                assert isinstance(req["input"], str)
                json.loads(req["input"])
                if req["workflow_name"] not in fake.workflows:
                    return self.reply(404, {"faultstring": "no workflow"})
                eid = str(uuid.uuid4())
                ex[eid] = {"id": eid, "wf": req["workflow_name"], "state": "RUNNING", "polls": 0}
                return self.reply(201, {"id": eid, "state": "RUNNING"})
            if parts == ["executions"]:
                rows = [e for e in ex.values() if e["wf"] == query["workflow_name"]]
                for row in rows:
                    fake.advance(row)
                return self.reply(200, {"executions": [
                    {"id": r["id"], "state": r["state"]} for r in rows
                ]})  # fmt: skip
            execution = ex.get(parts[1])
            if execution is None:
                return self.reply(404)
            if method == "GET":
                fake.advance(execution)
                return self.reply(200, {
                    "id": execution["id"], "state": execution["state"], "state_info": "boom"
                })  # fmt: skip
            if method == "PUT":
                execution["state"] = json.loads(self.body())["state"]
                return self.reply(200, {"id": execution["id"], "state": execution["state"]})
            del ex[parts[1]]
            return self.reply(204)

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

        def do_PUT(self):
            self.handle_any("PUT")

        def do_DELETE(self):
            self.handle_any("DELETE")

    return Handler


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(runner_module, "CLEANUP_SETTLE_S", 0.0)
    fake = FakeMistral()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_port}/v2"
    yield fake
    httpd.shutdown()
    httpd.server_close()


def run(fake, name, timeout=10.0, **opts):
    runner = Runner(
        MistralClient(fake.url), timeout=timeout, poll_interval=0.005, log=lambda m: None
    )
    res = runner.run(scenarios.build_scenario(name, "t", scenarios.Options(quick=True, **opts)))
    runner.cleanup()
    return res


def test_runs_executions_and_cleans_up(server):
    res = run(server, "single", executions=8, concurrency=6)
    assert res["finished"] == 8 and res["errors"] == 0 and res["timeouts"] == 0
    assert res["executions_per_s"] > 0 and res["actions_per_s"] is None
    assert res["p50_s"] <= res["p95_s"] <= res["max_s"]
    assert res["polls"] > 0
    assert not server.executions and not server.workflows
    # Many executions in flight are polled with one list call, not one GET each.
    assert any(c[0] == "GET" and c[1].endswith("/executions") for c in server.calls)
    assert any(c[2].get("fields") == "id,state" for c in server.calls)


def test_actions_per_second_uses_scenario_shape(server):
    res = run(server, "chain20")
    assert res["actions"] == 5 and res["total_actions"] == 5
    assert res["actions_per_s"] == pytest.approx(5 / res["wall_s"])


def test_errors_are_reported_and_kept(server):
    server.outcome = "ERROR"
    res = run(server, "fairness100")
    assert res["errors"] == 10
    assert res["error_samples"][0]["state_info"] == "boom"
    # Failed executions and their workflow stay for inspection.
    assert len(server.executions) == 10 and server.workflows


def test_timeout_cancels_running_executions(server):
    server.outcome = "STUCK"
    res = run(server, "single", executions=4, concurrency=2, timeout=0.2)
    assert res["timeouts"] == 4 and res["finished"] == 0
    assert {e["state"] for e in server.executions.values()} == {"CANCELLED"}
    assert len(server.executions) == 2  # the other two were never started


def test_refused_start_aborts(server):
    runner = Runner(MistralClient(server.url), poll_interval=0.005, log=lambda m: None)
    sc = scenarios.build_scenario("single", "t", scenarios.Options(quick=True))
    original = runner.client.start_execution

    def refuse(name, payload):
        return original("missing_" + name, payload)

    runner.client.start_execution = refuse
    with pytest.raises(ScenarioAborted, match="404"):
        runner.run(sc)


def test_cli_json_and_comparison(server, tmp_path, capsys):
    saved = tmp_path / "base.json"
    argv = ["--url", server.url, "--quick", "--scenarios", "single,chain20", "--poll-interval",
            "0.005", "--json", str(saved)]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "single" in out and "chain20" in out
    doc = json.loads(saved.read_text())
    assert [r["scenario"] for r in doc["runs"]["mistral-svc"]["results"]] == ["single", "chain20"]

    argv = ["--url", server.url, "--quick", "--scenarios", "chain20", "--poll-interval",
            "0.005", "--compare-json", str(saved), "--json"]  # fmt: skip
    assert cli.main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {row["scenario"] for row in doc["comparison"]} == {"chain20"}


def test_cli_fails_loudly(server, capsys):
    server.outcome = "ERROR"
    argv = ["--url", server.url, "--quick", "--scenarios", "chain20", "--poll-interval", "0.005"]
    assert cli.main(argv) == cli.EXIT_FAILED
    captured = capsys.readouterr()
    assert "FAILED chain20" in captured.out
    assert "FAILED" in captured.err


def test_cli_keeps_results_when_reference_is_missing(server, tmp_path, capsys):
    argv = ["--url", server.url, "--quick", "--scenarios", "chain20", "--poll-interval", "0.005",
            "--compare-json", str(tmp_path / "missing.json")]  # fmt: skip
    assert cli.main(argv) == cli.EXIT_SETUP
    captured = capsys.readouterr()
    assert "chain20" in captured.out
    assert "no comparison" in captured.err


def test_cli_rejects_bad_options(capsys):
    assert cli.main(["--scenarios", "bogus"]) == cli.EXIT_SETUP
    assert cli.main(["--concurrency", "0"]) == cli.EXIT_SETUP
    assert cli.main(["--url", "http://127.0.0.1:9/v2", "--timeout", "1"]) == cli.EXIT_SETUP
    err = capsys.readouterr().err
    assert "bench:" in err and "no response" in err
