"""task-defaults: transitions and policies every task gets unless it says otherwise."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, inputs, run, scheduled, \
    scripted, task_names


def test_a_default_on_error_handles_every_task_but_one_that_overrides_it():
    r, ex = run("""
        version: '2.0'
        wf:
          task-defaults:
            on-error: [handler]
          tasks:
            a:
              action: std.fail
            b:
              action: std.fail
              on-error: []
            handler:
              action: std.noop
        """)
    assert task_names(r, ex).count("handler") == 1
    assert r.task(ex, "a").error_handled and not r.task(ex, "b").error_handled
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.state_info.startswith("Failure caused by error in tasks: b\n")


def test_a_default_transition_never_leads_a_task_to_itself():
    r, ex = run("""
        version: '2.0'
        wf:
          task-defaults:
            on-complete: [cleanup]
          tasks:
            work:
              action: std.noop
            cleanup:
              action: std.noop
        """)
    # cleanup is reached from work only, and not again from itself.
    assert task_names(r, ex) == ["work", "cleanup"]
    assert r.execution(ex).state == states.SUCCESS


def test_a_default_on_complete_to_a_join_waits_for_every_task():
    r, ex = run("""
        version: '2.0'
        wf:
          task-defaults:
            on-complete: [report]
          tasks:
            a: {}
            b: {}
            report:
              join: all
              action: std.echo output=<% tasks().select($.name) %>
        """, executor=scripted(a=PENDING, b=PENDING))
    r.complete("b")
    assert inputs(r, "report") == []
    r.complete("a")
    assert sorted(inputs(r, "report")[0]["output"]) == ["a", "b", "report"]


def test_default_policies_apply_and_a_task_value_wins():
    r, ex = run("""
        version: '2.0'
        wf:
          task-defaults:
            retry:
              count: 2
            wait-before: 4
            timeout: 30
          tasks:
            defaulted:
              action: std.fail
              on-error: [own]
            own:
              action: std.fail
              retry: count=0
              wait-before: 1
        """)
    assert r.task(ex, "defaulted").state == states.RUNNING_DELAYED
    r.advance(4)
    assert len(inputs(r, "defaulted")) == 3
    r.advance(1)
    assert len(inputs(r, "own")) == 1
    assert scheduled(r) == [("task_start_delayed", 4), ("task_timeout", 30),
                            ("task_start_delayed", 1), ("task_timeout", 30)]
    assert r.execution(ex).state == states.ERROR


def test_a_default_safe_rerun_reruns_a_lost_action():
    r, ex = run("""
        version: '2.0'
        wf:
          task-defaults:
            safe-rerun: true
          tasks:
            t:
              action: std.echo output="x"
        """, executor=scripted(t=PENDING))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    r.lose(action_ex.id)
    assert r.store.actions[action_ex.id].state == states.RUNNING
    assert len(inputs(r, "t")) == 2


def test_a_default_concurrency_paces_with_items():
    r, ex = run("""
        version: '2.0'
        wf:
          task-defaults:
            concurrency: 1
          tasks:
            t:
              with-items: x in [1, 2, 3]
              action: std.echo output=<% $.x %>
        """, executor=scripted(t=PENDING))
    assert inputs(r, "t") == [{"output": 1}]
    r.complete("t", data=1)
    assert inputs(r, "t") == [{"output": 1}, {"output": 2}]


def test_a_task_failing_with_a_default_handler_that_fails_too_fails_the_workflow():
    r, ex = run("""
        version: '2.0'
        wf:
          task-defaults:
            on-error: [handler]
          tasks:
            t:
              action: std.fail
            handler:
              action: std.noop
        """, executor=scripted(handler=Fail("handler broke")))
    assert r.task(ex, "t").error_handled
    assert r.execution(ex).state == states.ERROR
    assert r.execution(ex).state_info.startswith(
        "Failure caused by error in tasks: handler\n")
