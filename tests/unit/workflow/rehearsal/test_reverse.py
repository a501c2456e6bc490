"""Reverse workflows: only what the target task requires runs, each task after all it
requires."""

import pytest

from mistral_svc.workflow import states
from mistral_svc.workflow.errors import Refused
from mistral_svc.workflow.rehearsing import Rehearsal
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, inputs, run, scripted, \
    task_names

DIAMOND = """
version: '2.0'
wf:
  type: reverse
  output:
    seen: <% $.get(seen) %>
  tasks:
    base:
      action: std.echo output="base"
      publish: {b: <% task().result %>}
    left:
      action: std.echo output="left"
      publish: {l: <% task().result %>}
      requires: [base]
    right:
      action: std.echo output="right"
      publish: {r: <% task().result %>}
      requires: base
    top:
      action: std.echo output=<% [$.b, $.l, $.r] %>
      publish: {seen: <% task().result %>}
      requires: [left, right]
    unrelated:
      action: std.noop
"""


def test_only_the_tasks_the_target_needs_run_each_once():
    r, ex = run(DIAMOND, params={"task_name": "top"})
    assert sorted(task_names(r, ex)) == ["base", "left", "right", "top"]
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS
    assert wf_ex.output == {"seen": ["base", "left", "right"]}


def test_a_task_waits_for_all_it_requires():
    r, ex = run(DIAMOND, params={"task_name": "top"},
                executor=scripted(left=PENDING, right=PENDING))
    assert r.task_states(ex) == {"base": states.SUCCESS, "left": states.RUNNING,
                                 "right": states.RUNNING}
    r.complete("right", data="R")
    # As Mistral: the task exists only once all it requires succeeded.
    assert "top" not in r.task_states(ex)
    r.complete("left", data="L")
    assert inputs(r, "top") == [{"output": ["base", "L", "R"]}]


def test_a_target_in_the_middle_runs_only_its_own_requirements():
    r, ex = run(DIAMOND, params={"task_name": "left"})
    assert task_names(r, ex) == ["base", "left"]
    assert r.execution(ex).state == states.SUCCESS


def test_a_failed_requirement_keeps_the_target_from_running():
    r, ex = run(DIAMOND, params={"task_name": "top"}, executor=scripted(right=Fail("no")))
    assert r.task(ex, "right").state == states.ERROR
    assert "top" not in r.task_states(ex)
    assert r.execution(ex).state == states.ERROR


def test_the_target_task_is_required_and_must_exist():
    r = Rehearsal(DIAMOND)
    with pytest.raises(Refused, match=r"Invalid task name \[wf_spec=wf, task_name=None\]"):
        r.start("wf")
    with pytest.raises(Refused, match=r"Invalid task name \[wf_spec=wf, task_name=zzz\]"):
        r.start("wf", params={"task_name": "zzz"})
    assert r.store.executions == {}
