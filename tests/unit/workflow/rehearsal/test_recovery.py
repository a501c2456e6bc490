"""An executor that went silent: the action runs again with safe-rerun, else the task
fails with a clear reason."""

from mistral_svc.workflow import commands, records, states
from mistral_svc.workflow.conducting import lost_message
from tests.unit.workflow.rehearsal.harness import PENDING, commands_of, inputs, run, \
    scripted, task_names

LOSABLE = """
version: '2.0'
wf:
  input:
    - safe: false
  tasks:
    t:
      action: std.echo output="work"
      safe-rerun: SAFE
      on-success: [next]
      on-error: [handler]
    next: {}
    handler:
      action: std.echo output=<% task(t).state_info %>
"""


def losable(safe):
    return LOSABLE.replace("SAFE", "true" if safe else "false")


def test_with_safe_rerun_the_same_action_execution_is_sent_again():
    r, ex = run(losable(True), executor=scripted(t=PENDING))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    assert commands_of(r, commands.RunAction)[0].safe_rerun is True
    r.advance(60)
    r.lose(action_ex.id)
    (again,) = r.actions_of(r.task(ex, "t"))
    assert again.id == action_ex.id and again.state == states.RUNNING
    assert again.rt.reruns == 1
    # Unacknowledged again: the executor that takes the new delivery claims it first.
    assert again.last_heartbeat is None
    sent = commands_of(r, commands.RunAction)
    assert [c.action_ex_id for c in sent] == [action_ex.id] * 2
    assert [c.claim for c in sent] == [False, True]
    assert inputs(r, "t") == [{"output": "work"}] * 2
    assert r.task(ex, "t").state == states.RUNNING
    r.complete("t", data="done at last")
    assert task_names(r, ex) == ["t", "next"]
    assert r.execution(ex).state == states.SUCCESS


def test_without_safe_rerun_the_task_fails_with_the_reason():
    r, ex = run(losable(False), executor=scripted(t=PENDING))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    r.lose(action_ex.id)
    action_ex = r.store.actions[action_ex.id]
    assert action_ex.state == states.ERROR
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == lost_message(action_ex.id)
    assert "stopped responding" in task_ex.state_info
    assert inputs(r, "handler") == [{"output": lost_message(action_ex.id)}]
    assert len(inputs(r, "t")) == 1
    assert r.execution(ex).state == states.SUCCESS


def test_a_result_after_the_action_was_judged_lost_changes_nothing():
    r, ex = run(losable(False), executor=scripted(t=PENDING))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    r.lose(action_ex.id)
    before = r.store.to_dict()
    r.deliver(action_ex.id, records.ActionResult(data="late"))
    assert r.store.to_dict() == before


def test_an_action_that_completed_meanwhile_is_not_judged():
    r, ex = run(losable(False))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    before = r.store.to_dict()
    r.lose(action_ex.id)
    assert r.store.to_dict() == before
    assert r.execution(ex).state == states.SUCCESS


def test_a_lost_item_fails_only_that_item():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              with-items: x in [1, 2]
              action: std.echo output=<% $.x %>
        """, executor=scripted(t=PENDING))
    first, second = r.actions_of(r.task(ex, "t"))
    r.lose(first.id)
    assert r.task(ex, "t").state == states.RUNNING
    assert r.store.actions[second.id].state == states.RUNNING
    r.complete("t", data=2, index=1)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert r.execution(ex).state == states.ERROR


def test_an_unacknowledged_action_is_sent_again_as_a_claim_whatever_its_safe_rerun():
    r, ex = run(losable(False), executor=scripted(t=PENDING))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    r.resend(action_ex.id)
    (again,) = r.actions_of(r.task(ex, "t"))
    assert again.id == action_ex.id and again.state == states.RUNNING
    assert again.rt.resends == 1 and again.rt.reruns == 0
    sent = commands_of(r, commands.RunAction)
    assert [(c.action_ex_id, c.claim) for c in sent] == [(action_ex.id, False),
                                                         (action_ex.id, True)]
    r.complete("t", data="ran once")
    assert task_names(r, ex) == ["t", "next"]
    assert len(inputs(r, "t")) == 2  # sent twice, the first delivery was lost
    assert r.execution(ex).state == states.SUCCESS


def test_an_acknowledged_action_is_not_sent_again():
    r, ex = run(losable(False), executor=scripted(t=PENDING))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    r.store.actions[action_ex.id].last_heartbeat = r.now
    before = r.store.to_dict()
    r.resend(action_ex.id)
    assert r.store.to_dict() == before
    assert len(commands_of(r, commands.RunAction)) == 1
