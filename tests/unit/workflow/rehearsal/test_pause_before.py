"""pause-before: the workflow pauses before the task starts; resume runs it."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import PENDING, inputs, run, scheduled, \
    scripted

PAUSING = """
version: '2.0'
wf:
  input:
    - pause: true
  tasks:
    a:
      on-success: [b]
    b:
      action: std.echo output="b"
      pause-before: <% $.pause %>
      wait-before: 3
"""


def test_the_workflow_pauses_before_the_task_and_resume_runs_it():
    r, ex = run(PAUSING)
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.PAUSED
    assert wf_ex.state_info == "Paused by pause-before of task 'b'"
    assert r.task_states(ex) == {"a": states.SUCCESS, "b": states.IDLE}
    assert inputs(r, "b") == []
    r.resume(ex)
    assert r.execution(ex).state == states.RUNNING
    # The other before-policies apply once resumed.
    assert r.task(ex, "b").state == states.RUNNING_DELAYED
    assert scheduled(r) == [("task_start_delayed", 3)]
    r.advance(3)
    assert inputs(r, "b") == [{"output": "b"}]
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS and wf_ex.state_info is None


def test_a_false_pause_before_does_not_pause():
    r, ex = run(PAUSING, wf_input={"pause": False})
    assert r.execution(ex).state == states.RUNNING
    r.advance(3)
    assert r.execution(ex).state == states.SUCCESS


def test_the_task_pauses_once_only():
    r, ex = run(PAUSING)
    r.resume(ex)
    r.advance(3)
    assert r.task(ex, "b").rt.paused_before
    assert r.execution(ex).state == states.SUCCESS


def test_a_branch_running_meanwhile_finishes_but_its_transitions_wait_for_resume():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            slow:
              action: std.noop
              on-success: [after_slow]
            held:
              action: std.noop
              pause-before: true
            after_slow:
              action: std.noop
        """, executor=scripted(slow=PENDING))
    assert r.execution(ex).state == states.PAUSED
    r.complete("slow")
    assert r.task_states(ex) == {"slow": states.SUCCESS, "held": states.IDLE}
    assert not r.task(ex, "slow").processed
    assert r.execution(ex).state == states.PAUSED
    r.resume(ex)
    assert set(r.task_states(ex).values()) == {states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS
