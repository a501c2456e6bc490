"""target: the executor an action is sent to, named as it is or by an expression."""

from mistral_svc.workflow import commands, states
from tests.unit.workflow.rehearsal.harness import PENDING, commands_of, inputs, run, \
    scripted


def targets(r):
    return [c.target for c in commands_of(r, commands.RunAction)]


def test_a_plain_target_goes_with_the_action():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.noop
              target: host-a
            u:
              action: std.noop
        """)
    by_task = {r.store.actions[c.action_ex_id].task_name: c.target
               for c in commands_of(r, commands.RunAction)}
    assert by_task == {"t": "host-a", "u": None}


def test_a_target_expression_sees_the_context_and_the_action_input():
    r, ex = run("""
        version: '2.0'
        wf:
          input:
            - region: north
          tasks:
            t:
              with-items: n in [1, 2]
              action: std.echo output=<% $.n %>
              target: <% $.region %>-<% $.output %>
        """)
    assert inputs(r, "t") == [{"output": 1}, {"output": 2}]
    assert targets(r) == ["north-1", "north-2"]


def test_a_safe_rerun_goes_to_the_same_target():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.noop
              safe-rerun: true
              target: "{{ 'host-' + 'b' }}"
        """, executor=scripted(t=PENDING))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    r.lose(action_ex.id)
    assert targets(r) == ["host-b", "host-b"]


def test_a_target_that_cannot_be_evaluated_fails_the_task_before_sending():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.noop
              target: <% $.nowhere.at_all %>
        """)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert "$.nowhere.at_all" in task_ex.state_info
    assert commands_of(r, commands.RunAction) == []


def test_a_target_evaluating_to_null_means_any_executor():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.noop
              target: <% $.get(nowhere) %>
            u:
              with-items: i in [1, 2]
              action: std.noop
              target: "{{ none }}"
        """)
    assert r.execution(ex).state == states.SUCCESS
    assert targets(r) == [None, None, None]
