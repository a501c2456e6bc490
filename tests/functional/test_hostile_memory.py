"""The attacks of a hostile client, one after another against one server process of its
own (the embedded default, default options), and that process's peak memory at the end:
under 1 GiB, and the server still answers and runs workflows."""

import json

import pytest
import requests

from tests.functional.server_fixture import Server, unique
from tests.waiting import wait_for

PEAK_LIMIT_KB = 1024 * 1024

ALIAS_BOMB = "\n".join(
    ["version: '2.0'", "wf_bomb:", "  vars:", "    l0: &l0 [%s]" % ", ".join(['"lol"'] * 9)]
    + ["    l%d: &l%d [%s]" % (i, i, ", ".join(["*l%d" % (i - 1)] * 9)) for i in range(1, 8)]
    + ["  tasks:", "    t:", "      action: std.noop", ""])

# Expressions that would build gigabytes: each fails its task at a bound.
EXPRESSIONS = [
    "{{ 'x'.ljust(300000000) }}",
    "{{ (['x' * 1000000] * 300) | join }}",
    "<% 'x' * 300000000 %>",
    "<% pow(10, 5000000) > 1 %>",
]


@pytest.fixture(scope="module")
def server():
    srv = Server().start()
    yield srv
    srv.stop()


def _peak_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM for process %d" % pid)


def _post_yaml(url, text):
    return requests.post(url, data=text.encode(), timeout=60,
                         headers={"Content-Type": "text/plain"})


def _run(server, text, name):
    r = _post_yaml(server.url + "/workflows", text)
    assert r.status_code == 201, r.text
    r = requests.post(server.url + "/executions", json={"workflow_name": name}, timeout=60)
    assert r.status_code == 201, r.text
    ex_id = r.json()["id"]

    def finished():
        ex = requests.get(server.url + "/executions/" + ex_id, timeout=30).json()
        return ex if ex["state"] in ("SUCCESS", "ERROR", "CANCELLED") else None

    return wait_for(finished, 120, message="execution %s never finished" % ex_id)


def test_attacks_leave_the_server_under_1_gib(server):
    u = unique("rss")
    assert _post_yaml(server.url + "/workflows", ALIAS_BOMB).status_code == 400
    assert _post_yaml(server.url + "/workflows",
                      "version: '2.0'\nwf_self:\n  vars: &a [*a]\n  tasks: {}\n"
                      ).status_code == 400

    huge_body = json.dumps({"name": "env_" + u, "variables": {"v": "x" * (52 << 20)}})
    r = requests.post(server.url + "/environments", data=huge_body, timeout=120,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    del huge_body

    for i, expression in enumerate(EXPRESSIONS):
        name = "wf_expr%d_%s" % (i, u)
        ex = _run(server, "version: '2.0'\n%s:\n  tasks:\n    t:\n      action: std.echo\n"
                          "      input:\n        output: \"%s\"\n" % (name, expression), name)
        assert ex["state"] == "ERROR", expression

    name = "wf_self_" + u
    ex = _run(server, "version: '2.0'\n%s:\n  tasks:\n    again:\n      workflow: %s\n"
                      % (name, name), name)
    assert ex["state"] == "ERROR"
    tree = requests.get(server.url + "/executions/%s/executions" % ex["id"], timeout=60)
    assert len(tree.json()["executions"]) == 51  # the root and [engine] max_subworkflow_depth

    # Still serving, still running workflows, and never past the bound.
    name = "wf_after_" + u
    assert _run(server, "version: '2.0'\n%s:\n  tasks:\n    t:\n      action: std.noop\n"
                % name, name)["state"] == "SUCCESS"
    peak = _peak_kb(server.process.pid)
    assert peak < PEAK_LIMIT_KB, "peak RSS %d MiB" % (peak // 1024)
