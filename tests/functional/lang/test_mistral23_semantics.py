"""Engine semantics of Mistral 23, each recorded on a real Mistral 23.0.0 (RabbitMQ and
PostgreSQL, default options): outputs, publish visibility, start errors, joins,
reverse workflows and the pause command."""

import json


def _out(ex):
    return json.loads(ex["output"])


def _published(task):
    return json.loads(task["published"])


def test_output_without_an_output_clause_is_what_the_run_published(api, unique):
    ex = api.run("""\
version: '2.0'
noout_%s:
  input: [a]
  vars:
    v: 1
  tasks:
    t1:
      action: std.echo output=1
      publish:
        p1: <%% task().result %%>
      on-success: t2
    t2:
      action: std.echo output=2
      publish:
        p2: <%% task().result %%>
""" % unique, {"a": "in"})
    assert ex["state"] == "SUCCESS"
    # Neither the input nor the workflow's vars: only what the tasks published.
    assert _out(ex) == {"p1": 1, "p2": 2}


def test_error_output_is_the_result_and_what_was_published(api, unique):
    ex = api.run("""\
version: '2.0'
errout_%s:
  tasks:
    t1:
      action: std.fail
      publish-on-error:
        pe: err
      on-complete: cleanup
    cleanup:
      action: std.echo output="cleaned"
      publish:
        c: <%% task().result %%>
      on-success:
        - fail
""" % unique)
    # fail without msg leaves state_info null, and output.result null.
    assert ex["state"] == "ERROR" and ex["state_info"] is None
    assert _out(ex) == {"result": None, "pe": "err", "c": "cleaned"}


def test_error_output_with_output_on_error_leaves_published_out(api, unique):
    ex = api.run("""\
version: '2.0'
errooe_%s:
  output-on-error:
    oe: <%% $.pe %%>
  tasks:
    t1:
      action: std.fail
      publish-on-error:
        pe: err
""" % unique)
    assert ex["state"] == "ERROR"
    out = _out(ex)
    assert set(out) == {"result", "oe"} and out["oe"] == "err"
    assert out["result"] == ex["state_info"]


def test_fail_without_msg_leaves_state_info_null(api, unique):
    ex = api.run("""\
version: '2.0'
failnomsg_%s:
  tasks:
    t1:
      action: std.noop
      publish:
        x: 1
      on-success:
        - fail
""" % unique)
    assert ex["state"] == "ERROR" and ex["state_info"] is None
    assert _out(ex) == {"result": None, "x": 1}


