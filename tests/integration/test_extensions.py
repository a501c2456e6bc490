"""Extensions on the distributed shape: a package installed beside the services and
code sources, run by an executor process over RabbitMQ (PostgreSQL)."""

import json
import os

import requests

from tests import plugin_package
from tests.integration.conftest import deployed
from tests.waiting import poll as _wait

WORKFLOW = """\
version: '2.0'
ext_it:
  tasks:
    greet:
      action: testpkg.greet name="cluster"
"""

DYNAMIC_WORKFLOW = """\
version: '2.0'
ext_dyn_it:
  tasks:
    where:
      action: where_am_i
"""

CODE = """\
import os

from mistral_lib import actions


class WhereAmI(actions.Action):
    def run(self, context):
        return {"pid": os.getpid(), "word": WORD}


WORD = "first"
"""


def _run(dep, name):
    url = dep.url
    r = requests.post(url + "/executions", json={"workflow_name": name}, timeout=30)
    assert r.status_code == 201, r.text
    ex = _wait(lambda: _finished(url, r.json()["id"]))
    assert ex is not None, "execution never finished:\n" + dep.logs()
    assert ex["state"] == "SUCCESS", ex["state_info"]
    tasks = requests.get(url + "/executions/%s/tasks" % ex["id"], timeout=5).json()
    task = requests.get(url + "/tasks/" + tasks["tasks"][0]["id"], timeout=5).json()
    return ex, json.loads(task["result"])


def _finished(url, ex_id):
    ex = requests.get(url + "/executions/" + ex_id, timeout=5).json()
    return ex if ex["state"] in ("SUCCESS", "ERROR") else None


def test_package_and_code_source_actions_run_on_the_executor_process():
    with plugin_package.built() as root:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        # ``deployed`` runs db-manage populate with the package on the path.
        _exercise(env)


def _exercise(env):
    """Package actions, then a code source and its dynamic action, on one deployment."""
    with deployed("postgresql", env=env) as dep:
        procs = {name: dep.start(name) for name in ("engine", "executor", "api")}
        dep.wait_api()
        url = dep.url

        resp = requests.get(url + "/actions/testpkg.greet", timeout=5)
        if resp.status_code != 200:
            again = dep.db_manage("populate")
            raise AssertionError("%s\npopulate again: %s %s\n%s" % (
                resp.text, again.stdout, again.stderr[-2000:], dep.logs()))
        assert resp.json()["input"] == 'name, greeting="Hello"', resp.text

        r = requests.post(url + "/workflows", data=WORKFLOW,
                          headers={"Content-Type": "text/plain"}, timeout=10)
        assert r.status_code == 201, r.text
        ex, result = _run(dep, "ext_it")
        assert result["text"] == "Hello, cluster!"
        assert result["workflow_execution_id"] == ex["id"]
        # It ran in the executor's process, not in the engine's or the API's.
        assert result["pid"] == procs["executor"].pid

        # A code source and a dynamic action: the code travels to the executor.
        r = requests.post(url + "/code_sources?name=where", data=CODE,
                          headers={"Content-Type": "text/plain"}, timeout=10)
        assert r.status_code == 201, r.text
        r = requests.post(url + "/dynamic_actions", json={
            "name": "where_am_i", "class_name": "WhereAmI", "code_source_name": "where"},
            timeout=10)
        assert r.status_code == 201, r.text
        r = requests.post(url + "/workflows", data=DYNAMIC_WORKFLOW,
                          headers={"Content-Type": "text/plain"}, timeout=10)
        assert r.status_code == 201, r.text
        assert _run(dep, "ext_dyn_it")[1] == {"pid": procs["executor"].pid, "word": "first"}
        r = requests.put(url + "/code_sources?identifier=where",
                         data=CODE.replace('"first"', '"second"'),
                         headers={"Content-Type": "text/plain"}, timeout=10)
        assert r.json()["version"] == 2, r.text
        assert _run(dep, "ext_dyn_it")[1]["word"] == "second"
