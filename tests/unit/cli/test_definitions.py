"""workflow-*, workbook-* and action-* commands."""

import json

WF = {
    "id": "123e4567-e89b-12d3-a456-426655440000",
    "name": "my_wf",
    "namespace": "",
    "project_id": "<default-project>",
    "tags": ["a", "b"],
    "input": "names, greeting=hello, a_really_long_parameter_name=1",
    "scope": "private",
    "definition": "version: '2.0'\nmy_wf:\n  tasks: {}\n",
    "created_at": "2024-01-02 03:04:05",
    "updated_at": None,
}
WF_HEADINGS = [
    "ID", "Name", "Namespace", "Project ID", "Tags", "Input", "Scope", "Created at",
    "Updated at",
]


def test_workflow_list_sends_fields_and_renders_table(fake, run):
    fake.route("GET", "/workflows", {"workflows": [WF], "next": None})
    code, out, _ = run("workflow-list", "--limit", "5")
    assert code == 0
    req = fake.only()
    assert req["query"]["fields"] == (
        "id,name,namespace,project_id,tags,input,scope,created_at,updated_at"
    )
    assert req["query"]["limit"] == "5"
    assert req["query"]["sort_keys"] == "created_at"
    assert req["query"]["sort_dirs"] == "asc"
    assert "marker" not in req["query"]
    header = out.splitlines()[1]
    assert [c.strip() for c in header.strip("|").split("|")] == WF_HEADINGS
    assert "my_wf" in out
    # The input column is shortened in list tables.
    assert "names, greeting=hello, a_..." in out


def test_workflow_list_json_and_filters(fake, run):
    fake.route("GET", "/workflows", {"workflows": [WF]})
    code, out, _ = run("workflow-list", "-f", "json", "--filter", "name=my_wf",
                       "--filter", "tags=a", "--marker", "abc")
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["Name"] == "my_wf"
    assert rows[0]["Tags"] == "a, b"
    q = fake.only()["query"]
    assert q["name"] == "my_wf" and q["tags"] == "a" and q["marker"] == "abc"


def test_workflow_list_bad_filter_fails_before_request(fake, run):
    code, _, err = run("workflow-list", "--filter", "nonsense")
    assert code == 1
    assert "Invalid filter: nonsense" in err
    assert fake.requests == []


def test_workflow_create_posts_plain_text(fake, run, tmp_path):
    definition = tmp_path / "wf.yaml"
    definition.write_text(WF["definition"])
    fake.route("POST", "/workflows", {"workflows": [WF]}, status=201)
    code, out, _ = run("workflow-create", str(definition), "--public", "--namespace", "ns1")
    assert code == 0
    req = fake.only()
    assert req["content_type"].startswith("text/plain")
    assert req["body"] == WF["definition"]
    assert req["query"] == {"scope": "public", "namespace": "ns1"}
    assert "my_wf" in out and "Project ID" in out


