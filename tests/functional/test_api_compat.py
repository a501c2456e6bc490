"""Details of Mistral's REST API that clients and OpenStack's own API tests rely on."""

import json
import urllib.parse

import yaml

from tests.waiting import wait_for

WF = """\
version: '2.0'
{name}:
  tasks:
    t:
      action: std.noop
"""


def _query(link):
    """The query of a ``next`` link as a dict."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))


def test_last_page_has_no_next_key(api, unique):
    name = "last_" + unique
    api.create_workflow(WF.format(name=name))
    assert "next" not in api.get("/v2/workflows?name=%s" % name)
    assert "next" not in api.get("/v2/workflows?name=%s&limit=5" % name)
    assert "next" not in api.get("/v2/executions?workflow_name=%s" % name)


def test_next_link_keeps_filters_and_adds_id_to_the_sort(api, unique):
    name = "keep_" + unique
    api.create_workflow(WF.format(name=name))
    ids = [api.start(name, description="d_" + unique)["id"] for _ in range(3)]
    page = api.get("/v2/executions?workflow_name=%s&description=d_%s&limit=1"
                   "&sort_keys=workflow_name&sort_dirs=asc&fields=state" % (name, unique))
    q = _query(page["next"])
    assert q["workflow_name"] == name and q["description"] == "d_" + unique
    assert (q["sort_keys"], q["sort_dirs"], q["limit"]) == ("workflow_name,id", "asc,asc", "1")
    assert q["marker"] == page["executions"][0]["id"]
    assert set(q["fields"].split(",")) == {"state", "id"}
    seen = [page["executions"][0]["id"]]
    while "next" in page:
        page = api.get("/v2/" + page["next"].split("/v2/", 1)[1])
        seen += [e["id"] for e in page["executions"]]
    assert sorted(seen) == sorted(ids)


def test_duplicate_sort_keys_count_once(api):
    body = api.get("/v2/workflows?limit=1&sort_keys=id,id&sort_dirs=asc,asc", status=400)
    assert "Length of sort_keys must be equal or greater than sort_dirs" in body["faultstring"]


def test_unknown_marker_is_404(api):
    for coll in ("workflows", "executions", "tasks", "action_executions", "workbooks",
                 "environments", "cron_triggers", "event_triggers"):
        api.get("/v2/%s?marker=00000000-0000-0000-0000-000000000000" % coll, status=404)


def test_sort_keys_and_fields_are_case_insensitive(api, unique):
    name = "case_" + unique
    api.create_workflow(WF.format(name=name))
    api.start(name, description="b")
    api.start(name, description="a")
    listed = api.get("/v2/executions?workflow_name=%s&sort_keys=Description&sort_dirs=ASC"
                     "&fields=Description" % name)["executions"]
    assert [e["description"] for e in listed] == ["a", "b"]


def _trigger_wf(api, unique):
    name = "trig_" + unique
    return api.create_workflow(WF.format(name=name))[0]


def test_event_trigger_with_a_workflow_id_that_is_no_uuid_is_400(api):
    body = api.post("/v2/event_triggers", {
        "workflow_id": "nonexist", "exchange": "openstack", "topic": "notifications",
        "event": "compute.instance.create.end"}, status=400)
    assert "workflow_id" in body["faultstring"] and "uuid" in body["faultstring"]


def test_twin_cron_trigger_is_409(api, unique):
    wf = _trigger_wf(api, unique)
    body = {"workflow_name": wf["name"], "pattern": "5 * * * *",
            "first_execution_time": "4242-12-25 13:37", "remaining_executions": 42}
    api.post("/v2/cron_triggers", dict(body, name="one_" + unique))
    api.post("/v2/cron_triggers", dict(body, name="two_" + unique), status=409)
    api.post("/v2/cron_triggers", dict(body, name="three_" + unique, remaining_executions=41))
    for n in ("one_", "three_"):
        api.delete("/v2/cron_triggers/%s%s" % (n, unique))


def test_workflow_with_triggers_cannot_be_deleted(api, unique):
    wf = _trigger_wf(api, unique)
    api.post("/v2/cron_triggers", {"name": "c_" + unique, "workflow_id": wf["id"],
                                   "pattern": "0 0 1 1 *"})
    body = api.app.delete("/v2/workflows/%s" % wf["id"], status=400).json
    assert "Can't delete workflow that has cron triggers associated" in body["faultstring"]
    api.delete("/v2/cron_triggers/c_" + unique)
    et = api.post("/v2/event_triggers", {
        "workflow_id": wf["id"], "exchange": "ex_" + unique, "topic": "t", "event": "e"})
    body = api.app.delete("/v2/workflows/%s" % wf["id"], status=400).json
    assert "Can't delete workflow that has event triggers associated" in body["faultstring"]
    api.delete("/v2/event_triggers/%s" % et["id"])
    api.delete("/v2/workflows/%s" % wf["id"])


def test_started_execution_params_name_namespace_and_env(api, unique):
    name = "params_" + unique
    api.create_workflow(WF.format(name=name))
    started = api.start(name)
    assert json.loads(started["params"]) == {"env": {}, "namespace": ""}
    assert json.loads(api.get("/v2/executions/%s" % started["id"])["params"]) == {
        "env": {}, "namespace": ""}
    ns = "ns_" + unique
    api.post_yaml("/v2/workflows?namespace=%s" % ns, WF.format(name=name))
    started = api.start(name, params={"env": {"k": 1}}, workflow_namespace=ns)
    assert json.loads(started["params"]) == {"env": {"k": 1}, "namespace": ns}


def test_workflow_input_summary_quotes_every_default(api, unique):
    text = ("version: '2.0'\n%s:\n  input:\n    - a\n    - b: '5'\n    - c: 1\n"
            "    - d: null\n  tasks:\n    t:\n      action: std.noop\n" % ("in_" + unique))
    wf = api.create_workflow(text)[0]
    assert wf["input"] == 'a, b="5", c="1", d="None"'


def test_every_update_that_changes_something_stamps_updated_at(api, unique):
    text = WF.format(name="upd_" + unique)
    wf = api.create_workflow(text)[0]
    assert wf["updated_at"] is None
    same = api.put_yaml("/v2/workflows", text)["workflows"][0]
    assert same["updated_at"] is None
    changed = api.put_yaml("/v2/workflows", text.replace("std.noop", "std.echo output=1"))
    assert changed["workflows"][0]["updated_at"]
    assert changed["workflows"][0]["created_at"] == wf["created_at"]
    action = "version: '2.0'\nact_%s:\n  base: std.noop\n" % unique
    assert api.post_yaml("/v2/actions", action)["actions"][0]["updated_at"] is None
    assert api.put_yaml("/v2/actions", action)["actions"][0]["updated_at"] is None
    tagged = api.put_yaml("/v2/actions", action.replace("  base", "  tags: [t]\n  base"))
    assert tagged["actions"][0]["updated_at"]
    api.delete("/v2/actions/act_" + unique)
    env = api.post("/v2/environments", {"name": "ue_" + unique, "variables": '{"a": 1}'})
    updated = api.put("/v2/environments", {"name": env["name"], "variables": '{"a": 2}'})
    assert updated["updated_at"]
    api.delete("/v2/environments/ue_" + unique)


def test_ad_hoc_action_without_input_has_null_input(api, unique):
    text = "version: '2.0'\nbare_%s:\n  base: std.noop\n" % unique
    action = api.post_yaml("/v2/actions", text)["actions"][0]
    assert action["input"] is None
    api.delete("/v2/actions/bare_" + unique)


def test_created_environment_leaves_out_unset_description(api, unique):
    env = api.post("/v2/environments", {"name": "e_" + unique, "variables": '{"a": 1}'})
    assert "description" not in env and "updated_at" not in env
    assert api.get("/v2/environments/e_" + unique)["description"] is None
    api.delete("/v2/environments/e_" + unique)


def test_execution_update_of_state_and_description_together_is_400(api, unique):
    name = "both_" + unique
    api.create_workflow(WF.format(name=name))
    ex = api.wait(api.start(name)["id"])
    body = api.put("/v2/executions/%s" % ex["id"],
                   {"state": "ERROR", "description": "x"}, status=400)
    assert "description must be updated separately from state" in body["faultstring"]


def test_sub_workflows_inherit_the_namespace_they_were_started_in(api, unique):
    low, mid, top, ns = "low_" + unique, "mid_" + unique, "top_" + unique, "ns_" + unique
    leaf = "version: '2.0'\n%s:\n  tasks:\n    t:\n      action: std.noop\n" % low
    call = "version: '2.0'\n%s:\n  tasks:\n    t:\n      workflow: %s\n"
    for text, namespace in ((leaf, ""), (leaf, ns), (call % (mid, low), ""),
                            (call % (top, mid), ns)):
        api.post_yaml("/v2/workflows?namespace=%s" % namespace, text)
    ex = api.wait(api.start(top, workflow_namespace=ns)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    middle = api.get("/v2/tasks/%s/executions" % api.tasks(ex["id"])["t"]["id"])[
        "executions"][0]
    assert middle["workflow_namespace"] == ""
    assert json.loads(middle["params"])["namespace"] == ns
    lowest = api.get("/v2/tasks/%s/executions" % api.tasks(middle["id"])["t"]["id"])[
        "executions"][0]
    assert lowest["workflow_namespace"] == ns
    assert json.loads(lowest["params"])["namespace"] == ns


def test_action_execution_deletion_is_refused_by_default(api):
    a_ex = api.post("/v2/action_executions", {"name": "std.noop",
                                              "params": json.dumps({"save_result": True})})
    body = api.app.delete("/v2/action_executions/%s" % a_ex["id"], status=403).json
    assert body["faultstring"] == "Action execution deletion is not allowed."
    api.get("/v2/action_executions/%s" % a_ex["id"])


def test_unknown_url_is_a_json_404(api):
    for url in ("/v2/nonexistent", "/nowhere", "/v2/workflows/a/b/c/d"):
        resp = api.app.get(url, status=404)
        assert resp.content_type == "application/json"
        assert resp.json["faultstring"]


def test_each_workflow_of_a_multi_workflow_upload_keeps_its_own_definition(api, unique):
    a, b = "one_" + unique, "two_" + unique
    text = ("version: '2.0'\n%s:\n  tasks:\n    t:\n      action: std.noop\n"
            "%s:\n  tasks:\n    u:\n      action: std.echo output=1\n" % (a, b))
    api.post_yaml("/v2/workflows", text)
    first = yaml.safe_load(api.get("/v2/workflows/%s" % a)["definition"])
    assert first == {"version": "2.0", a: {"tasks": {"t": {"action": "std.noop"}}}}
    second = api.get("/v2/workflows/%s" % b)["definition"]
    assert yaml.safe_load(second) == {
        "version": "2.0", b: {"tasks": {"u": {"action": "std.echo output=1"}}}}
    single = "version: '2.0'\n%s:\n  tasks:\n    t:\n      action: std.noop\n" % a
    assert api.put_yaml("/v2/workflows", single)["workflows"][0]["definition"] == single
    ex = api.wait(api.start(b)["id"])
    assert ex["state"] == "SUCCESS"


FILTERED = """\
version: '2.0'
{name}:
  tasks:
    t1:
      action: std.echo output=7
      tags: [red]
      publish:
        x: <% task().result %>
      on-success: [t2]
    t2:
      action: std.noop
