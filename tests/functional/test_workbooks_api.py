"""/v2/workbooks: a workbook and its workflows and actions, created, replaced and removed
together; bad input is a 4xx that leaves nothing behind."""

import json

from mistral_svc.db import api as db_api, models

WB = """\
version: '2.0'
name: {name}
description: greetings
tags: [demo]
actions:
  greet:
    base: std.echo
    base-input:
      output: "hi <% $.who %>"
    input: [who]
workflows:
  main:
    input:
      - who: World
    output:
      text: <% $.text %>
    tasks:
      hello:
        action: std.echo output="Hello, <% $.who %>"
        publish:
          text: <% task().result %>
  helper:
    tasks:
      call:
        action: greet who="me"
"""

WB_V2 = """\
version: '2.0'
name: {name}
tags: [demo, v2]
workflows:
  main:
    tasks:
      hello:
        action: std.noop
  extra:
    tasks:
      t:
        action: std.noop
"""


def _workflow_names(api, prefix, namespace=None):
    url = "/v2/workflows?name=has:%s." % prefix
    if namespace is not None:
        url += "&namespace=%s" % namespace
    return sorted(w["name"] for w in api.get(url)["workflows"])


def _action(name, namespace=""):
    """The stored ad-hoc action row as a dict (read in a transaction: spec is deferred)."""
    with db_api.transaction():
        row = db_api.find(models.ActionDefinition, name=name, namespace=namespace)
        return None if row is None else dict(row.to_dict(), spec=row.spec)


def test_create_get_update_delete(api, unique):
    name = "wb_" + unique
    wb = api.post_yaml("/v2/workbooks", WB.format(name=name))
    assert wb["name"] == name and wb["namespace"] == "" and wb["scope"] == "private"
    assert wb["tags"] == ["demo"] and wb["definition"] == WB.format(name=name)
    assert wb["project_id"] and wb["created_at"] and "updated_at" in wb
    assert set(wb) >= {"id", "name", "namespace", "definition", "tags", "scope",
                       "project_id", "created_at", "updated_at"}

    assert _workflow_names(api, name) == [name + ".helper", name + ".main"]
    main = api.get("/v2/workflows/%s.main" % name)
    assert main["input"] == 'who="World"' and main["scope"] == "private"
    assert main["definition"].startswith("version: '2.0'")
    greet = _action(name + ".greet")
    assert greet is not None and not greet["is_system"] and greet["input"] == "who"
    assert greet["spec"]["base"] == "std.echo" and greet["scope"] == "private"
    helper = db_api.get_by_name(models.WorkflowDefinition, name + ".helper")
    assert helper.spec["tasks"]["call"]["action"] == name + ".greet"
    # Each stored definition stands alone and says what its spec does.
    assert 'action: %s.greet who="me"' % name in helper.definition
    assert "%s.helper:" % name in helper.definition
    assert "action: std.echo output=" in main["definition"]

    assert api.get("/v2/workbooks/%s" % name)["id"] == wb["id"]

    updated = api.put_yaml("/v2/workbooks", WB_V2.format(name=name))
    assert updated["id"] == wb["id"] and updated["tags"] == ["demo", "v2"]
    assert updated["definition"] == WB_V2.format(name=name)
    assert updated["updated_at"]
    # Kept workflows are rewritten in place; as in Mistral, the ones the new text no
    # longer has (and its actions) stay.
    assert _workflow_names(api, name) == [name + ".extra", name + ".helper", name + ".main"]
    assert api.get("/v2/workflows/%s.main" % name)["id"] == main["id"]
    assert api.get("/v2/workflows/%s.main" % name)["input"] == ""
    assert _action(name + ".greet") is not None

    api.delete("/v2/workbooks/%s" % name)
    api.get("/v2/workbooks/%s" % name, status=404)
    # As in Mistral, the workbook's workflows stay, and creating it again takes them over.
    assert _workflow_names(api, name) == [name + ".extra", name + ".helper", name + ".main"]
    api.delete("/v2/workbooks/%s" % name, status=404)
    again = api.post_yaml("/v2/workbooks", WB.format(name=name))
    assert again["name"] == name and _workflow_names(api, name) == [
        name + ".extra", name + ".helper", name + ".main"]


