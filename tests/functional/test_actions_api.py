"""/v2/actions: the catalogue of system actions and ad-hoc actions uploaded as YAML."""

import json

import pytest

ACTION = """\
version: '2.0'
{name}:
  description: greets someone
  tags: [demo]
  base: std.echo
  base-input:
    output: "<% $.greeting %>, <% $.who %>"
  input:
    - who
    - greeting: Hello
  output:
    text: <% $ %>
"""


def _wf(name, body):
    return "version: '2.0'\n%s:\n  tasks:\n%s" % (name, body)


def _result(api, ex_id, task_name):
    task_id = api.tasks(ex_id)[task_name]["id"]
    return json.loads(api.get("/v2/tasks/%s" % task_id)["result"])


def test_system_catalogue_lists_every_action_with_its_input(api):
    actions = {a["name"]: a for a in api.get("/v2/actions")["actions"]}
    for name in ("std.noop", "std.echo", "std.fail", "std.sleep", "std.async_noop",
                 "std.http", "std.mistral_http", "std.email", "std.ssh",
                 "std.ssh_proxied", "std.wait_ssh", "std.javascript", "std.js",
                 "std.test_dict"):
        assert actions[name]["is_system"] is True, name
        assert actions[name]["scope"] == "public"
    assert actions["std.echo"]["input"] == "output, delay=0"
    assert actions["std.http"]["input"].startswith('url, method="GET", params=null, body=null')
    assert actions["std.email"]["input"].startswith("from_addr, to_addrs, smtp_server")
    assert actions["cinder.backups_create"]["input"].startswith("volume_id, container=null")
    assert actions["cinder.backups_find"]["input"] == 'action_region=""'
    assert actions["nova.servers_create"]["input"].startswith("name, image, flavor, meta=null")
    assert len([n for n in actions if n.startswith("nova.")]) > 100
    assert len([n for n in actions if n.startswith("cinder.")]) > 100


def test_get_system_action_by_name_shows_description(api):
    action = api.get("/v2/actions/cinder.backups_create")
    assert action["is_system"] is True
    assert action["description"].startswith("Creates a volume backup.")
    assert ":param volume_id:" in action["description"]
    assert api.get("/v2/actions/%s" % action["id"])["name"] == "cinder.backups_create"


def test_list_filters_paginates_and_sorts(api):
    page = api.get("/v2/actions?is_system=true&name=in:std.echo,std.noop,std.fail&limit=2")
    assert [a["name"] for a in page["actions"]] == ["std.echo", "std.fail"]
    assert "marker=" in page["next"]
    rest = api.get("/v2/actions?is_system=true&name=in:std.echo,std.noop,std.fail"
                   "&limit=2&marker=%s" % page["actions"][-1]["id"])
    assert [a["name"] for a in rest["actions"]] == ["std.noop"] and rest.get("next") is None
    names = [a["name"] for a in api.get(
        "/v2/actions?name=has:std.ssh&sort_dirs=desc&fields=name")["actions"]]
    assert names == ["std.ssh_proxied", "std.ssh"]
    api.get("/v2/actions?is_system=maybe", status=400)


def test_create_get_update_delete_adhoc_action(api, unique):
    name = "greet_" + unique
    created = api.post_yaml("/v2/actions", ACTION.format(name=name))["actions"]
    assert len(created) == 1
    action = created[0]
    assert action["name"] == name and action["is_system"] is False
    assert action["input"] == 'who, greeting="Hello"'
    assert action["description"] == "greets someone" and action["tags"] == ["demo"]
    assert action["scope"] == "private" and action["namespace"] == ""
    assert action["definition"].startswith("version: '2.0'") and action["created_at"]

    assert api.get("/v2/actions/%s" % name)["id"] == action["id"]
    assert api.get("/v2/actions/%s" % action["id"])["name"] == name
    listed = api.get("/v2/actions?is_system=false&name=%s" % name)["actions"]
    assert [a["id"] for a in listed] == [action["id"]]

    updated = api.put_yaml("/v2/actions?scope=public",
                           ACTION.format(name=name).replace("greets someone", "waves"))
    assert updated["actions"][0]["description"] == "waves"
    assert updated["actions"][0]["scope"] == "public"
    assert updated["actions"][0]["updated_at"]
    by_id = api.put_yaml("/v2/actions/%s" % action["id"], ACTION.format(name=name))
    assert by_id["actions"][0]["description"] == "greets someone"

    api.delete("/v2/actions/%s" % name)
    api.get("/v2/actions/%s" % name, status=404)