def test_task_functions_see_the_final_state_while_publishing(api, unique):
    ex = api.run("""\
version: '2.0'
tip_%s:
  tasks:
    t1:
      action: std.echo output="r"
      publish:
        st: <%% task().state %%>
        res: <%% task().result %%>
        all: <%% tasks(execution().id).select([$.name, $.state]) %%>
        done: <%% tasks(execution().id, state => SUCCESS).select($.name) %%>
      on-success: t2
    t2:
      action: std.fail
      publish-on-error:
        st2: <%% task().state %%>
      on-error: t3
    t3:
      action: std.noop
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    out = _out(ex)
    assert out["st"] == "SUCCESS" and out["res"] == "r"
    assert out["all"] == [["t1", "SUCCESS"]] and out["done"] == ["t1"]
    assert out["st2"] == "ERROR"


def test_publish_on_error_of_a_failed_sub_workflow(api, unique):
    ex = api.run("""\
version: '2.0'
spe_%(u)s:
  tasks:
    t1:
      workflow: spe_child_%(u)s
      publish-on-error:
        st: <%% task().state %%>
        res: <%% task().result %%>
      on-error: recover
    recover:
      action: std.echo output="recovered"
spe_child_%(u)s:
  output-on-error:
    why: child-broke
  tasks:
    c1:
      action: std.fail
""" % {"u": unique})
    assert ex["state"] == "SUCCESS", ex["state_info"]
    tasks = api.tasks(ex["id"])
    published = _published(tasks["t1"])
    assert published["st"] == "ERROR"
    # task().result of a failed workflow task: the child's error output.
    assert published["res"]["why"] == "child-broke"
    assert published["res"]["result"] == tasks["t1"]["state_info"]
    assert tasks["recover"]["state"] == "SUCCESS"


def test_global_publish_reaches_every_branch_and_branch_values_shadow_it(api, unique):
    ex = api.run("""\
version: '2.0'
gs_%s:
  tasks:
    start:
      action: std.noop
      on-success: [a, b]
    a:
      action: std.noop
      on-success:
        publish:
          branch:
            x: a_branch
          global:
            x: global_x
            g: global_g
        next: [a2]
    a2:
      action: std.noop
      publish:
        a2_x: <%% $.x %%>
        a2_g: <%% $.g %%>
        a2_global_x: <%% global(x) %%>
    b:
      action: std.sleep seconds=1
      on-success: b2
    b2:
      action: std.noop
      publish:
        b2_x: <%% $.x %%>
        b2_g: <%% $.g %%>
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    tasks = api.tasks(ex["id"])
    # b was already running when a published globally; b2 still sees it.
    assert _published(tasks["b2"]) == {"b2_x": "global_x", "b2_g": "global_g"}
    assert _published(tasks["a2"]) == {"a2_x": "a_branch", "a2_g": "global_g",
                                       "a2_global_x": "global_x"}
    # A task's published includes what its transition published on its branch.
    assert _published(tasks["a"]) == {"x": "a_branch"}


def test_transition_publish_goes_into_published_and_on_complete_wins(api, unique):
    ex = api.run("""\
version: '2.0'
tpc_%s:
  tasks:
    t:
      action: std.noop
      publish:
        v: task
      on-success:
        publish:
          branch:
            v: success
            s: 1
      on-complete:
        publish:
          branch:
            v: complete
            c: 1
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert _published(api.tasks(ex["id"])["t"]) == {"v": "complete", "s": 1, "c": 1}
    assert _out(ex) == {"v": "complete", "s": 1, "c": 1}


def test_workflow_task_inline_parameters_win_over_its_input(api, unique):
    ex = api.run("""\
version: '2.0'
wiv_%(u)s:
  tasks:
    t:
      workflow: wiv_child_%(u)s a="inline"
      input:
        a: block
        b: block
      publish:
        r: <%% task().result %%>
wiv_child_%(u)s:
  input: [a, b]
  output:
    a: <%% $.a %%>
    b: <%% $.b %%>
  tasks:
    x:
      action: std.noop
""" % {"u": unique})
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert _out(ex)["r"] == {"a": "inline", "b": "block"}


START_ERRORS = {
    "expr": ("action: std.echo output=<% $.missing.key %>", "Can not evaluate YAQL"),
    "fn": ("action: std.echo output=<% no_such_fn() %>", "no_such_fn"),
    "missing": ("action: std.echo", "missing=['output']"),
    "unexpected": ('action: std.echo output=1 colour="red"', "unexpected=['colour']"),
}


def test_an_error_while_starting_a_task_fails_the_workflow_at_once(api, unique):
    for kind, (action, reason) in START_ERRORS.items():
        name = "se_%s_%s" % (kind, unique)
        ex = api.run("""\
version: '2.0'
%s:
  tasks:
    t:
      %s
      on-error: handler
    handler:
      action: std.noop
""" % (name, action))
        assert ex["state"] == "ERROR", kind
        tasks = api.tasks(ex["id"])
        # on-error is bypassed: the handler never runs.
        assert list(tasks) == ["t"], kind
        info = tasks["t"]["state_info"]
        assert info.startswith("Failed to run task [error="), (kind, info)
        assert reason in info and "wf=%s, task=t]" % name in info, (kind, info)
        assert ex["state_info"].startswith("Failed to run task [error="), kind


def test_an_error_in_publish_fails_the_workflow(api, unique):
    name = "pe_" + unique
    ex = api.run("""\
version: '2.0'
%s:
  tasks:
    t:
      action: std.echo output=1
      publish:
        x: <%% $.missing.key %%>
      on-error: handler
    handler:
      action: std.noop
""" % name)
    assert ex["state"] == "ERROR"
    assert list(api.tasks(ex["id"])) == ["t"]
    assert ex["state_info"].startswith("Failed to handle action completion [error=")
    assert "wf=%s, task=t, action=std.echo]" % name in ex["state_info"]


def test_a_join_that_can_no_longer_fire_names_the_missing_inbound_tasks(api, unique):
    ex = api.run("""\
version: '2.0'
js_%s:
  tasks:
    a:
      action: std.noop
      on-success: j
    b:
      action: std.fail
      on-success: j
      on-error: noop
    j:
      join: all
      action: std.noop
""" % unique)
    assert ex["state"] == "ERROR"
    tasks = api.tasks(ex["id"])
    assert tasks["j"]["state"] == "ERROR"
    assert tasks["j"]["state_info"] == "Failed by tasks: ['b']"


def test_reverse_workflow_never_creates_a_target_whose_dependency_failed(api, unique):
    name = "rdf_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  type: reverse
  tasks:
    dep:
      action: std.fail
    target:
      action: std.noop
      requires: [dep]
""" % name)
    ex = api.wait(api.start(name, params={"task_name": "target"})["id"])
    assert ex["state"] == "ERROR"
    assert list(api.tasks(ex["id"])) == ["dep"]
    err = api.start(name, status=400)
    assert "Invalid task name" in err["faultstring"]


def test_the_pause_command_pauses_before_the_next_tasks_exist(api, unique):
    ex_id = api.start_text("""\
version: '2.0'
pc_%s:
  tasks:
    t1:
      action: std.noop
      on-success:
        - pause
        - t2
    t2:
      action: std.noop
""" % unique)
    ex = api.wait(ex_id, states=("PAUSED", "SUCCESS", "ERROR"))
    assert ex["state"] == "PAUSED"
    assert list(api.tasks(ex_id)) == ["t1"]
    api.put("/v2/executions/%s" % ex_id, {"state": "RUNNING"})
    assert api.wait(ex_id)["state"] == "SUCCESS"
    assert sorted(api.tasks(ex_id)) == ["t1", "t2"]
