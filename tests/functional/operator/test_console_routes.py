"""The console's routes in-process: pages, static files, graph JSON, refusals."""


def test_pages_are_the_console(api):
    assert api.app.get("/ui", status=301).headers["Location"].endswith("/ui/")
    for path in ("/ui/", "/ui/executions/some-id", "/ui/workflows", "/ui/cron_triggers"):
        resp = api.app.get(path)
        assert "text/html" in resp.content_type
        assert "/ui/static/console.js" in resp.text
    js = api.app.get("/ui/static/console.js")
    assert "javascript" in js.content_type
    api.app.get("/ui/static/..%2Fgraph.py", status=404)
    api.app.get("/ui/static/nothing.js", status=404)
    api.app.post("/ui/executions", status=405)


def test_graph_json_of_a_workflow_and_an_execution(api, unique):
    name = "console_" + unique
    (wf,) = api.create_workflow(
        "version: '2.0'\n%s:\n  tasks:\n    a:\n      action: std.noop\n"
        "      on-success: [b]\n    b:\n      action: std.noop\n" % name)
    g = api.get("/ui/api/workflows/%s/graph" % wf["id"])
    assert [n["name"] for n in g["nodes"]] == ["a", "b"]
    assert g["workflow_id"] == wf["id"]
    ex = api.wait(api.start(name)["id"])
    g = api.get("/ui/api/executions/%s/graph" % ex["id"])
    assert [(e["from"], e["to"]) for e in g["edges"]] == [("a", "b")]
    missing = api.get("/ui/api/executions/nope/graph", status=404)
    assert "nope" in missing["faultstring"]