def test_workflow_create_missing_file_fails_before_request(fake, run, tmp_path):
    code, _, err = run("workflow-create", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "nope.yaml" in err and "No such file" in err
    assert fake.requests == []


def test_workflow_update_by_id(fake, run, tmp_path):
    definition = tmp_path / "wf.yaml"
    definition.write_text(WF["definition"])
    fake.route("PUT", "/workflows/" + WF["id"], WF)
    code, out, _ = run("workflow-update", str(definition), "--id", WF["id"])
    assert code == 0
    req = fake.only()
    assert req["method"] == "PUT" and req["query"] == {"scope": "private"}
    assert "my_wf" in out


def test_workflow_get_show_formats(fake, run):
    fake.route("GET", "/workflows/my_wf", WF)
    code, out, _ = run("workflow-get", "my_wf", "--namespace", "ns1", "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == WF_HEADINGS
    assert data["Input"] == WF["input"]  # not shortened in show output
    assert fake.only()["query"] == {"namespace": "ns1"}

    code, out, _ = run("workflow-get", "my_wf", "-c", "Scope", "-f", "value")
    assert (code, out) == (0, "private\n")


def test_workflow_get_definition(fake, run):
    fake.route("GET", "/workflows/my_wf", WF)
    code, out, _ = run("workflow-get-definition", "my_wf")
    assert code == 0 and out == WF["definition"]


def test_workflow_delete_many_reports_each(fake, run):
    fake.route("DELETE", "/workflows/a", None, status=204)
    code, out, err = run("workflow-delete", "a", "b")
    assert code == 1
    assert "Request to delete workflow a has been accepted." in out
    assert "Not found: /v2/workflows/b" in err
    assert "Unable to delete the specified workflow(s)." in err
    assert [r["path"] for r in fake.requests] == ["/v2/workflows/a", "/v2/workflows/b"]


def test_workflow_validate(fake, run, tmp_path):
    definition = tmp_path / "wf.yaml"
    definition.write_text("bad: [")
    fake.route("POST", "/workflows/validate", {"valid": False, "error": "Invalid DSL"})
    code, out, _ = run("workflow-validate", str(definition), "-f", "json")
    assert code == 0
    assert json.loads(out) == {"Valid": False, "Error": "Invalid DSL"}
    assert fake.only()["content_type"].startswith("text/plain")


WB = {
    "name": "my_wb",
    "namespace": "",
    "tags": [],
    "scope": "private",
    "definition": "version: '2.0'\nname: my_wb\n",
    "created_at": "2024-01-02 03:04:05",
    "updated_at": "2024-01-02 03:05:05",
}


def test_workbook_create_and_get(fake, run, tmp_path):
    definition = tmp_path / "wb.yaml"
    definition.write_text(WB["definition"])
    fake.route("POST", "/workbooks", WB, status=201)
    code, out, _ = run("workbook-create", str(definition), "-f", "json")
    assert code == 0
    assert json.loads(out) == {
        "Name": "my_wb", "Namespace": "", "Tags": "<none>", "Scope": "private",
        "Created at": WB["created_at"], "Updated at": WB["updated_at"],
    }
    req = fake.only()
    assert req["body"] == WB["definition"] and req["query"] == {"scope": "private"}

    fake.route("GET", "/workbooks/my_wb", WB)
    code, out, _ = run("workbook-get-definition", "my_wb")
    assert out == WB["definition"]


def test_workbook_list_and_update(fake, run, tmp_path):
    fake.route("GET", "/workbooks", {"workbooks": [WB]})
    code, out, _ = run("workbook-list", "-f", "csv")
    assert code == 0
    assert out.splitlines()[0] == (
        '"Name","Namespace","Tags","Scope","Created at","Updated at"'
    )
    assert "fields" not in fake.requests[-1]["query"]
    definition = tmp_path / "wb.yaml"
    definition.write_text(WB["definition"])
    fake.route("PUT", "/workbooks", WB)
    code, _, _ = run("workbook-update", str(definition))
    assert code == 0 and fake.requests[-1]["method"] == "PUT"


ACTION = {
    "id": "a1",
    "name": "my.action",
    "is_system": False,
    "input": "x, y=1",
    "description": "Does things",
    "tags": None,
    "definition": "version: '2.0'\nmy.action:\n  base: std.noop\n",
    "created_at": "2024-01-02 03:04:05",
}


def test_action_commands(fake, run, tmp_path):
    fake.route("GET", "/actions/my.action", ACTION)
    code, out, _ = run("action-get", "my.action", "-f", "json")
    data = json.loads(out)
    assert list(data) == [
        "ID", "Name", "Is system", "Input", "Description", "Tags", "Created at", "Updated at",
    ]
    assert data["Tags"] == "<none>" and data["Updated at"] is None

    definition = tmp_path / "a.yaml"
    definition.write_text(ACTION["definition"])
    fake.route("POST", "/actions", {"actions": [ACTION]}, status=201)
    code, out, _ = run("action-create", str(definition))
    assert code == 0 and "my.action" in out
    assert fake.requests[-1]["query"] == {"scope": "private"}

    fake.route("GET", "/actions", {"actions": [ACTION]})
    code, out, _ = run("action-list", "--namespace", "ns")
    assert fake.requests[-1]["query"]["namespace"] == "ns"
    assert "Is system" in out

    fake.route("DELETE", "/actions/my.action", None, status=204)
    code, out, _ = run("action-delete", "my.action")
    assert code == 0 and "Request to delete action my.action has been accepted." in out
