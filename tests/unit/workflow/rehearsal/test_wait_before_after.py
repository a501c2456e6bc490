"""wait-before and wait-after on the injected clock."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import inputs, run, scheduled, scripted, \
    Fail, task_names

WAITS = """
version: '2.0'
wf:
  input:
    - before: 5
    - after: 7
  tasks:
    t:
      action: std.echo output="done"
      wait-before: <% $.before %>
      wait-after: <% $.after %>
      publish:
        got: <% task().result %>
      on-success: [next]
      on-error: [handler]
    next:
      action: std.echo output=<% $.got %>
    handler: {}
"""


def test_wait_before_holds_the_task_until_the_clock_reaches_the_delay():
    r, ex = run(WAITS, wf_input={"after": 0})
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.RUNNING_DELAYED
    assert inputs(r, "t") == []
    assert scheduled(r) == [("task_start_delayed", 5)]
    r.advance(4.5)
    assert inputs(r, "t") == []
    r.advance(0.5)
    assert inputs(r, "t") == [{"output": "done"}]
    assert task_names(r, ex) == ["t", "next"]
    assert r.execution(ex).state == states.SUCCESS


def test_wait_after_holds_the_next_tasks_until_the_delay_is_over():
    r, ex = run(WAITS, wf_input={"before": 0})
    assert inputs(r, "t") == [{"output": "done"}]
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.RUNNING_DELAYED
    assert task_names(r, ex) == ["t"]
    assert scheduled(r) == [("task_complete_delayed", 7)]
    r.advance(6)
    assert task_names(r, ex) == ["t"]
    r.advance(1)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.SUCCESS
    assert task_ex.published == {"got": "done"}
    assert inputs(r, "next") == [{"output": "done"}]
    assert r.execution(ex).state == states.SUCCESS


def test_both_waits_add_up():
    r, ex = run(WAITS)
    r.advance(5)
    assert inputs(r, "t") == [{"output": "done"}]
    assert r.task(ex, "t").state == states.RUNNING_DELAYED
    r.advance(7)
    assert r.execution(ex).state == states.SUCCESS
    assert scheduled(r) == [("task_start_delayed", 5), ("task_complete_delayed", 7)]


def test_wait_after_keeps_a_failure_for_after_the_delay():
    r, ex = run(WAITS, wf_input={"before": 0}, executor=scripted(t=Fail("broke")))
    assert r.task(ex, "t").state == states.RUNNING_DELAYED
    r.advance(7)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR and task_ex.state_info == "broke"
    assert task_names(r, ex) == ["t", "handler"]
    assert r.execution(ex).state == states.SUCCESS


def test_zero_waits_do_not_delay():
    r, ex = run(WAITS, wf_input={"before": 0, "after": 0})
    assert scheduled(r) == []
    assert r.execution(ex).state == states.SUCCESS


def test_a_wait_that_is_not_a_number_fails_the_task():
    r, ex = run(WAITS, wf_input={"before": "soon"})
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == "wait-before must be a number, got 'soon'"
    assert inputs(r, "t") == []
    assert task_names(r, ex) == ["t", "handler"]


def test_a_delayed_start_that_falls_due_while_paused_waits_for_resume():
    r, ex = run(WAITS, wf_input={"after": 0})
    r.pause(ex)
    r.advance(5)
    assert r.task(ex, "t").state == states.IDLE
    assert inputs(r, "t") == []
    r.resume(ex)
    assert inputs(r, "t") == [{"output": "done"}]
    assert r.execution(ex).state == states.SUCCESS


def test_a_timer_fired_twice_changes_nothing_the_second_time():
    r, ex = run(WAITS, wf_input={"after": 0})
    (key,) = r.timers
    _due, cmd = r.timers[key]
    r.advance(5)
    assert len(inputs(r, "t")) == 1
    before = r.store.to_dict()
    step = r.event(ex, "on_timer", cmd.name, cmd.task_ex_id, cmd.args)
    assert not step.delta and step.commands == []
    assert r.store.to_dict() == before