def test_namespaces_and_path_style_namespace(api, unique):
    name = "ns_action_" + unique
    api.post_yaml("/v2/actions?namespace=team_" + unique, ACTION.format(name=name))
    api.get("/v2/actions/%s" % name, status=404)
    got = api.get("/v2/actions/%s?namespace=team_%s" % (name, unique))
    assert got["namespace"] == "team_" + unique
    # python-mistralclient sends the namespace as a path segment.
    assert api.get("/v2/actions/%s/team_%s" % (name, unique))["id"] == got["id"]
    listed = api.get("/v2/actions?namespace=team_" + unique)["actions"]
    assert [a["name"] for a in listed] == [name]
    api.delete("/v2/actions/%s" % name, status=404)
    api.delete("/v2/actions/%s/team_%s" % (name, unique))


def test_system_actions_cannot_be_modified_or_deleted(api):
    body = api.app.delete("/v2/actions/std.echo", status=404).json
    assert body["faultstring"] == (
        "Action definition not found [action_name=std.echo, namespace=]")
    api.get("/v2/actions/std.echo")
    text = "version: '2.0'\nstd.echo:\n  base: std.noop\n"
    body = api.app.put("/v2/actions", text, headers={"Content-Type": "text/plain"},
                       status=400).json
    assert "system action" in body["faultstring"]
    api.app.post("/v2/actions", text, headers={"Content-Type": "text/plain"}, status=409)
    api.app.post("/v2/actions?namespace=elsewhere", text,
                 headers={"Content-Type": "text/plain"}, status=409)


@pytest.mark.parametrize("text, where", [
    ("version: '2.0'\nbad_{u}:\n  base-input: {{}}\n", "'base' is required"),
    ("version: '2.0'\nbad_{u}:\n  base: std.echo\n  colour: red\n", "colour"),
    ("version: '2.0'\nbad_{u}:\n  base: std.echo\n  base-input:\n    output: <% $.x + %>\n",
     "line 5"),
    ("version: '2.0'\nbad_{u}:\n  base: no.such.action\n", "line 3"),
    ("version: '2.0'\nbad_{u}:\n  base: bad2_{u}\nbad2_{u}:\n  base: bad_{u}\n", "cycle"),
    ("version: '2.0'\nbad_{u}:\n  base: std.echo\n  input: [a, a]\n", "non-unique"),
    ("version: '2.0'\n", "no action is defined"),
    ("version: '2.0'\nbad_{u}: [\n", "invalid YAML"),
])
def test_bad_definitions_are_400_with_field_and_line(api, unique, text, where):
    text = text.format(u=unique)
    body = api.app.post("/v2/actions", text, headers={"Content-Type": "text/plain"},
                        status=400).json
    assert where in body["faultstring"]
    assert "Traceback" not in body["faultstring"]
    check = api.app.post("/v2/actions/validate", text,
                         headers={"Content-Type": "text/plain"}).json
    assert check["valid"] is False and where in check["error"]
    assert api.get("/v2/actions?name=bad_%s" % unique)["actions"] == []


def test_validate_accepts_a_good_definition(api, unique):
    check = api.app.post("/v2/actions/validate", ACTION.format(name="v_" + unique),
                         headers={"Content-Type": "text/plain"}).json
    assert check == {"valid": True}
    api.get("/v2/actions/v_%s" % unique, status=404)


