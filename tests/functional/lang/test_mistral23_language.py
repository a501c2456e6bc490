"""Language behaviours of Mistral 23, through the REST API: task skip (on-skip,
publish-on-skip), inline parameters, engine command names, env evaluation, targets,
recursive tasks() and the shape of failure messages."""

import json


def _out(ex):
    return json.loads(ex["output"])


def _published(task):
    return json.loads(task["published"])


def test_a_skipped_task_follows_on_skip_and_publishes_publish_on_skip(api, unique):
    ex = api.run("""\
version: '2.0'
skip_%s:
  tasks:
    t1:
      action: std.fail
      publish-on-error:
        error: 1
      publish-on-skip:
        skipped: yes
      on-skip: after
      on-success: never
    after:
      action: std.echo output=<%% $.skipped %%>
      publish:
        seen: <%% task().result %%>
    never:
      action: std.noop
""" % unique)
    assert ex["state"] == "ERROR"
    t1 = api.tasks(ex["id"])["t1"]
    assert t1["state"] == "ERROR" and _published(t1) == {"error": 1}
    answer = api.put("/v2/tasks/%s" % t1["id"], {"state": "SKIPPED"})
    assert answer["state"] == "SKIPPED"
    ex = api.wait(ex["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    tasks = api.tasks(ex["id"])
    assert {n: t["state"] for n, t in tasks.items()} == {"t1": "SKIPPED", "after": "SUCCESS"}
    assert tasks["t1"]["state_info"] == "Task was skipped."
    assert _published(tasks["t1"]) == {"skipped": True}
    assert _out(ex) == {"skipped": True, "seen": True}
    # Only a failed task can be skipped.
    err = api.put("/v2/tasks/%s" % tasks["after"]["id"], {"state": "SKIPPED"}, status=400)
    assert "must be in ERROR" in err["faultstring"]


def test_tasks_may_be_called_like_engine_commands(api, unique):
    ex = api.run("""\
version: '2.0'
cmdnames_%s:
  tasks:
    fail:
      action: std.echo output="f"
      publish:
        f: <%% task().result %%>
      on-success: [succeed]
    succeed:
      action: std.echo output="never"
    pause:
      action: std.noop
    noop:
      action: std.noop
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    tasks = api.tasks(ex["id"])
    # on-success: [succeed] is the command: the task named succeed never runs.
    assert "succeed" not in tasks
    assert tasks["fail"]["state"] == "SUCCESS" and _published(tasks["fail"]) == {"f": "f"}


INLINE_VALUES = {
    "quoted": ('"a b"', "a b"),
    # Quoted text is taken as written: a backslash stays.
    "apostrophes": ("'c:\\d'", "c:\\d"),
    "number": ("7", 7),
    "float": ("1.5", 1.5),
    "list": ('[1, "two"]', [1, "two"]),
    "dict": ('{"k":[1]}', {"k": [1]}),
    "not_json": ("['a']", "['a']"),
    "true": ("true", True),
    "null": ("null", None),
    "expression": ("<% $.x + 1 %>", 42),
}


def test_inline_parameters_read_as_mistral_reads_them(api, unique):
    tasks = "".join(
        "    %s:\n      action: std.echo output=%s\n      publish:\n"
        "        %s: <%% task().result %%>\n" % (name, raw, name)
        for name, (raw, _) in INLINE_VALUES.items())
    ex = api.run("version: '2.0'\ninl_%s:\n  input:\n    - x: 41\n  tasks:\n%s"
                 % (unique, tasks))
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert _out(ex) == {name: value for name, (_, value) in INLINE_VALUES.items()}


def test_a_bare_word_is_dropped_and_the_action_misses_that_input(api, unique):
    ex = api.run("""\
version: '2.0'
bare_%s:
  tasks:
    t:
      action: std.echo output=word
""" % unique)
    assert ex["state"] == "ERROR"
    info = api.tasks(ex["id"])["t"]["state_info"]
    assert "missing=['output']" in info, info


ENV_WF = """\
version: '2.0'
envwf_%s:
  tasks:
    t:
      action: std.echo
      publish:
        seen: <%% task().result %%>
        a: <%% env().a %%>
"""


def test_env_expressions_are_evaluated_at_start_unless_evaluate_env_is_false(api, unique):
    api.create_workflow(ENV_WF % unique)
    env = {"a": "<% 20 + 22 %>", "__actions": {"std.echo": {"output": "<% env().b %>"}},
           "b": "from-env"}
    ex = api.wait(api.start("envwf_" + unique, params={"env": env})["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    # __actions gave std.echo its output; the env was evaluated once, at the start.
    assert _out(ex) == {"seen": "from-env", "a": 42}
    assert json.loads(ex["params"])["env"]["a"] == 42

    ex = api.wait(api.start("envwf_" + unique,
                            params={"env": env, "evaluate_env": False})["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert _out(ex) == {"seen": "<% env().b %>", "a": "<% 20 + 22 %>"}
    assert json.loads(ex["params"])["env"] == env


def test_a_target_evaluating_to_null_runs_on_any_executor(api, unique):
    ex = api.run("""\
version: '2.0'
tnull_%s:
  tasks:
    t:
      action: std.echo output="ran"
      target: <%% $.get(no_such_host) %%>
      publish:
        r: <%% task().result %%>
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert _out(ex) == {"r": "ran"}


def test_failure_messages_keep_mistrals_shape(api, unique):
    ex = api.run("""\
version: '2.0'
fm_%(u)s:
  tasks:
    broken:
      action: std.fail error_data="bad thing"
    call:
      workflow: fm_child_%(u)s
fm_child_%(u)s:
  tasks:
    c:
      action: std.fail
""" % {"u": unique})
    assert ex["state"] == "ERROR"
    tasks = api.tasks(ex["id"])
    broken, call = tasks["broken"], tasks["call"]
    (action_ex,) = api.get("/v2/tasks/%s/action_executions" % broken["id"])[
        "action_executions"]
    (child,) = api.get("/v2/executions?task_execution_id=%s" % call["id"])["executions"]
    assert ex["state_info"] == (
        "Failure caused by error in tasks: broken, call\n"
        "\n"
        "  broken [task_ex_id=%s] -> %s\n"
        "    [action_ex_id=%s, idx=0]: %s\n"
        "\n"
        "  call [task_ex_id=%s] -> %s\n"
        "    [wf_ex_id=%s, idx=0]: %s\n"
        % (broken["id"], broken["state_info"], action_ex["id"], broken["state_info"],
           call["id"], call["state_info"], child["id"], child["state_info"]))
    assert child["state_info"].startswith("Failure caused by error in tasks: c\n\n  c [")


def test_tasks_recursive_with_camel_case_keywords_reaches_nested_sub_workflows(api, unique):
    ex = api.run("""\
version: '2.0'
rec_%(u)s:
  tasks:
    call:
      workflow: rec_child_%(u)s
      on-success: look
    look:
      action: std.noop
      publish:
        all: <%% tasks(%(args)s).select($.name) %%>
        failed: <%% tasks(%(args)s, state => ERROR).select($.name) %%>
rec_child_%(u)s:
  tasks:
    c1:
      action: std.fail
      on-error: c2
    c2:
      workflow: rec_grandchild_%(u)s
rec_grandchild_%(u)s:
  tasks:
    g:
      action: std.noop
""" % {"u": unique, "args": "workflowExecutionId => execution().id, recursive => true"})
    assert ex["state"] == "SUCCESS", ex["state_info"]
    out = _out(ex)
    assert sorted(out["all"]) == ["c1", "c2", "call", "g", "look"]
    assert out["failed"] == ["c1"]
