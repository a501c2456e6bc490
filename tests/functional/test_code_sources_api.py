"""/v2/code_sources and /v2/dynamic_actions: Mistral's fields and status codes, runs on
the embedded service, versions, deletion rules, bad code, policy and the switch."""

import json
import time

import pytest

from mistral_svc import config
from mistral_svc.actions import registry

CONF = config.CONF

SOURCE = '''\
from mistral_lib import actions


class Greeter(actions.Action):
    """Says hello."""

    def __init__(self, name, punctuation="!"):
        super().__init__()
        self.name = name
        self.punctuation = punctuation

    def run(self, context):
        return "Hello, %s%s (%s)" % (self.name, self.punctuation,
                                     context.execution.workflow_execution_id)


class Shouter(Greeter):
    def run(self, context):
        return "HELLO, %s%s" % (self.name.upper(), self.punctuation)


class Refuser(actions.Action):
    def run(self, context):
        return actions.Result(error="refused by the code source")


class Later(actions.Action):
    def run(self, context):
        return None

    def is_sync(self):
        return False


class Fragile(actions.Action):
    def __init__(self):
        raise ValueError("cannot build")

    def run(self, context):
        return None
'''


def _create_source(api, name, content=SOURCE, status=201, namespace="", scope=None):
    url = "/v2/code_sources?name=%s&namespace=%s" % (name, namespace)
    if scope:
        url += "&scope=%s" % scope
    return api.app.post(url, content, headers={"Content-Type": "text/plain"},
                        status=status).json


def _create_action(api, name, class_name, code_source, status=201, **extra):
    body = {"name": name, "class_name": class_name}
    body["code_source_id" if len(code_source) == 36 else "code_source_name"] = code_source
    body.update(extra)
    return api.post("/v2/dynamic_actions", body, status=status)


def _run(api, name, task_body, namespace=""):
    text = "version: '2.0'\n%s:\n  tasks:\n    t:\n%s" % (name, task_body)
    api.post_yaml("/v2/workflows?namespace=%s" % namespace, text)
    ex = api.wait(api.start(name, workflow_namespace=namespace)["id"])
    task = api.tasks(ex["id"])["t"]
    result = api.get("/v2/tasks/%s" % task["id"]).get("result")
    return ex, task, json.loads(result) if result else None


def test_code_source_lifecycle_as_mistral(api, unique):
    name = "mod_" + unique
    created = _create_source(api, name, namespace="ns1")
    assert created["name"] == name and created["content"] == SOURCE
    assert created["version"] == 1 and created["namespace"] == "ns1"
    assert created["scope"] == "private" and created["project_id"]
    assert created["created_at"] and len(created["id"]) == 36

    by_name = api.get("/v2/code_sources/%s?namespace=ns1" % name)
    assert by_name["id"] == created["id"] and by_name["content"] == SOURCE
    assert api.get("/v2/code_sources/%s" % created["id"])["name"] == name
    api.app.get("/v2/code_sources/%s" % name, status=404)  # not in the default namespace

    listed = api.get("/v2/code_sources?namespace=ns1&name=%s" % name)["code_sources"]
    assert [c["id"] for c in listed] == [created["id"]]
    slim = api.get("/v2/code_sources?name=%s&fields=name,version" % name)["code_sources"]
    assert slim == [{"id": created["id"], "name": name, "version": 1}]

    dup = _create_source(api, name, namespace="ns1", status=409)
    assert "Duplicate entry for CodeSource" in dup["faultstring"]

    updated = api.app.put("/v2/code_sources?identifier=%s&namespace=ns1" % name,
                          "X = 1\n", headers={"Content-Type": "text/plain"}).json
    assert updated["version"] == 2 and updated["content"] == "X = 1\n"
    assert updated["updated_at"]

    api.delete("/v2/code_sources/%s?namespace=ns1" % name)
    missing = api.app.get("/v2/code_sources/%s?namespace=ns1" % name, status=404).json
    assert missing["faultstring"] == ("Code Source not found [name=%s,namespace=ns1]"
                                      % name)


