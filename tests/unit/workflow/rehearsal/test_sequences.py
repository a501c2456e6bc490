"""Sequences: tasks one after another, data handed along, actions and their results."""

import pytest

from mistral_svc.workflow import commands, records, states
from mistral_svc.workflow.errors import Refused
from mistral_svc.workflow.rehearsing import Rehearsal
from tests.unit.workflow.rehearsal.harness import (
    PENDING,
    Fail,
    inputs,
    run,
    scripted,
    sent,
    task_names,
)

CHAIN = """
version: '2.0'
wf:
  input:
    - who
    - greeting: Hello
  output:
    text: <% $.text %>
  tasks:
    a:
      action: std.echo output="<% $.greeting %>"
      publish:
        word: <% task().result %>
      on-success: [b]
    b:
      action: std.echo output="<% $.word %>, <% $.who %>"
      publish:
        text: <% task().result %>
      on-success: [c]
    c:
      action: std.noop
"""


def test_a_chain_runs_each_task_after_the_previous_one():
    r, ex = run(CHAIN, wf_input={"who": "Ann"}, executor=scripted(a=PENDING, b=PENDING))
    assert task_names(r, ex) == ["a"]
    assert r.task_states(ex) == {"a": states.RUNNING}
    r.complete("a", data="Hi")
    assert r.task_states(ex) == {"a": states.SUCCESS, "b": states.RUNNING}
    assert r.execution(ex).state == states.RUNNING
    r.complete("b", data="Hi, Ann")
    assert r.task_states(ex) == {"a": states.SUCCESS, "b": states.SUCCESS,
                                 "c": states.SUCCESS}
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS and wf_ex.state_info is None
    assert wf_ex.output == {"text": "Hi, Ann"}


def test_published_values_and_input_reach_the_next_actions():
    r, ex = run(CHAIN, wf_input={"who": "Ann"})
    assert sent(r) == [("std.echo", {"output": "Hello"}),
                       ("std.echo", {"output": "Hello, Ann"}),
                       ("std.noop", {})]
    assert r.execution(ex).output == {"text": "Hello, Ann"}
    assert r.execution(ex).input == {"who": "Ann", "greeting": "Hello"}


def test_each_step_sends_only_the_next_action():
    r, ex = run(CHAIN, wf_input={"who": "Ann"})
    sends = [[c.action_ex_id for c in s.commands if isinstance(c, commands.RunAction)]
             for s in r.steps]
    assert [len(s) for s in sends] == [1, 1, 1, 0]
    assert [r.store.actions[s[0]].task_name for s in sends[:3]] == ["a", "b", "c"]


def test_the_task_result_is_the_action_result():
    r, ex = run(CHAIN, wf_input={"who": "Ann"})
    assert r.result(r.task(ex, "a")) == "Hello"
    assert r.task(ex, "a").published == {"word": "Hello"}
    (action_ex,) = r.actions_of(r.task(ex, "a"))
    assert action_ex.state == states.SUCCESS and action_ex.accepted
    assert action_ex.output == {"result": "Hello"}


def test_several_start_tasks_start_together_in_definition_order():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            z:
              action: std.noop
            a:
              action: std.noop
            m:
              action: std.noop
        """, executor=scripted(z=PENDING, a=PENDING, m=PENDING))
    assert [r.store.actions[c.action_ex_id].task_name for c in r.steps[0].commands] == [
        "z", "a", "m"]
    assert set(r.task_states(ex).values()) == {states.RUNNING}


def test_a_task_without_action_runs_std_noop():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            nothing: {}
        """)
    assert sent(r) == [("std.noop", {})]
    assert r.execution(ex).state == states.SUCCESS


def test_vars_are_evaluated_once_at_start_and_seen_by_tasks():
    r, ex = run("""
        version: '2.0'
        wf:
          input: [n]
          vars:
            double: <% $.n * 2 %>
          tasks:
            t:
              action: std.echo output=<% $.double %>
        """, wf_input={"n": 4})
    assert inputs(r, "t") == [{"output": 8}]
    assert r.execution(ex).context == {"n": 4, "double": 8}


def test_an_action_named_by_an_expression():
    r, ex = run("""
        version: '2.0'
        wf:
          input: [which]
          tasks:
            t:
              action: <% $.which %>
              input:
                output: 1
        """, wf_input={"which": "std.echo"})
    assert sent(r) == [("std.echo", {"output": 1})]
    assert r.execution(ex).state == states.SUCCESS


