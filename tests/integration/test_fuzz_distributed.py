"""The malformed-request sweep on the distributed shape (api, engine, executor and
scheduler processes over RabbitMQ, PostgreSQL), and the same answers as the embedded
default: errors raised in the engine reach the API over the broker with the status
they have in one process."""

import json
import os

from tests import fuzz_sweep
from tests.functional.server_fixture import Server
from tests.integration.conftest import deployed

# Errors the engine raises (not the API): each must be the same 4xx in both shapes.
ENGINE_ERRORS = [
    ("POST", "/v2/action_executions", {"name": "no.such.action"}, 400),
    ("POST", "/v2/action_executions",
     {"name": "no.such.action", "params": json.dumps({"run_sync": True})}, 400),
    ("POST", "/v2/action_executions", {"name": "std.echo"}, 400),
    ("POST", "/v2/action_executions",
     {"name": "std.echo", "input": json.dumps({"output": 1, "nope": 2})}, 400),
    ("POST", "/v2/action_executions",
     {"name": "std.echo", "input": json.dumps({"output": 1}),
      "params": json.dumps({"timeout": "soon"})}, 400),
    ("POST", "/v2/executions", {"workflow_name": "no_such_wf"}, 404),
    ("POST", "/v2/executions", {"workflow_name": "fuzz_wf",
                                "input": json.dumps({"nobody": 1})}, 400),
    ("PUT", "/v2/executions/<ex>", {"state": "PAUSED"}, 400),
    ("PUT", "/v2/tasks/<task>", {"state": "RUNNING"}, 400),
]


def _engine_errors(http, items):
    out = []
    for method, path, body, _ in ENGINE_ERRORS:
        path = path.replace("<ex>", items["executions"]).replace("<task>", items["tasks"])
        status, _, text = http.send(method, path, "", json.dumps(body).encode(),
                                    "application/json")
        message = json.loads(text).get("faultstring") or ""
        for value in items.values():  # ids differ between the two deployments
            message = message.replace(value, "<item>")
        out.append((status, message))
    return out


def _run(http, db_url):
    items = fuzz_sweep.setup_items(http.call)
    errors = _engine_errors(http, items)  # first: the sweep may delete the items
    return http.sweep(db_url, items), errors


def test_sweep_and_engine_errors_match_the_embedded_default():
    with deployed("postgresql") as dep:
        for server in ("engine", "executor", "scheduler", "api"):
            dep.start(server)
        dep.wait_api()
        dist, dist_errors = _run(fuzz_sweep.Http(dep.url[: -len("/v2")]), dep.db_url)
    embedded = Server().start()
    try:
        db = "sqlite:///" + os.path.join(embedded.state_dir, "mistral.sqlite")
        emb, emb_errors = _run(fuzz_sweep.Http(embedded.url[: -len("/v2")]), db)
    finally:
        embedded.stop()
    dist.check()
    emb.check()
    assert [s for s, _ in dist_errors] == [expected for *_, expected in ENGINE_ERRORS]
    assert dist_errors == emb_errors
    differ = {k[:3]: (emb.statuses.get(k), v) for k, v in dist.statuses.items()
              if emb.statuses.get(k) != v}
    assert not differ, list(differ.items())[:20]