def test_code_that_does_not_compile_is_refused_with_its_line(api, unique):
    name = "bad_" + unique
    error = _create_source(api, name, "import os\n\ndef broken(:\n    pass\n", status=400)
    assert "line 3" in error["faultstring"] and name in error["faultstring"]
    api.app.get("/v2/code_sources/%s" % name, status=404)  # nothing was stored
    _create_source(api, name, "X = 1\n")
    error = api.app.put("/v2/code_sources?identifier=%s" % name, "class A(\n",
                        headers={"Content-Type": "text/plain"}, status=400).json
    assert "line 1" in error["faultstring"]
    assert api.get("/v2/code_sources/%s" % name)["version"] == 1
    api.delete("/v2/code_sources/%s" % name)


def test_dynamic_action_runs_updates_and_deletes(api, unique):
    source = _create_source(api, "greet_" + unique)
    action = "greet_" + unique
    created = _create_action(api, action, "Greeter", source["id"])
    assert created["class_name"] == "Greeter"
    assert created["code_source_id"] == source["id"]
    assert created["code_source_name"] == "greet_" + unique
    assert created["scope"] == "private" and created["namespace"] == ""
    got = api.get("/v2/dynamic_actions/%s" % action)
    assert got["id"] == created["id"]
    listed = api.get("/v2/dynamic_actions?name=%s" % action)["dynamic_actions"]
    assert [a["id"] for a in listed] == [created["id"]]

    ex, task, result = _run(api, "wf1_" + unique,
                            "      action: %s name='World'\n" % action)
    assert ex["state"] == "SUCCESS", task["state_info"]
    assert result == "Hello, World! (%s)" % ex["id"]

    # A new version of the code is what the next run uses.
    api.app.put("/v2/code_sources?identifier=%s" % source["id"],
                SOURCE.replace("Hello", "Welcome"), headers={"Content-Type": "text/plain"})
    ex, task, result = _run(api, "wf2_" + unique, "      action: %s name='You'\n" % action)
    assert result == "Welcome, You! (%s)" % ex["id"]

    # Another class of the same source.
    updated = api.put("/v2/dynamic_actions", {"name": action, "class_name": "Shouter"})
    assert updated["class_name"] == "Shouter"
    ex, task, result = _run(api, "wf3_" + unique, "      action: %s name='you'\n" % action)
    assert result == "HELLO, YOU!"

    refused = api.app.delete("/v2/code_sources/%s" % source["id"], status=400).json
    assert "dynamic actions associated" in refused["faultstring"]
    assert action in refused["faultstring"]

    api.delete("/v2/dynamic_actions/%s" % action)
    api.app.get("/v2/dynamic_actions/%s" % action, status=404)
    ex, task, _ = _run(api, "wf4_" + unique, "      action: %s name='x'\n" % action)
    assert ex["state"] == "ERROR" and "Failed to find action" in task["state_info"]
    api.delete("/v2/code_sources/%s" % source["id"])


def test_ad_hoc_action_on_a_dynamic_action(api, unique):
    source = _create_source(api, "adhocbase_" + unique)
    _create_action(api, "dyn_" + unique, "Greeter", source["id"])
    api.post_yaml("/v2/actions", """version: '2.0'
polite_%(u)s:
  base: dyn_%(u)s
  input: [who]
  base-input:
    name: <%% $.who %%>
    punctuation: "."
  output: <%% $.toUpper() %%>
""" % {"u": unique})
    ex, task, result = _run(api, "adhocwf_" + unique,
                            "      action: polite_%s who='Ann'\n" % unique)
    assert ex["state"] == "SUCCESS", task["state_info"]
    assert result == ("Hello, Ann. (%s)" % ex["id"]).upper()

    # The base must exist when the ad-hoc action is created.
    error = api.app.post("/v2/actions", "version: '2.0'\nrude_%s:\n  base: nodyn_%s\n"
                         % (unique, unique), headers={"Content-Type": "text/plain"},
                         status=400).json
    assert "nodyn_%s" % unique in error["faultstring"]


def test_dynamic_action_in_a_namespace(api, unique):
    _create_source(api, "nsmod_" + unique, namespace="team")
    _create_action(api, "hello_" + unique, "Greeter", "nsmod_" + unique, namespace="team")
    api.app.get("/v2/dynamic_actions/hello_%s" % unique, status=404)
    assert api.get("/v2/dynamic_actions/hello_%s?namespace=team" % unique)["namespace"] \
        == "team"
    ex, task, result = _run(api, "nswf_" + unique,
                            "      action: hello_%s name='team'\n" % unique, namespace="team")
    assert ex["state"] == "SUCCESS", task["state_info"]
    assert result.startswith("Hello, team!")