def test_an_unknown_action_fails_the_task_with_its_name():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: no.such_action
        """)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert "no.such_action" in task_ex.state_info
    assert sent(r) == []
    assert r.execution(ex).state == states.ERROR


def test_input_the_action_does_not_take_fails_the_task_before_sending():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output=1 colour="red"
        """)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == (
        "Failed to run task [error=Invalid input [name=std.echo, class=MemoryAction, "
        "unexpected=['colour']], wf=wf, task=t]")
    assert r.execution(ex).state_info == task_ex.state_info
    assert sent(r) == []


def test_an_input_expression_error_fails_the_task():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output=<% $.missing.deeper %>
        """)
    assert r.task(ex, "t").state == states.ERROR
    assert r.execution(ex).state == states.ERROR
    assert sent(r) == []


def test_an_unhandled_failure_fails_the_workflow_and_names_the_task():
    r, ex = run(CHAIN, wf_input={"who": "Ann"}, executor=scripted(b=Fail("boom")))
    assert r.task_states(ex) == {"a": states.SUCCESS, "b": states.ERROR}
    task_ex = r.task(ex, "b")
    assert task_ex.state_info == "boom"
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    (action_ex,) = r.actions_of(task_ex)
    assert wf_ex.state_info == (
        "Failure caused by error in tasks: b\n\n"
        "  b [task_ex_id=%s] -> boom\n"
        "    [action_ex_id=%s, idx=0]: boom\n" % (task_ex.id, action_ex.id))
    # The output carries what the run published before it failed.
    assert wf_ex.output == {"result": wf_ex.state_info, "word": "Hello"}


def test_missing_or_unexpected_workflow_input_is_refused_and_nothing_is_stored():
    r = Rehearsal(CHAIN)
    with pytest.raises(Refused, match=r"missing=\['who'\]"):
        r.start("wf", {})
    with pytest.raises(Refused, match=r"unexpected=\['extra'\]"):
        r.start("wf", {"who": "x", "extra": 1})
    assert r.store.executions == {} and r.store.tasks == {}


def test_an_async_action_keeps_its_task_running_until_its_result_arrives():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.async_noop
              publish:
                got: <% task().result %>
        """)
    assert r.task_states(ex) == {"t": states.RUNNING}
    assert r.execution(ex).state == states.RUNNING
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    assert not action_ex.is_sync
    r.deliver(action_ex.id, records.ActionResult(data="later"))
    assert r.task(ex, "t").published == {"got": "later"}
    assert r.execution(ex).state == states.SUCCESS


def test_a_second_delivery_of_a_result_changes_nothing():
    r, ex = run(CHAIN, wf_input={"who": "Ann"}, executor=scripted(a=PENDING))
    (action_ex,) = r.actions_of(r.task(ex, "a"))
    r.deliver(action_ex.id, records.ActionResult(data="Hi"))
    before = r.store.to_dict()
    r.deliver(action_ex.id, records.ActionResult(data="Other"))
    assert r.store.to_dict() == before
    assert r.steps[-1].to_dict() == {"delta": {"created": [], "changed": []},
                                     "commands": [], "dropped": []}


def test_a_result_for_an_action_of_another_execution_is_dropped():
    r = Rehearsal(CHAIN, executor=scripted(a=PENDING))
    first = r.start("wf", {"who": "A"})
    second = r.start("wf", {"who": "B"})
    (theirs,) = r.actions_of(r.task(second, "a"))
    step = r.event(first, "on_action_results", [(theirs.id, records.ActionResult(data=1))])
    assert step.dropped == [theirs.id]
    assert not step.delta and step.commands == []


def test_vars_that_cannot_be_evaluated_refuse_the_start():
    r = Rehearsal("""
        version: '2.0'
        wf:
          vars:
            v: <% $.missing.deeper %>
          tasks:
            t: {}
        """)
    with pytest.raises(Refused, match=r"\$\.missing\.deeper"):
        r.start("wf")
    assert r.store.executions == {}


def test_an_unknown_stored_environment_refuses_the_start():
    r = Rehearsal(CHAIN)
    with pytest.raises(Refused, match="Environment is not found: nowhere"):
        r.start("wf", {"who": "x"}, params={"env": "nowhere"})
    assert r.store.executions == {}
