"""Direct workflows: conditional transitions, forks, joins and engine commands."""

import json



def test_conditions_pick_the_branch(api, unique):
    ex = api.run("""\
version: '2.0'
cond_%s:
  input: [n]
  tasks:
    check:
      action: std.noop
      on-success:
        - big: <%% $.n > 10 %%>
        - small: <%% $.n <= 10 %%>
    big:
      action: std.echo output="big"
    small:
      action: std.echo output="small"
""" % unique, {"n": 3})
    assert ex["state"] == "SUCCESS"
    assert set(api.tasks(ex["id"])) == {"check", "small"}


def test_fork_and_join_all_merges_published(api, unique):
    ex = api.run("""\
version: '2.0'
join_%s:
  output:
    a: <%% $.a %%>
    b: <%% $.b %%>
  tasks:
    start:
      action: std.noop
      on-success: [left, right]
    left:
      action: std.echo output="L"
      publish: {a: <%% task().result %%>}
      on-success: [merge]
    right:
      action: std.echo output="R"
      publish: {b: <%% task().result %%>}
      on-success: [merge]
    merge:
      join: all
      action: std.noop
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"a": "L", "b": "R"}
    tasks = api.tasks(ex["id"])
    assert tasks["merge"]["state"] == "SUCCESS"
    assert len([t for t in api.get("/v2/executions/%s/tasks" % ex["id"])["tasks"]
                if t["name"] == "merge"]) == 1


def test_join_one_fires_once(api, unique):
    ex = api.run("""\
version: '2.0'
joinone_%s:
  tasks:
    start:
      action: std.noop
      on-success: [a, b, c]
    a:
      action: std.noop
      on-success: [first]
    b:
      action: std.noop
      on-success: [first]
    c:
      action: std.noop
      on-success: [first]
    first:
      join: one
      action: std.noop
""" % unique)
    assert ex["state"] == "SUCCESS"
    names = [t["name"] for t in api.get("/v2/executions/%s/tasks" % ex["id"])["tasks"]]
    assert names.count("first") == 1


def test_engine_command_fail_with_message(api, unique):
    ex = api.run("""\
version: '2.0'
cmdfail_%s:
  tasks:
    t:
      action: std.noop
      on-success:
        - fail msg="stopped on purpose"
""" % unique)
    assert ex["state"] == "ERROR"
    assert ex["state_info"] == "stopped on purpose"


def test_engine_command_succeed_ends_early(api, unique):
    ex = api.run("""\
version: '2.0'
cmdsucceed_%s:
  tasks:
    t:
      action: std.fail
      on-error:
        - succeed
""" % unique)
    assert ex["state"] == "SUCCESS"


def test_engine_command_pause_then_resume(api, unique):
    name = "cmdpause_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  tasks:
    t:
      action: std.noop
      on-success:
        - pause
        - after
    after:
      action: std.echo output="resumed"
""" % name)
    ex = api.wait(api.start(name)["id"], states=("PAUSED",))
    resumed = api.put("/v2/executions/%s" % ex["id"], {"state": "RUNNING"})
    assert resumed["state"] in ("RUNNING", "SUCCESS")
    ex = api.wait(ex["id"])
    assert ex["state"] == "SUCCESS"
    assert set(api.tasks(ex["id"])) == {"t", "after"}


def test_publish_on_error_and_task_defaults(api, unique):
    ex = api.run("""\
version: '2.0'
defaults_%s:
  task-defaults:
    on-error: [handler]
  output:
    err: <%% $.err %%>
  tasks:
    t:
      action: std.fail error_data="broken"
      publish-on-error:
        err: <%% task().result %%>
    handler:
      action: std.noop
      on-error: []
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"err": "broken"}


def test_vars_and_jinja(api, unique):
    ex = api.run("""\
version: '2.0'
jinja_%s:
  input: [name]
  vars:
    prefix: Dear
  output:
    text: "{{ _.text }}"
  tasks:
    t:
      action: std.echo output="{{ _.prefix }} {{ _.name }}"
      publish:
        text: "{{ task().result }}"
""" % unique, {"name": "Ann"})
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"text": "Dear Ann"}


def test_execution_function_and_env(api, unique):
    ex = api.run("""\
version: '2.0'
envfn_%s:
  output:
    id: <%% execution().id %%>
    created: <%% execution().created_at %%>
    region: <%% env().region %%>
  tasks:
    t:
      action: std.noop
""" % unique, params={"env": {"region": "north"}})
    out = json.loads(ex["output"])
    assert out["id"] == ex["id"] and out["region"] == "north"
    assert out["created"] == ex["created_at"]


def test_advanced_publish_global(api, unique):
    ex = api.run("""\
version: '2.0'
global_%s:
  tasks:
    t:
      action: std.echo output=7
      on-success:
        publish:
          branch: {b: 1}
          global: {g: <%% task().result %%>}
        next: [u]
    u:
      action: std.echo output=<%% global(g) %%>
      publish:
        seen: <%% task().result %%>
        b: <%% $.b %%>
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["published_global"]) == {"g": 7}
    assert json.loads(api.tasks(ex["id"])["u"]["published"]) == {"seen": 7, "b": 1}


def test_unsatisfiable_join_fails_instead_of_hanging(api, unique):
    ex = api.run("""\
version: '2.0'
stranded_%s:
  tasks:
    start:
      action: std.noop
      on-success: [left, right]
    left:
      action: std.noop
      on-success: [merge]
    right:
      action: std.noop
      on-success:
        - merge: <%% false %%>
    merge:
      join: all
      action: std.noop
""" % unique)
    assert ex["state"] == "ERROR"
    merge = api.tasks(ex["id"])["merge"]
    assert merge["state"] == "ERROR" and merge["state_info"] == "Failed by tasks: ['right']"


def test_tasks_after_pause_wait_for_resume(api, unique):
    name = "pauseorder_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  tasks:
    t:
      action: std.noop
      on-success:
        - pause
        - later
    later:
      action: std.noop
""" % name)
    ex = api.wait(api.start(name)["id"], states=("PAUSED",))
    # As Mistral: what follows the pause is created on resume.
    assert "later" not in api.tasks(ex["id"])
    api.put("/v2/executions/%s" % ex["id"], {"state": "RUNNING"})
    assert api.wait(ex["id"])["state"] == "SUCCESS"
    assert api.tasks(ex["id"])["later"]["state"] == "SUCCESS"


def test_a_target_expression_names_the_executor(api, unique):
    from mistral_svc import config

    ex = api.run("""\
version: '2.0'
target_%s:
  input: [host]
  tasks:
    t:
      action: std.echo output="reached"
      target: <%% $.host %%>
""" % unique, {"host": config.CONF.host})
    assert ex["state"] == "SUCCESS", ex["state_info"]
