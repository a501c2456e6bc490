"""fail-on: a successful action whose result meets a condition fails its task."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import Fail, inputs, run, scripted, task_names

CHECKED = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output="x"
      fail-on: <% task().result.status != 'ok' %>
      publish:
        status: <% task().result.status %>
      publish-on-error:
        bad_status: <% task().result.status %>
      on-success: [next]
      on-error: [handler]
    next: {}
    handler:
      action: std.echo output=<% $.bad_status %>
"""


def test_a_result_meeting_the_condition_fails_the_task():
    r, ex = run(CHECKED, executor=scripted(t={"status": "broken"}))
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == "Failed by 'fail-on' policy"
    assert task_ex.published == {"bad_status": "broken"}
    assert task_names(r, ex) == ["t", "handler"]
    assert inputs(r, "handler") == [{"output": "broken"}]
    # The action itself succeeded; only the task failed.
    (action_ex,) = r.actions_of(task_ex)
    assert action_ex.state == states.SUCCESS
    assert r.execution(ex).state == states.SUCCESS


def test_a_result_not_meeting_it_succeeds():
    r, ex = run(CHECKED, executor=scripted(t={"status": "ok"}))
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.SUCCESS
    assert task_ex.published == {"status": "ok"}
    assert task_names(r, ex) == ["t", "next"]


def test_a_failed_action_keeps_its_own_error():
    r, ex = run(CHECKED, executor=scripted(t=Fail({"status": "down"})))
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == str({"status": "down"})
    assert task_ex.published == {"bad_status": "down"}


def test_fail_on_is_retried_like_any_failure():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output="x"
              fail-on: <% task().result < 3 %>
              retry:
                count: 5
        """, executor=scripted(t=[1, 2, 3]))
    task_ex = r.task(ex, "t")
    assert len(r.actions_of(task_ex)) == 3
    assert task_ex.state == states.SUCCESS


def test_a_condition_that_cannot_be_evaluated_fails_the_task_with_the_reason():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output=1
              fail-on: <% task().result.no.such %>
        """)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info and "fail-on" not in task_ex.state_info
    assert r.execution(ex).state == states.ERROR