@pytest.mark.parametrize("body, status, text", [
    ({"name": "x", "class_name": "Greeter"}, 400,
     "Either 'code_source_id' or 'code_source_name' must be provided."),
    ({"name": "x", "class_name": "Greeter", "code_source_name": "no_such_module"}, 404,
     "Code Source not found"),
    ({"name": "x", "class_name": "Nope", "code_source_name": "{src}"}, 400,
     "Class Nope is not defined in the code source"),
    ({"name": "std.echo", "class_name": "Greeter", "code_source_name": "{src}"}, 409,
     "std.echo is a system action"),
    ({"name": "x", "code_source_name": "{src}"}, 400, "needs a class_name"),
    ({"name": "x", "class_name": "Greeter", "code_source_name": "{src}",
      "scope": "everyone"}, 400, "scope"),
])
def test_dynamic_action_bad_requests(api, unique, body, status, text):
    src = "src_" + unique
    _create_source(api, src)
    body = {k: v.replace("{src}", src) for k, v in body.items()}
    error = api.post("/v2/dynamic_actions", body, status=status)
    assert text in error["faultstring"]
    assert api.get("/v2/dynamic_actions?code_source_name=%s" % src)["dynamic_actions"] == []


def test_duplicate_dynamic_action(api, unique):
    _create_source(api, "dupsrc_" + unique)
    _create_action(api, "dup_" + unique, "Greeter", "dupsrc_" + unique)
    error = _create_action(api, "dup_" + unique, "Greeter", "dupsrc_" + unique, status=409)
    assert "Duplicate entry for dynamic action definition" in error["faultstring"]


@pytest.mark.parametrize("content, class_name, task_body, expected", [
    (SOURCE, "Refuser", "      action: {a}\n", "refused by the code source"),
    (SOURCE, "Fragile", "      action: {a}\n",
     "Failed to create action {a} [class=code_{a}.Fragile]: ValueError: cannot build"),
    (SOURCE, "Greeter", "      action: {a} nom='x'\n",
     "Invalid input [name={a}, class=Greeter, missing=['name'], unexpected=['nom']]"),
    ("import no_such_module_here\n\nclass A:\n    pass\n", "A", "      action: {a}\n",
     "Failed to load code source code_{a} (version 1): ModuleNotFoundError"),
    ("raise SystemExit(1)\n\nclass A:\n    pass\n", "A", "      action: {a}\n",
     "Failed to load code source code_{a} (version 1): SystemExit: 1"),
])
def test_bad_code_fails_the_task_not_the_executor(api, unique, content, class_name,
                                                  task_body, expected):
    action = "bad_" + unique
    _create_source(api, "code_" + action, content)
    _create_action(api, action, class_name, "code_" + action)
    ex, task, _ = _run(api, "wf_" + unique, task_body.format(a=action))
    assert ex["state"] == "ERROR"
    assert expected.format(a=action) in task["state_info"]
    ex, task, result = _run(api, "after_" + unique, "      action: std.echo output=1\n")
    assert ex["state"] == "SUCCESS" and result == 1


def test_async_dynamic_action_completes_through_the_api(api, unique):
    _create_source(api, "later_" + unique)
    _create_action(api, "later_" + unique, "Later", "later_" + unique)
    name = "wf_" + unique
    api.post_yaml("/v2/workflows", "version: '2.0'\n%s:\n  tasks:\n    t:\n"
                  "      action: later_%s\n" % (name, unique))
    ex = api.start(name)
    deadline = time.monotonic() + 10
    while True:
        a_exs = api.get("/v2/action_executions?workflow_name=%s" % name)["action_executions"]
        if a_exs:
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.1)
    assert api.get("/v2/executions/%s" % ex["id"])["state"] == "RUNNING"
    api.put("/v2/action_executions/%s" % a_exs[0]["id"], {"state": "SUCCESS", "output": 5})
    assert api.wait(ex["id"])["state"] == "SUCCESS"


@pytest.fixture
def dynamic_off():
    CONF.set_override("denylist", ["dynamic"], group="action_providers")
    registry.reset()
    yield
    CONF.clear_override("denylist", group="action_providers")
    registry.reset()


