"""Branching: on-success / on-error / on-complete, guards, forks, loops, dynamic targets."""

import pytest

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, inputs, run, scripted, \
    task_names

GUARDED = """
version: '2.0'
wf:
  input: [n]
  tasks:
    check:
      action: std.echo output=<% $.n %>
      publish:
        n2: <% task().result * 2 %>
      on-success:
        - big: <% $.n2 > 10 %>
        - small: "{{ _.n2 <= 10 }}"
    big:
      action: std.echo output="big"
    small:
      action: std.echo output="small"
"""


@pytest.mark.parametrize("n,branch", [(3, "small"), (30, "big")])
def test_guards_pick_the_branch_with_yaql_and_jinja(n, branch):
    r, ex = run(GUARDED, wf_input={"n": n})
    assert task_names(r, ex) == ["check", branch]
    assert r.execution(ex).state == states.SUCCESS


CLAUSES = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.noop
      on-success: [ok]
      on-error: [handle]
      on-complete: [always]
    ok: {}
    handle: {}
    always: {}
"""


def test_success_runs_on_success_then_on_complete():
    r, ex = run(CLAUSES)
    assert task_names(r, ex) == ["t", "ok", "always"]
    assert r.execution(ex).state == states.SUCCESS


def test_an_error_runs_on_error_then_on_complete_and_is_handled():
    r, ex = run(CLAUSES, executor=scripted(t=Fail("nope")))
    assert task_names(r, ex) == ["t", "handle", "always"]
    assert r.task(ex, "t").state == states.ERROR
    assert r.task(ex, "t").error_handled
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS and wf_ex.state_info is None


def test_on_complete_alone_does_not_handle_an_error():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.fail
              on-complete: [cleanup]
            cleanup: {}
        """)
    assert r.task_states(ex) == {"t": states.ERROR, "cleanup": states.SUCCESS}
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.state_info.startswith("Failure caused by error in tasks: t\n")


def test_an_on_error_guard_that_does_not_hold_leaves_the_error_unhandled():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.fail
              on-error:
                - handle: <% false %>
            handle: {}
        """)
    assert task_names(r, ex) == ["t"]
    assert not r.task(ex, "t").error_handled
    assert r.execution(ex).state == states.ERROR


def test_a_fork_runs_its_branches_side_by_side():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            start:
              on-success: [left, right]
            left:
              action: std.echo output="L"
            right:
              action: std.echo output="R"
        """, executor=scripted(left=PENDING, right=PENDING))
    assert r.task_states(ex) == {"start": states.SUCCESS, "left": states.RUNNING,
                                 "right": states.RUNNING}
    r.complete("right", data="R")
    assert r.execution(ex).state == states.RUNNING
    r.complete("left", data="L")
    assert r.execution(ex).state == states.SUCCESS


def test_a_loop_runs_a_task_again_until_its_guard_turns():
    r, ex = run("""
        version: '2.0'
        wf:
          output:
            i: <% $.i %>
          tasks:
            init:
              publish:
                i: 0
              on-success: [step]
            step:
              action: std.echo output=<% $.i %>
              publish:
                i: <% $.i + 1 %>
              on-success:
                - step: <% $.i < 3 %>
        """)
    assert task_names(r, ex) == ["init", "step", "step", "step"]
    assert inputs(r, "step") == [{"output": 0}, {"output": 1}, {"output": 2}]
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS
    assert wf_ex.output == {"i": 3}


def test_triggered_by_names_the_task_and_the_clause():
    r, ex = run(CLAUSES, executor=scripted(t=Fail()))
    t = r.task(ex, "t")
    assert r.task(ex, "handle").rt.triggered_by == [
        {"task_id": t.id, "event": "on_error", "task_name": "t"}]
    assert r.task(ex, "always").rt.triggered_by == [
        {"task_id": t.id, "event": "on_complete", "task_name": "t"}]


def test_a_target_named_by_an_expression():
    r, ex = run("""
        version: '2.0'
        wf:
          input: [go]
          tasks:
            t:
              on-success:
                - <% $.go %>
              # Static edges keep one and two from being start tasks.
              on-error: [one, two]
            one: {}
            two: {}
        """, wf_input={"go": "two"})
    assert task_names(r, ex) == ["t", "two"]
    assert r.execution(ex).state == states.SUCCESS


def test_a_dynamic_target_that_is_no_task_fails_the_workflow():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              on-success:
                - <% 'nowhere' %>
        """)
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert "Failed to evaluate transitions of task 't'" in wf_ex.state_info
    assert "nowhere" in wf_ex.state_info


def test_a_guard_that_cannot_be_evaluated_fails_the_workflow():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              on-success:
                - next: <% $.nothing.here %>
            next: {}
        """)
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.state_info.startswith("Failed to evaluate transitions of task 't'")
    assert task_names(r, ex) == ["t"]


def test_noop_ends_a_branch_on_purpose():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.fail
              on-error: [noop]
        """)
    assert task_names(r, ex) == ["t"]
    assert r.execution(ex).state == states.SUCCESS
