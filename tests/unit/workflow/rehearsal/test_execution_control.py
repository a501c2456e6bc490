"""Requests on a running execution: pause, resume, stop (fail, succeed, cancel) and
rerun of a failed task, with and without reset."""

import pytest

from mistral_svc.workflow import states
from mistral_svc.workflow.errors import NotFound, Refused
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, inputs, run, scripted, \
    task_names

SLOW = """
version: '2.0'
wf:
  output:
    region: <% env().get(region) %>
  tasks:
    a:
      action: std.echo output="a"
      on-success: [b]
    b:
      action: std.echo output=<% env().get(region, 'none') %>
"""


def test_pause_holds_the_next_task_until_resume():
    r, ex = run(SLOW, executor=scripted(a=PENDING))
    r.pause(ex)
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.PAUSED
    r.complete("a", data="a")
    assert r.task_states(ex) == {"a": states.SUCCESS}
    assert r.execution(ex).state == states.PAUSED
    r.resume(ex)
    assert r.task_states(ex) == {"a": states.SUCCESS, "b": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS


def test_resume_with_an_env_updates_what_env_shows():
    r, ex = run(SLOW, executor=scripted(a=PENDING))
    r.pause(ex)
    r.complete("a", data="a")
    r.resume(ex, env={"region": "south"})
    assert inputs(r, "b") == [{"output": "south"}]
    wf_ex = r.execution(ex)
    assert wf_ex.params["env"] == {"region": "south"}
    assert wf_ex.output == {"region": "south"}


@pytest.mark.parametrize("env", ["s", [1], 5])
def test_resume_with_an_env_that_is_no_object_is_refused_and_changes_nothing(env):
    r, ex = run(SLOW, executor=scripted(a=PENDING))
    r.pause(ex)
    before = r.store.to_dict()
    with pytest.raises(Refused, match="params.env must be a JSON object"):
        r.resume(ex, env=env)
    assert r.store.to_dict() == before


def test_pause_and_resume_twice_change_nothing_the_second_time():
    r, ex = run(SLOW, executor=scripted(a=PENDING))
    r.pause(ex)
    before = r.store.to_dict()
    r.pause(ex)
    assert r.store.to_dict() == before
    r.resume(ex)
    before = r.store.to_dict()
    r.resume(ex)
    assert r.store.to_dict() == before


def test_a_completed_execution_refuses_pause_and_resume():
    r, ex = run(SLOW)
    with pytest.raises(Refused, match="from SUCCESS to PAUSED"):
        r.pause(ex)
    with pytest.raises(Refused, match="Can't resume workflow execution"):
        r.resume(ex)
    assert r.execution(ex).state == states.SUCCESS


@pytest.mark.parametrize("state,message,info", [
    (states.ERROR, None, "Failed by user"),
    (states.ERROR, "enough", "enough"),
    (states.CANCELLED, None, "Cancelled by user"),
    (states.CANCELLED, "not needed", "not needed"),
])
def test_failing_or_cancelling_stops_the_running_tasks(state, message, info):
    r, ex = run(SLOW, executor=scripted(a=PENDING))
    r.stop(ex, state, message)
    wf_ex = r.execution(ex)
    assert wf_ex.state == state and wf_ex.state_info == message
    assert wf_ex.output == {"result": info}
    task_ex = r.task(ex, "a")
    assert task_ex.state == state and task_ex.state_info == info
    # A result arriving afterwards starts nothing.
    r.complete("a", data="late")
    assert task_names(r, ex) == ["a"]
    assert r.execution(ex).state == state


def test_succeeding_by_request_outputs_the_context():
    r, ex = run("""
        version: '2.0'
        wf:
          input: [x]
          tasks:
            a:
              action: std.noop
        """, wf_input={"x": 1}, executor=scripted(a=PENDING))
    r.stop(ex, states.SUCCESS)
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS
    assert wf_ex.output == {"x": 1}


def test_a_stopped_execution_refuses_another_state():
    r, ex = run(SLOW, executor=scripted(a=PENDING))
    r.stop(ex, states.CANCELLED)
    with pytest.raises(Refused, match="from CANCELLED to ERROR"):
        r.stop(ex, states.ERROR)


RERUN = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=<% env().get(ok, 'x') %>
      fail-on: <% env().get(ok) = null %>
      on-success: [after]
    after:
      action: std.noop
"""


def test_rerun_runs_a_failed_task_again_and_the_workflow_goes_on():
    r, ex = run(RERUN)
    assert r.execution(ex).state == states.ERROR
    task_ex = r.task(ex, "t")
    r.rerun(task_ex.id, env={"ok": "yes"})
    assert inputs(r, "t") == [{"output": "x"}, {"output": "yes"}]
    assert r.task(ex, "t").id == task_ex.id
    assert r.task(ex, "t").state == states.SUCCESS
    assert r.result(r.task(ex, "t")) == "yes"
    assert [a.accepted for a in r.actions_of(r.task(ex, "t"))] == [False, True]
    assert task_names(r, ex) == ["t", "after"]
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS and wf_ex.state_info is None


def test_a_rerun_that_fails_again_fails_the_workflow_again():
    r, ex = run(RERUN)
    r.rerun(r.task(ex, "t").id)
    assert len(inputs(r, "t")) == 2
    assert r.execution(ex).state == states.ERROR


WITH_ITEMS = """
version: '2.0'
wf:
  tasks:
    t:
      with-items: x in [1, 2, 3]
      action: std.echo output=<% $.x %>
      publish:
        r: <% task().result %>
"""


def test_rerun_without_reset_sends_only_the_failed_items_again():
    r, ex = run(WITH_ITEMS, executor=scripted(t=[1, Fail("two"), 3, 2]))
    assert r.execution(ex).state == states.ERROR
    r.rerun(r.task(ex, "t").id, reset=False)
    assert inputs(r, "t") == [{"output": 1}, {"output": 2}, {"output": 3}, {"output": 2}]
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.SUCCESS
    assert task_ex.published == {"r": [1, 2, 3]}
    assert r.execution(ex).state == states.SUCCESS


def test_rerun_with_reset_sends_every_item_again():
    r, ex = run(WITH_ITEMS, executor=scripted(t=[1, Fail("two"), 3, 1, 2, 3]))
    r.rerun(r.task(ex, "t").id, reset=True)
    assert len(inputs(r, "t")) == 6
    assert r.task(ex, "t").published == {"r": [1, 2, 3]}
    assert r.execution(ex).state == states.SUCCESS


def test_only_a_failed_task_can_be_rerun():
    r, ex = run(SLOW)
    with pytest.raises(Refused, match="must be in ERROR for rerun"):
        r.rerun(r.task(ex, "a").id)
    with pytest.raises(NotFound):
        r.event(ex, "rerun", "no-such-task")



def test_cancelling_a_paused_execution_cancels_its_held_tasks():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            a:
              on-success: [b]
            b:
              action: std.noop
              pause-before: true
        """)
    assert r.task_states(ex) == {"a": states.SUCCESS, "b": states.IDLE}
    r.stop(ex, states.CANCELLED)
    assert r.execution(ex).state == states.CANCELLED
    assert r.task_states(ex) == {"a": states.SUCCESS, "b": states.CANCELLED}
    assert inputs(r, "b") == []


def test_skipping_a_failed_task_lets_the_execution_succeed():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.fail
              on-success: [after]
            after: {}
        """)
    assert r.execution(ex).state == states.ERROR
    task_ex = r.task(ex, "t")
    r.skip(task_ex.id)
    task_ex = r.task(ex, "t")
    assert (task_ex.state, task_ex.state_info) == (states.SKIPPED, "Task was skipped.")
    # Without on-skip a skipped task goes on through on-success.
    assert r.task_states(ex) == {"t": states.SKIPPED, "after": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS
    with pytest.raises(Refused, match="must be in ERROR"):
        r.skip(task_ex.id)