def test_switching_dynamic_actions_off(api, unique, dynamic_off):
    _create_source(api, "off_" + unique)
    _create_action(api, "off_" + unique, "Greeter", "off_" + unique)
    ex, task, _ = _run(api, "wf_" + unique, "      action: off_%s name='x'\n" % unique)
    assert ex["state"] == "ERROR"
    assert "dynamic actions are disabled" in task["state_info"]


def test_executor_refuses_code_when_dynamic_actions_are_off(dynamic_off):
    from mistral_svc.executor import runner

    result, _ = runner.run_action("x", {}, {"dynamic": {
        "class_name": "A", "content": "class A:\n    pass\n", "code_source_id": "1",
        "version": 1, "code_source_name": "m"}})
    assert "Dynamic actions are disabled on this executor" in result.error


@pytest.fixture
def auth_on():
    CONF.set_override("auth_enable", True, group="pecan")
    yield
    CONF.clear_override("auth_enable", group="pecan")


def test_admin_only_when_auth_is_on(api, unique, auth_on):
    denied = api.app.get("/v2/code_sources", headers={"X-Roles": "member"},
                         status=403).json
    assert "code_sources:list" in denied["faultstring"]
    api.app.post("/v2/code_sources?name=p_%s" % unique, "X = 1\n",
                 headers={"Content-Type": "text/plain", "X-Roles": "member"}, status=403)
    api.app.post_json("/v2/dynamic_actions", {"name": "x"},
                      headers={"X-Roles": "member"}, status=403)
    api.app.post("/v2/code_sources?name=p_%s" % unique, "X = 1\n",
                 headers={"Content-Type": "text/plain", "X-Roles": "admin",
                          "X-Project-Id": "proj-a"}, status=201)
    got = api.app.get("/v2/code_sources/p_%s" % unique, headers={"X-Roles": "admin"}).json
    assert got["project_id"] == "proj-a"


def test_run_action_on_a_dynamic_action(api, unique):
    _create_source(api, "runact_" + unique)
    _create_action(api, "runact_" + unique, "Greeter", "runact_" + unique)
    out = api.post("/v2/action_executions", {
        "name": "runact_" + unique, "input": json.dumps({"name": "direct"})})
    assert out["state"] == "SUCCESS", out
    assert json.loads(out["output"])["result"].startswith("Hello, direct!")
    bad = api.post("/v2/action_executions", {
        "name": "runact_" + unique, "input": json.dumps({"nom": "x"})}, status=400)
    assert "missing=['name']" in bad["faultstring"]


def test_dynamic_actions_are_listed_among_actions(api, unique):
    source = _create_source(api, "listed_" + unique)
    name = "listed_" + unique
    _create_action(api, name, "Greeter", source["id"])
    shown = api.get("/v2/actions/%s" % name)
    assert shown["is_system"] is False and shown["input"] == 'name, punctuation="!"'
    assert shown["description"] == "Says hello."
    assert [a["name"] for a in api.get("/v2/actions?name=%s" % name)["actions"]] == [name]
    refused = api.app.delete("/v2/actions/%s" % name, status=400).json
    assert "/v2/dynamic_actions" in refused["faultstring"]
    clash = api.post_yaml("/v2/actions", "version: '2.0'\n%s:\n  base: std.noop\n" % name,
                          status=409)
    assert "Duplicate entry" in clash["faultstring"]

    api.app.put("/v2/code_sources?identifier=%s" % source["id"],
                SOURCE.replace('punctuation="!"', 'punctuation="?"'),
                headers={"Content-Type": "text/plain"})
    assert api.get("/v2/actions/%s" % name)["input"] == 'name, punctuation="?"'
    api.put("/v2/dynamic_actions", {"name": name, "class_name": "Refuser"})
    assert api.get("/v2/actions/%s" % name)["input"] == ""
    api.delete("/v2/dynamic_actions/%s" % name)
    api.app.get("/v2/actions/%s" % name, status=404)


def test_dynamic_action_cannot_take_an_adhoc_name(api, unique):
    name = "adhoc_" + unique
    api.post_yaml("/v2/actions", "version: '2.0'\n%s:\n  base: std.noop\n" % name)
    _create_source(api, "clash_" + unique)
    error = _create_action(api, name, "Greeter", "clash_" + unique, status=409)
    assert "an action named %s exists" % name in error["faultstring"]
    api.app.get("/v2/dynamic_actions/%s" % name, status=404)