"""


def test_task_list_filters(api, unique):
    name = "tf_" + unique
    api.create_workflow(FILTERED.format(name=name))
    ex = api.wait(api.start(name)["id"])
    base = "/v2/executions/%s/tasks?" % ex["id"]

    def names(query):
        return sorted(t["name"] for t in api.get(base + query)["tasks"])

    assert names("tags=red") == ["t1"]
    assert names("published=%s" % json.dumps({"x": 7})) == ["t1"]
    assert names("result=7") == ["t1"]
    assert names("processed=true") == ["t1", "t2"]
    assert names("reset=true") == [] and names("reset=false") == ["t1", "t2"]
    assert names("env=null") == ["t1", "t2"]
    assert [t["name"] for t in api.get("/v2/tasks?workflow_execution_id=%s&tags=red"
                                       % ex["id"])["tasks"]] == ["t1"]


def test_action_execution_list_filters(api, unique):
    desc = "d_" + unique
    made = [api.post("/v2/action_executions", {
        "name": "std.echo", "description": desc, "input": json.dumps({"output": n}),
        "params": json.dumps({"save_result": True})}) for n in (1, 2)]
    base = "/v2/action_executions?description=%s&" % desc
    # A saved run finishes in the background.
    wait_for(lambda: all(a["state"] == "SUCCESS" for a in api.get(base)["action_executions"]))

    def ids(query):
        return [a["id"] for a in api.get(base + query)["action_executions"]]

    assert ids("") == [m["id"] for m in made]
    assert ids("input=%s" % json.dumps({"output": 2})) == [made[1]["id"]]
    assert ids("output=%s" % json.dumps({"result": 1})) == [made[0]["id"]]
    assert ids("params=%s" % json.dumps({"save_result": True})) == [m["id"] for m in made]
    assert ids("tags=nope") == []


def test_sub_executions_start_with_the_execution_and_show_output_on_request(api, unique):
    child, parent = "kid_" + unique, "par_" + unique
    api.post_yaml("/v2/workflows", "version: '2.0'\n%s:\n  output:\n    r: 1\n  tasks:\n"
                  "    t:\n      action: std.noop\n" % child)
    api.post_yaml("/v2/workflows", "version: '2.0'\n%s:\n  tasks:\n    call:\n"
                  "      workflow: %s\n" % (parent, child))
    ex = api.wait(api.start(parent)["id"])
    subs = api.get("/v2/executions/%s/executions" % ex["id"])["executions"]
    assert [s["workflow_name"] for s in subs] == [parent, child]
    assert all("output" not in s for s in subs)
    with_out = api.get("/v2/executions/%s/executions?include_output=true" % ex["id"])
    assert json.loads(with_out["executions"][1]["output"]) == {"r": 1}
    assert [s["id"] for s in api.get("/v2/executions/%s/executions?max_depth=0"
                                     % ex["id"])["executions"]] == [ex["id"]]
    assert [s["id"] for s in api.get("/v2/executions/%s/executions?errors_only=true"
                                     % ex["id"])["executions"]] == [ex["id"]]
    task = api.tasks(ex["id"])["call"]
    by_task = api.get("/v2/tasks/%s/executions?include_output=true" % task["id"])
    assert [json.loads(s["output"]) for s in by_task["executions"]] == [{"r": 1}]
    assert api.get("/v2/tasks/%s/executions?errors_only=true" % task["id"])[
        "executions"] == []


def test_a_task_shows_what_it_published_globally(api, unique):
    name = "pg_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  tasks:
    t1:
      action: std.echo output=5
      on-success:
        publish:
          global:
            g: <%% task().result %%>
          branch:
            b: 1
        next: t2
    t2:
      action: std.noop
""" % name)
    ex = api.wait(api.start(name)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    tasks = api.tasks(ex["id"])
    assert json.loads(api.get("/v2/tasks/%s" % tasks["t1"]["id"])["published_global"]) == {
        "g": 5}
    assert "published_global" not in api.get("/v2/tasks/%s" % tasks["t2"]["id"])


def test_fail_on_true_fails_the_task(api, unique):
    name = "fo_" + unique
    ex = api.run("version: '2.0'\n%s:\n  tasks:\n    t:\n      action: std.noop\n"
                 "      fail-on: true\n" % name)
    assert ex["state"] == "ERROR"
    assert api.tasks(ex["id"])["t"]["state_info"] == "Failed by 'fail-on' policy"
    ok = api.run("version: '2.0'\nok_%s:\n  tasks:\n    t:\n      action: std.noop\n"
                 "      fail-on: false\n" % name)
    assert ok["state"] == "SUCCESS"


ECHO = """\
version: '2.0'
{name}:
  input:
    - a
    - b: 2
  output:
    sum: <% $.a + $.b %>
  tasks:
    t:
      action: std.noop
"""


def test_a_client_chosen_id_makes_the_start_idempotent(api, unique):
    name = "idem_" + unique
    api.create_workflow(ECHO.format(name=name))
    chosen = "cafe0000-0000-4000-8000-%012d" % (int(unique.rsplit("_", 1)[1]) or 1)
    first = api.start(name, {"a": 1}, id=chosen)
    assert first["id"] == chosen
    again = api.start(name, {"a": 5}, id=chosen)
    assert again["id"] == chosen and json.loads(again["input"]) == {"a": 1, "b": 2}
    assert len(api.get("/v2/executions?workflow_name=%s" % name)["executions"]) == 1
    assert json.loads(api.wait(chosen)["output"]) == {"sum": 3}


def test_source_execution_id_fills_in_what_the_request_leaves_out(api, unique):
    name = "src_" + unique
    api.create_workflow(ECHO.format(name=name))
    source = api.wait(api.start(name, {"a": 1, "b": 10}, params={"env": {"k": 1}},
                                description="first")["id"])
    again = api.post("/v2/executions", {"source_execution_id": source["id"],
                                        "input": json.dumps({"a": 2})})
    assert again["workflow_name"] == name
    assert json.loads(again["input"]) == {"a": 2, "b": 10}
    assert json.loads(again["params"])["env"] == {"k": 1}
    assert again["description"] == "Based on the execution '%s'" % source["id"]
    assert json.loads(api.wait(again["id"])["output"]) == {"sum": 12}
    described = api.post("/v2/executions", {"source_execution_id": source["id"],
                                            "description": "retry"})
    assert described["description"] == "retry Based on the execution '%s'" % source["id"]


def test_a_disabled_expression_language_refuses_definitions(api, unique):
    from mistral_svc import config

    config.CONF.set_override("allowed_languages", ["yaql"], group="expressions")
    config.apply_expression_limits()
    try:
        text = ("version: '2.0'\njj_%s:\n  tasks:\n    t:\n      action: std.echo\n"
                "      input:\n        output: '{{ 1 + 1 }}'\n" % unique)
        body = api.post_yaml("/v2/workflows", text, status=400)
        assert "'jinja' expression language is disabled by the operator" in body[
            "faultstring"]
        ex = api.run(text.replace("jj_", "yq_").replace("'{{ 1 + 1 }}'", "<% 1 + 1 %>"))
        assert ex["state"] == "SUCCESS"
    finally:
        config.CONF.clear_override("allowed_languages", group="expressions")
        config.apply_expression_limits()


def test_workflow_executions_of_a_task_list_like_executions(api, unique):
    child, parent = "wk_" + unique, "wp_" + unique
    api.post_yaml("/v2/workflows", "version: '2.0'\n%s:\n  input: [n]\n  tasks:\n"
                  "    t:\n      action: std.noop\n" % child)
    api.post_yaml("/v2/workflows", "version: '2.0'\n%s:\n  tasks:\n    call:\n"
                  "      with-items: n in [1, 2, 3]\n      workflow: %s n=<%% $.n %%>\n"
                  % (parent, child))
    ex = api.wait(api.start(parent)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    task = api.tasks(ex["id"])["call"]
    url = "/v2/tasks/%s/workflow_executions" % task["id"]
    listed = api.get(url)["executions"]
    assert len(listed) == 3 and {e["workflow_name"] for e in listed} == {child}
    assert all(e["task_execution_id"] == task["id"] for e in listed)
    page = api.get(url + "?limit=2")
    assert len(page["executions"]) == 2
    q = _query(page["next"])
    assert q["task_execution_id"] == task["id"] and "/v2/executions?" in page["next"]
    rest = api.get("/v2/executions?" + urllib.parse.urlencode(q))["executions"]
    assert [e["id"] for e in page["executions"] + rest] == [e["id"] for e in listed]
    api.get("/v2/tasks/00000000-0000-0000-0000-000000000000/workflow_executions",
            status=404)
