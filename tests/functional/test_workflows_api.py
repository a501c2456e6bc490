"""/v2/workflows: upload YAML, read it back, update, delete, validate; bad input is 4xx."""

import json

WF = """\
version: '2.0'
{name}:
  description: greets
  tags: [demo]
  input:
    - who
    - greeting: Hello
  output:
    text: <% $.text %>
  tasks:
    hello:
      action: std.echo output="<% $.greeting %>, <% $.who %>"
      publish:
        text: <% task().result %>
"""


def test_create_get_list_delete(api, unique):
    name = "wf_" + unique
    created = api.create_workflow(WF.format(name=name))
    assert [w["name"] for w in created] == [name]
    wf = created[0]
    assert wf["input"] == 'who, greeting="Hello"'
    assert json.loads(wf["interface"]) == {"input": ["who", {"greeting": "Hello"}],
                                           "output": ["text"]}
    assert wf["tags"] == ["demo"] and wf["scope"] == "private" and wf["namespace"] == ""
    assert wf["definition"].startswith("version: '2.0'")
    assert len(wf["checksum"]) == 32

    by_id = api.get("/v2/workflows/%s" % wf["id"])
    by_name = api.get("/v2/workflows/%s" % name)
    assert by_id["id"] == by_name["id"] == wf["id"]

    listed = api.get("/v2/workflows?name=%s" % name)["workflows"]
    assert [w["id"] for w in listed] == [wf["id"]]

    api.delete("/v2/workflows/%s" % name)
    api.get("/v2/workflows/%s" % name, status=404)


def test_several_workflows_in_one_file(api, unique):
    text = WF.format(name="a_" + unique) + "\n" + WF.format(name="b_" + unique).split(
        "\n", 1)[1]
    names = sorted(w["name"] for w in api.create_workflow(text))
    assert names == ["a_" + unique, "b_" + unique]


def test_duplicate_is_409_and_nothing_half_written(api, unique):
    name = "dup_" + unique
    api.create_workflow(WF.format(name=name))
    other = "other_" + unique
    text = WF.format(name=other) + "\n" + WF.format(name=name).split("\n", 1)[1]
    body = api.app.post("/v2/workflows", text, headers={"Content-Type": "text/plain"},
                        status=409).json
    assert name in body["faultstring"]
    # The first workflow of the rejected file was not kept either.
    api.get("/v2/workflows/%s" % other, status=404)


def test_invalid_yaml_names_the_line(api):
    body = api.app.post("/v2/workflows", "version: '2.0'\nwf:\n  tasks: [a\n",
                        headers={"Content-Type": "text/plain"}, status=400).json
    assert "line" in body["faultstring"]
    assert "Traceback" not in body["faultstring"]


def test_invalid_dsl_names_field_and_line(api, unique):
    text = "version: '2.0'\nwf_%s:\n  tasks:\n    t1:\n      action: std.noop\n" \
           "      on-success: missing_task\n" % unique
    body = api.app.post("/v2/workflows", text, headers={"Content-Type": "text/plain"},
                        status=400).json
    assert "missing_task" in body["faultstring"]
    assert "line 6" in body["faultstring"]

    text = "version: '2.0'\nwf_%s:\n  tasks:\n    t1:\n      acton: std.noop\n" % unique
    body = api.app.post("/v2/workflows", text, headers={"Content-Type": "text/plain"},
                        status=400).json
    assert "acton" in body["faultstring"] and "line 5" in body["faultstring"]


def test_validate_endpoint(api):
    ok = api.app.post("/v2/workflows/validate", WF.format(name="v"),
                      headers={"Content-Type": "text/plain"}).json
    assert ok == {"valid": True}
    bad = api.app.post("/v2/workflows/validate", "version: '2.0'\nv:\n  tasks: {}\n",
                       headers={"Content-Type": "text/plain"}).json
    assert bad["valid"] is False and bad["error"]


def test_update_replaces_definition(api, unique):
    name = "upd_" + unique
    wf = api.create_workflow(WF.format(name=name))[0]
    new_text = WF.format(name=name).replace("description: greets", "description: changed")
    updated = api.put_yaml("/v2/workflows", new_text)["workflows"][0]
    assert updated["id"] == wf["id"]
    assert "changed" in updated["definition"]
    assert updated["checksum"] != wf["checksum"]
    api.put_yaml("/v2/workflows", WF.format(name="nope_" + unique), status=404)


def test_unknown_workflow_is_404(api):
    body = api.app.get("/v2/workflows/no_such_wf", status=404).json
    assert "no_such_wf" in body["faultstring"]
    api.app.delete("/v2/workflows/no_such_wf", status=404)


def test_namespaces_keep_same_names_apart(api, unique):
    name = "ns_" + unique
    a = api.post_yaml("/v2/workflows?namespace=a", WF.format(name=name))["workflows"][0]
    b = api.post_yaml("/v2/workflows?namespace=b", WF.format(name=name))["workflows"][0]
    assert a["id"] != b["id"] and (a["namespace"], b["namespace"]) == ("a", "b")
    assert api.get("/v2/workflows/%s?namespace=b" % name)["id"] == b["id"]
