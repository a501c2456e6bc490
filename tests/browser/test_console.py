"""The web console in a real browser: an execution's graph changes colour as it runs,
a task's panel opens, pause and resume work, and the other pages list what exists."""

import os
import shutil

from tests.functional.server_fixture import unique

# The join waits for both branches; each branch waits for its action to be completed
# from outside, so the test decides when the graph changes.
FAN_OUT = """\
version: '2.0'
{name}:
  tasks:
    prepare:
      action: std.noop
      on-success: [build, test]
    build:
      action: std.async_noop
      on-success: [release]
      on-error: [cleanup]
    test:
      action: std.async_noop
      on-success: [release]
    release:
      join: all
      action: std.echo output="shipped"
      on-complete: [notify]
    notify:
      action: std.noop
    cleanup:
      action: std.noop
"""


def _ui(server, path):
    return server.url[: -len("/v2")] + "/ui" + path


def _node(page, name):
    return page.locator('[data-task-name="%s"]' % name)


def _wait_state(page, name, state):
    page.wait_for_selector('[data-task-name="%s"][data-state="%s"]' % (name, state),
                           state="attached")


def _wait_execution(page, state):
    page.wait_for_selector('[data-execution-state="%s"]' % state, state="attached")


def _stroke(page, name):
    return _node(page, name).locator("rect").evaluate("r => getComputedStyle(r).stroke")


def _complete(server, ex_id, task_name):
    task = server.tasks(ex_id)[task_name]
    (action_ex,) = server.api("GET", "/tasks/%s/action_executions" % task["id"])[
        "action_executions"]
    server.api("PUT", "/action_executions/%s" % action_ex["id"],
               json={"state": "SUCCESS", "output": '{"result": "ok"}'})


def test_execution_graph_follows_a_fan_out_and_join(page, mistral_server, tmp_path):
    name = unique("fan_out")
    mistral_server.create_workflows(FAN_OUT.format(name=name))
    ex = mistral_server.start_execution(name)

    page.goto(_ui(mistral_server, "/executions/%s" % ex["id"]))
    _wait_execution(page, "RUNNING")
    _wait_state(page, "build", "RUNNING")
    _wait_state(page, "test", "RUNNING")
    # Every task of the spec is drawn, those that have not run without a state.
    names = page.locator("[data-task-name]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.taskName)")
    assert sorted(names) == ["build", "cleanup", "notify", "prepare", "release", "test"]
    assert _node(page, "release").get_attribute("data-state") == ""
    assert _node(page, "prepare").get_attribute("data-state") == "SUCCESS"
    running_colour = _stroke(page, "build")

    # A task's panel: its state, input and action executions.
    _node(page, "build").click()
    panel = page.locator("#task-panel")
    panel.locator('[data-panel-task="build"]').wait_for()
    assert "RUNNING" in panel.inner_text()
    assert "std.async_noop" in panel.inner_text()

    # Pause and resume from the page.
    page.click("#btn-pause")
    _wait_execution(page, "PAUSED")
    assert mistral_server.api("GET", "/executions/%s" % ex["id"])["state"] == "PAUSED"
    page.click("#btn-resume")
    _wait_execution(page, "RUNNING")

    # One branch finishes: its node turns from the running to the success colour and
    # the join starts waiting for the other branch.
    _complete(mistral_server, ex["id"], "build")
    _wait_state(page, "build", "SUCCESS")
    assert _stroke(page, "build") != running_colour
    _wait_state(page, "release", "WAITING")
    panel.locator('[data-panel-task="build"] .badge[data-state="SUCCESS"]').wait_for()
    shot = tmp_path / "console.png"
    page.screenshot(path=str(shot))
    target = os.environ.get("MISTRAL_SVC_CONSOLE_SCREENSHOT")
    if target:
        shutil.copyfile(shot, target)

    _complete(mistral_server, ex["id"], "test")
    _wait_execution(page, "SUCCESS")
    _wait_state(page, "release", "SUCCESS")
    _wait_state(page, "notify", "SUCCESS")
    assert _node(page, "cleanup").get_attribute("data-state") == ""
    assert page.locator("#btn-pause").is_disabled()


def test_lists_and_a_workflow_started_from_its_page(page, mistral_server):
    name = unique("listed")
    (wf,) = mistral_server.create_workflows(FAN_OUT.format(name=name))
    page.goto(_ui(mistral_server, "/workflows"))
    page.click("text=" + name)
    page.wait_for_selector('[data-task-name="release"]', state="attached")
    page.click("#btn-start")
    page.wait_for_url("**/ui/executions/*")
    _wait_state(page, "build", "RUNNING")
    ex_id = page.url.rsplit("/", 1)[1]
    assert mistral_server.api("GET", "/executions/%s" % ex_id)["workflow_id"] == wf["id"]

    page.goto(_ui(mistral_server, "/executions?workflow_name=" + name))
    page.wait_for_selector('a[href="/ui/executions/%s"]' % ex_id)
    mistral_server.api("PUT", "/executions/%s" % ex_id, json={"state": "CANCELLED"})

    trigger = mistral_server.api("POST", "/cron_triggers", json={
        "name": unique("nightly"), "workflow_name": name, "pattern": "0 3 * * *"})
    page.goto(_ui(mistral_server, "/cron_triggers"))
    row = page.locator("tr", has_text=trigger["name"])
    row.wait_for()
    assert trigger["next_execution_time"] in row.inner_text()
    mistral_server.api("DELETE", "/cron_triggers/%s" % trigger["name"])


def test_a_401_asks_for_a_token_and_the_token_is_sent(page, mistral_server):
    # Stand in for an API with Keystone on: refuse requests without the token.
    seen = []

    def guard(route):
        token = route.request.headers.get("x-auth-token")
        seen.append(token)
        if token != "secret-token":
            route.fulfill(status=401, content_type="application/json",
                          body='{"faultstring": "Authentication required"}')
        else:
            route.continue_()

    page.route("**/v2/**", guard)
    page.goto(_ui(mistral_server, "/executions"))
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#token", "secret-token")
    page.click("#login button[type=submit]")
    page.wait_for_selector("table.list")
    assert seen[0] is None and seen[-1] == "secret-token"
    assert page.locator("#login").is_hidden()
    page.evaluate("sessionStorage.clear()")
