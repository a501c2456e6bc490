"""Engine commands in transitions: fail, succeed and pause, with and without msg."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, run, scripted, task_names


def one_task(clause, action="std.noop"):
    return """
version: '2.0'
wf:
  input:
    - reason: because
  output:
    reached: <%% $.get(reached) %%>
  tasks:
    t:
      action: %s
      publish:
        reached: t
      %s
    after:
      action: std.noop
""" % (action, clause)


def test_fail_with_a_message_fails_the_workflow_with_it():
    r, ex = run(one_task('on-success: [fail msg="stopped on purpose"]'))
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.state_info == "stopped on purpose"
    # The output carries what the run published too, as Mistral's does.
    assert wf_ex.output == {"result": "stopped on purpose", "reached": "t"}
    assert r.task(ex, "t").state == states.SUCCESS


def test_fail_without_a_message_leaves_the_state_info_null():
    r, ex = run(one_task("on-success: [fail]"))
    assert r.execution(ex).state_info is None
    assert r.execution(ex).output == {"result": None, "reached": "t"}


def test_a_message_may_be_an_expression():
    r, ex = run(one_task("on-success: [fail msg=<% $.reason %>]"), wf_input={"reason": "x"})
    assert r.execution(ex).state_info == "x"


def test_a_guarded_command_applies_only_when_its_guard_holds():
    r, ex = run(one_task("on-success:\n        - fail: <% $.reason = 'no' %>\n"
                         "        - after"))
    assert r.execution(ex).state == states.SUCCESS
    assert task_names(r, ex) == ["t", "after"]


def test_succeed_ends_the_workflow_successfully_despite_the_error():
    r, ex = run(one_task('on-error: [succeed msg="good enough"]', action="std.fail"))
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS
    assert wf_ex.state_info == "good enough"
    assert r.task(ex, "t").state == states.ERROR


def test_succeed_evaluates_the_output():
    r, ex = run(one_task("on-success: [succeed]"))
    assert r.execution(ex).output == {"reached": "t"}


def test_pause_holds_what_follows_it_until_resume():
    r, ex = run(one_task('on-success:\n        - pause msg="look first"\n        - after'))
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.PAUSED and wf_ex.state_info == "look first"
    # As Mistral: what follows the pause does not exist until resume.
    assert r.task_states(ex) == {"t": states.SUCCESS}
    r.resume(ex)
    assert r.task_states(ex) == {"t": states.SUCCESS, "after": states.SUCCESS}
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS and wf_ex.state_info is None


ORDER = """
version: '2.0'
wf:
  tasks:
    taskA:
      action: std.noop
      on-error:
        - taskB
        - fail
        - taskC
      on-complete:
        - taskD
        - pause
        - taskE
    taskB: {}
    taskC: {}
    taskD: {}
    taskE: {}
"""


def test_the_reference_example_on_error():
    # taskB runs, then fail ends everything: neither taskC nor on-complete happen.
    r, ex = run(ORDER, executor=scripted(taskA=Fail()))
    assert task_names(r, ex) == ["taskA", "taskB"]
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.state_info is None


def test_the_reference_example_on_success():
    # on-complete runs taskD, pauses, and taskE comes after resume.
    r, ex = run(ORDER)
    assert r.execution(ex).state == states.PAUSED
    assert r.task_states(ex) == {"taskA": states.SUCCESS, "taskD": states.SUCCESS}
    r.resume(ex)
    assert r.task(ex, "taskE").state == states.SUCCESS
    assert r.execution(ex).state == states.SUCCESS


def test_a_branch_still_running_when_the_workflow_failed_does_not_revive_it():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            quick:
              on-success: [fail]
            slow:
              action: std.noop
              on-success: [after_slow]
            after_slow: {}
        """, executor=scripted(slow=PENDING))
    assert r.execution(ex).state == states.ERROR
    r.complete("slow")
    assert r.task(ex, "slow").state == states.SUCCESS
    assert task_names(r, ex) == ["quick", "slow"]
    assert r.execution(ex).state == states.ERROR


def test_tasks_may_be_named_after_engine_commands():
    r, ex = run("""
version: '2.0'
wf:
  tasks:
    fail:
      action: std.echo output="f"
      publish:
        f: <% task().result %>
    succeed:
      action: std.echo output="s"
      publish:
        s: <% task().result %>
    pause:
      action: std.echo output="p"
      publish:
        p: <% task().result %>
    noop:
      action: std.echo output="n"
      publish:
        n: <% task().result %>
""")
    assert r.task_states(ex) == dict.fromkeys(("fail", "succeed", "pause", "noop"),
                                              states.SUCCESS)
    assert r.execution(ex).state == states.SUCCESS
    assert r.execution(ex).output == {"f": "f", "s": "s", "p": "p", "n": "n"}


def test_in_a_transition_the_name_of_a_command_means_the_command():
    r, ex = run("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.noop
      on-success: [fail]
    fail:
      action: std.noop
""")
    # The task named fail never runs: the transition failed the workflow.
    assert r.task_states(ex) == {"t": states.SUCCESS}
    assert r.execution(ex).state == states.ERROR
