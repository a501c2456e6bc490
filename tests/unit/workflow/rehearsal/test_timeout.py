"""timeout: a task not complete in time fails, on the injected clock."""

from mistral_svc.workflow import commands, records, states
from tests.unit.workflow.rehearsal.harness import PENDING, commands_of, inputs, run, \
    scheduled, scripted, task_names

TIMED = """
version: '2.0'
wf:
  input:
    - timeout: 30
  tasks:
    t:
      action: std.echo output="slow"
      timeout: <% $.timeout %>
      on-error: [handler]
      on-success: [next]
    handler:
      action: std.echo output=<% task(t).state_info %>
    next: {}
"""


def test_a_task_still_running_at_its_timeout_fails_and_on_error_runs():
    r, ex = run(TIMED, executor=scripted(t=PENDING))
    assert scheduled(r) == [("task_timeout", 30)]
    r.advance(29)
    assert r.task(ex, "t").state == states.RUNNING
    r.advance(1)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == "Task timed out [timeout(s)=30]."
    (action_ex,) = r.actions_of(task_ex)
    assert action_ex.state == states.ERROR
    assert action_ex.state_info == "Task timed out [timeout(s)=30]."
    assert inputs(r, "handler") == [{"output": "Task timed out [timeout(s)=30]."}]
    assert r.execution(ex).state == states.SUCCESS


def test_a_late_result_of_a_timed_out_action_is_ignored():
    r, ex = run(TIMED, executor=scripted(t=PENDING))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    r.advance(30)
    before = r.store.to_dict()
    r.deliver(action_ex.id, records.ActionResult(data="too late"))
    assert r.store.to_dict() == before
    assert task_names(r, ex) == ["t", "handler"]


def test_a_task_done_in_time_cancels_its_timer():
    r, ex = run(TIMED, executor=scripted(t=PENDING))
    assert list(r.timers) == ["timeout:%s" % r.task(ex, "t").id]
    r.advance(10)
    r.complete("t", data="ok")
    assert r.timers == {}
    assert [c.key for c in commands_of(r, commands.CancelTimer)] == [
        "timeout:%s" % r.task(ex, "t").id]
    r.advance(100)
    assert r.task(ex, "t").state == states.SUCCESS
    assert task_names(r, ex) == ["t", "next"]


def test_a_zero_timeout_sets_no_timer():
    r, ex = run(TIMED, wf_input={"timeout": 0}, executor=scripted(t=PENDING))
    assert scheduled(r) == [] and r.timers == {}


def test_a_timeout_counts_as_a_failed_attempt_for_retry():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output="x"
              timeout: 5
              retry:
                count: 1
        """, executor=scripted(t=[PENDING, "second"]))
    r.advance(5)
    task_ex = r.task(ex, "t")
    assert len(r.actions_of(task_ex)) == 2
    assert task_ex.state == states.SUCCESS
    assert r.result(task_ex) == "second"


def test_the_timeout_runs_over_wait_after():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.noop
              timeout: 5
              wait-after: 10
        """)
    assert r.task(ex, "t").state == states.RUNNING_DELAYED
    r.advance(5)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == "Task timed out [timeout(s)=5]."
    r.advance(10)
    assert r.task(ex, "t").state == states.ERROR
    assert r.execution(ex).state == states.ERROR


def test_a_with_items_task_timing_out_fails_every_item_still_running():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              with-items: x in [1, 2, 3]
              action: std.echo output=<% $.x %>
              timeout: 10
        """, executor=scripted(t=lambda a: a.input["output"] if a.rt.index == 0 else PENDING))
    r.advance(10)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert [a.state for a in r.actions_of(task_ex)] == [states.SUCCESS, states.ERROR,
                                                        states.ERROR]
    assert r.execution(ex).state == states.ERROR