def test_adhoc_action_in_workflow_with_defaults_and_output(api, unique):
    api.post_yaml("/v2/actions", ACTION.format(name="greet_" + unique))
    wf = "wf_" + unique
    api.create_workflow(_wf(wf, (
        "    one:\n"
        "      action: greet_{u} who='World'\n"
        "      publish:\n"
        "        text: <% task().result.text %>\n").format(u=unique)))
    ex = api.wait(api.start(wf)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    task = api.tasks(ex["id"])["one"]
    assert json.loads(task["published"]) == {"text": "Hello, World"}
    a_ex = api.get("/v2/tasks/%s/action_executions" % task["id"])["action_executions"][0]
    # The action execution is the ad-hoc one: its name and the input the task gave.
    assert a_ex["name"] == "greet_" + unique
    assert json.loads(a_ex["input"]) == {"who": "World"}
    output = json.loads(api.get("/v2/action_executions/%s" % a_ex["id"])["output"])
    assert output == {"result": {"text": "Hello, World"}}


def test_nested_adhoc_actions(api, unique):
    text = """\
version: '2.0'
inner_{u}:
  base: std.echo
  input: [value]
  base-input:
    output: [<% $.value %>, inner]
  output: <% $ + [inner_out] %>
outer_{u}:
  base: inner_{u}
  input:
    - x
    - suffix: "!"
  base-input:
    value: <% $.x + $.suffix %>
  output:
    wrapped: <% $ %>
""".format(u=unique)
    api.post_yaml("/v2/actions", text)
    wf = "wf_" + unique
    api.create_workflow(_wf(wf, "    one:\n      action: outer_%s x='hi'\n" % unique))
    ex = api.wait(api.start(wf)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert _result(api, ex["id"], "one") == {"wrapped": ["hi!", "inner", "inner_out"]}


def test_adhoc_actions_with_items(api, unique):
    api.post_yaml("/v2/actions", ACTION.format(name="greet_" + unique))
    wf = "wf_" + unique
    api.create_workflow(_wf(wf, (
        "    many:\n"
        "      with-items: who in [a, b, c]\n"
        "      action: greet_{u} who=<% $.who %> greeting='Hi'\n").format(u=unique)))
    ex = api.wait(api.start(wf)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert _result(api, ex["id"], "many") == [
        {"text": "Hi, a"}, {"text": "Hi, b"}, {"text": "Hi, c"}]


def test_adhoc_action_in_workflow_namespace(api, unique):
    ns = "ns_" + unique
    api.post_yaml("/v2/actions?namespace=" + ns, ACTION.format(name="greet_" + unique))
    wf = "wf_" + unique
    body = _wf(wf, "    one:\n      action: greet_%s who='ns'\n" % unique)
    api.post_yaml("/v2/workflows?namespace=" + ns, body)
    ex = api.wait(api.start(wf, workflow_namespace=ns)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    # Outside the namespace the action does not exist.
    api.create_workflow(body)
    ex = api.wait(api.start(wf)["id"])
    assert ex["state"] == "ERROR"
    assert "greet_%s" % unique in api.tasks(ex["id"])["one"]["state_info"]


@pytest.mark.parametrize("call, expected", [
    ("greet_{u}", "missing=['who']"),
    ("greet_{u} who='x' colour='red'", "unexpected=['colour']"),
])
def test_bad_adhoc_input_fails_the_task_with_clear_state_info(api, unique, call, expected):
    api.post_yaml("/v2/actions", ACTION.format(name="greet_" + unique))
    wf = "wf_" + unique
    api.create_workflow(_wf(wf, "    one:\n      action: %s\n" % call.format(u=unique)))
    ex = api.wait(api.start(wf)["id"])
    assert ex["state"] == "ERROR"
    info = api.tasks(ex["id"])["one"]["state_info"]
    assert expected in info and "greet_" + unique in info


def test_bad_base_input_expression_fails_the_task(api, unique):
    text = ("version: '2.0'\nbroken_{u}:\n  base: std.echo\n  input: [x]\n"
            "  base-input:\n    output: <% $.x.no_such_key.deeper %>\n").format(u=unique)
    api.post_yaml("/v2/actions", text)
    wf = "wf_" + unique
    api.create_workflow(_wf(wf, "    one:\n      action: broken_%s x=1\n" % unique))
    ex = api.wait(api.start(wf)["id"])
    assert ex["state"] == "ERROR"
    assert "base-input of ad-hoc action broken_%s" % unique in \
        api.tasks(ex["id"])["one"]["state_info"]


def test_bad_system_action_input_fails_the_task(api, unique):
    wf = "wf_" + unique
    api.create_workflow(_wf(wf, "    one:\n      action: std.echo colour='red'\n"))
    ex = api.wait(api.start(wf)["id"])
    assert ex["state"] == "ERROR"
    info = api.tasks(ex["id"])["one"]["state_info"]
    assert "missing=['output']" in info and "unexpected=['colour']" in info
