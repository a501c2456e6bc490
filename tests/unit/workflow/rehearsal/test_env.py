"""The execution's env: its expressions are evaluated once at the start unless
``evaluate_env`` is false, and ``__actions`` gives default inputs per action name."""

import pytest

from mistral_svc.workflow import states
from mistral_svc.workflow.errors import Refused
from tests.unit.workflow.rehearsal.harness import inputs, run

SHOW_ENV = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=<% env() %>
"""


def test_expressions_in_the_env_are_evaluated_at_the_start():
    r, ex = run(SHOW_ENV, params={"env": {"a": "<% 1 + 2 %>", "b": "{{ 'si' ~ 'x' }}",
                                          "c": "<% env().plain %>", "plain": "p",
                                          "nested": ["<% 'x' %>"]}})
    env = {"a": 3, "b": "six", "c": "p", "plain": "p", "nested": ["x"]}
    assert r.execution(ex).params["env"] == env
    assert inputs(r, "t") == [{"output": env}]


def test_with_evaluate_env_false_the_env_stays_text():
    given = {"a": "<% 1 + 2 %>"}
    r, ex = run(SHOW_ENV, params={"env": dict(given), "evaluate_env": False})
    assert r.execution(ex).params["env"] == given
    assert inputs(r, "t") == [{"output": given}]


def test_an_env_that_cannot_be_evaluated_refuses_the_start():
    with pytest.raises(Refused, match="env"):
        run(SHOW_ENV, params={"env": {"a": "<% $.missing.key %>"}})


ACTIONS = """
version: '2.0'
wf:
  tasks:
    given:
      action: std.echo output="mine"
    defaulted:
      action: std.echo
    items:
      with-items: i in [1, 2]
      action: std.echo
    other:
      action: std.noop
"""


def test_env_actions_give_default_inputs_per_action_name():
    r, ex = run(ACTIONS, params={"env": {"__actions": {"std.echo": {"output": "dflt"}}}})
    assert r.execution(ex).state == states.SUCCESS
    assert inputs(r, "given") == [{"output": "mine"}]
    assert inputs(r, "defaulted") == [{"output": "dflt"}]
    assert inputs(r, "items") == [{"output": "dflt"}, {"output": "dflt"}]
    assert inputs(r, "other") == [{}]


def test_nested_action_defaults_are_merged_under_what_the_task_gives():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo
              input:
                output: {a: 1, inner: {x: task}}
        """, params={"env": {"__actions": {"std.echo": {
        "output": {"b": 2, "inner": {"x": "env", "y": "env"}}}}}})
    assert inputs(r, "t") == [{"output": {"a": 1, "b": 2,
                                          "inner": {"x": "task", "y": "env"}}}]


def test_a_sub_workflow_sees_the_env_as_its_root_evaluated_it_once():
    text = """
        version: '2.0'
        wf:
          tasks:
            call:
              workflow: child
        child:
          tasks:
            c:
              action: std.echo output=<% env() %>
        """
    r, ex = run(text, params={"env": {"a": "<% 1 + 2 %>", "t": "<% '<' + '% 5 %' + '>' %>"}})
    # Evaluated at the root only: text that looks like an expression after that stays.
    assert inputs(r, "c") == [{"output": {"a": 3, "t": "<% 5 %>"}}]
    r, ex = run(text, params={"env": {"a": "<% 1 + 2 %>"}, "evaluate_env": False})
    assert inputs(r, "c") == [{"output": {"a": "<% 1 + 2 %>"}}]