def test_workbook_workflow_runs(api, unique):
    name = "wbrun_" + unique
    api.post_yaml("/v2/workbooks", WB.format(name=name))
    ex = api.wait(api.start(name + ".main", {"who": "you"})["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert ex["workflow_name"] == name + ".main"
    assert json.loads(ex["output"]) == {"text": "Hello, you"}


def test_short_action_name_runs_the_workbook_action(api, unique):
    name = "wbact_" + unique
    api.post_yaml("/v2/workbooks", WB.format(name=name).replace(
        '        action: greet who="me"',
        '        action: greet who="me"\n        publish:\n          got: <% task().result %>'
    ).replace("  helper:\n", "  helper:\n    output:\n      got: <% $.got %>\n"))
    ex = api.wait(api.start(name + ".helper", {})["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"got": "hi me"}


def test_list_filters_pagination_and_fields(api, unique):
    names = ["wbl_%s_%d" % (unique, i) for i in range(3)]
    for n in names:
        api.post_yaml("/v2/workbooks", WB_V2.format(name=n))
    listed = api.get("/v2/workbooks?name=in:%s" % ",".join(names))["workbooks"]
    assert sorted(w["name"] for w in listed) == names

    page = api.get("/v2/workbooks?name=in:%s&limit=2&sort_keys=name&sort_dirs=desc"
                   % ",".join(names))
    assert [w["name"] for w in page["workbooks"]] == [names[2], names[1]]
    assert "marker=" in page["next"] and "/v2/workbooks?" in page["next"]
    rest = api.get("/v2/workbooks?name=in:%s&limit=2&sort_keys=name&sort_dirs=desc"
                   "&marker=%s" % (",".join(names), page["workbooks"][-1]["id"]))
    assert [w["name"] for w in rest["workbooks"]] == [names[0]]
    assert "next" not in rest

    slim = api.get("/v2/workbooks?name=%s&fields=name,tags" % names[0])["workbooks"]
    assert slim == [{"id": slim[0]["id"], "name": names[0], "tags": ["demo", "v2"]}]

    tagged = api.get("/v2/workbooks?name=in:%s&tags=v2" % ",".join(names))["workbooks"]
    assert len(tagged) == 3
    assert api.get("/v2/workbooks?name=in:%s&tags=nope" % ",".join(names))[
        "workbooks"] == []
    assert api.get("/v2/workbooks/%s?fields=name" % names[0]) == {
        "id": slim[0]["id"], "name": names[0]}


def test_duplicate_is_409(api, unique):
    name = "wbdup_" + unique
    api.post_yaml("/v2/workbooks", WB.format(name=name))
    body = api.post_yaml("/v2/workbooks", WB.format(name=name), status=409)
    assert name in body["faultstring"]


def test_a_standalone_workflow_of_the_same_name_is_taken_over(api, unique):
    name = "wbclash_" + unique
    api.create_workflow("version: '2.0'\n%s.main:\n  tasks:\n    t:\n      action: std.noop\n"
                        % name)
    api.post_yaml("/v2/workbooks", WB.format(name=name))
    assert _workflow_names(api, name) == [name + ".helper", name + ".main"]
    assert "std.echo" in api.get("/v2/workflows/%s.main" % name)["definition"]


def test_invalid_definition_is_400_with_line_and_nothing_written(api, unique):
    name = "wbbad_" + unique
    text = WB.format(name=name).replace('action: greet who="me"',
                                        'action: greet who="me"\n        on-success: [nope]')
    body = api.post_yaml("/v2/workbooks", text, status=400)
    assert "nope" in body["faultstring"] and "line 26" in body["faultstring"]
    api.get("/v2/workbooks/%s" % name, status=404)
    assert _workflow_names(api, name) == []

    body = api.post_yaml("/v2/workbooks", "version: '2.0'\nname: [unclosed\n", status=400)
    assert "line" in body["faultstring"]
    api.post_yaml("/v2/workbooks", "", status=400)
    api.post_yaml("/v2/workbooks?scope=galaxy", WB.format(name=name), status=400)


def test_update_of_missing_workbook_is_404(api, unique):
    api.put_yaml("/v2/workbooks", WB_V2.format(name="ghost_" + unique), status=404)


def test_validate(api):
    ok = api.app.post("/v2/workbooks/validate", WB.format(name="v"),
                      headers={"Content-Type": "text/plain"}, status=200).json
    assert ok == {"valid": True}
    bad = api.app.post("/v2/workbooks/validate", "version: '2.0'\nname: v\nextra: 1\n",
                       headers={"Content-Type": "text/plain"}, status=200).json
    assert bad["valid"] is False and "extra" in bad["error"]


def test_namespaces_and_scope(api, unique):
    name = "wbns_" + unique
    ns = "ns_" + unique
    in_ns = api.post_yaml("/v2/workbooks?namespace=%s&scope=public" % ns,
                          WB.format(name=name))
    assert in_ns["namespace"] == ns and in_ns["scope"] == "public"
    default = api.post_yaml("/v2/workbooks", WB_V2.format(name=name))
    assert default["namespace"] == "" and default["id"] != in_ns["id"]

    assert api.get("/v2/workbooks/%s?namespace=%s" % (name, ns))["id"] == in_ns["id"]
    assert api.get("/v2/workbooks/%s" % name)["id"] == default["id"]
    api.get("/v2/workbooks/%s?namespace=other_%s" % (name, unique), status=404)
    listed = api.get("/v2/workbooks?namespace=%s" % ns)["workbooks"]
    assert [w["id"] for w in listed] == [in_ns["id"]]

    wfs = api.get("/v2/workflows?namespace=%s" % ns)["workflows"]
    assert sorted(w["name"] for w in wfs) == [name + ".helper", name + ".main"]
    assert {w["scope"] for w in wfs} == {"public"}
    assert _action(name + ".greet", ns)["scope"] == "public"

    # Deleting one namespace's workbook leaves the other's definitions alone.
    api.delete("/v2/workbooks/%s?namespace=%s" % (name, ns))
    api.get("/v2/workbooks/%s?namespace=%s" % (name, ns), status=404)
    assert api.get("/v2/workflows/%s.extra" % name)["namespace"] == ""
    assert api.get("/v2/workbooks/%s" % name)["id"] == default["id"]


def test_prefix_sharing_workbooks_keep_their_own_definitions(api, unique):
    short, long_ = "wbp_" + unique, "wbp_%s.x" % unique
    api.post_yaml("/v2/workbooks", WB_V2.format(name=short))
    api.post_yaml("/v2/workbooks", WB_V2.format(name=long_))
    api.delete("/v2/workbooks/%s" % short)
    assert _workflow_names(api, long_) == [long_ + ".extra", long_ + ".main"]


def test_adding_a_local_action_requalifies_references(api, unique):
    name = "wbq_" + unique
    v1 = ("version: '2.0'\nname: %s\nworkflows:\n  w:\n    tasks:\n      t:\n"
          "        action: std.echo output=1\n" % name)
    v2 = v1 + "actions:\n  std.echo:\n    base: std.noop\n"
    api.post_yaml("/v2/workbooks", v1)
    before = api.get("/v2/workflows/%s.w" % name)
    api.put_yaml("/v2/workbooks", v2)
    after = api.get("/v2/workflows/%s.w" % name)
    assert after["checksum"] != before["checksum"]
    assert "action: %s.std.echo output=1" % name in after["definition"]
    row = db_api.get_by_name(models.WorkflowDefinition, name + ".w")
    assert row.spec["tasks"]["t"]["action"] == name + ".std.echo"
