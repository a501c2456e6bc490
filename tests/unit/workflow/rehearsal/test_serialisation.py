"""Everything a step produces is plain data: deltas and commands serialise to JSON and
come back equal, the store of executions round-trips, and the same events give the
same steps."""

import json

import pytest

from mistral_svc.workflow import commands, records, states
from mistral_svc.workflow.rehearsing import MemoryStore, Rehearsal
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, scripted

# One workflow that goes through most constructs: with-items with concurrency, a
# sub-workflow, a join, retry with a delay, wait-after, timeout, publish-global,
# pause-before, keep-result, engine commands.
EVERYTHING = """
version: '2.0'
child:
  input: [x]
  output:
    y: <% $.x + 1 %>
  tasks:
    inner:
      action: std.echo output=<% $.x %>
wf:
  output:
    items: <% $.items %>
    y: <% $.y %>
  tasks:
    fan:
      with-items: i in [1, 2, 3]
      concurrency: 2
      action: std.echo output=<% $.i %>
      keep-result: false
      publish:
        items: <% task().result %>
      on-success: [merge]
    sub:
      workflow: child x=41
      publish:
        y: <% task().result.y %>
      on-success:
        publish:
          global:
            g: <% task().result.y %>
        next: [merge]
    flaky:
      action: std.echo output="flaky"
      retry:
        count: 1
        delay: 2
      wait-after: 1
      timeout: 60
      on-complete: [merge]
    merge:
      join: all
      pause-before: true
      action: std.echo output=<% global(g) %>
      on-success:
        - succeed msg="all done"
"""


def rehearse():
    r = Rehearsal(EVERYTHING, executor=scripted(flaky=[Fail("once"), "twice"]))
    ex = r.start("wf")
    r.advance(2)
    r.advance(1)
    assert r.execution(ex).state == states.PAUSED
    r.resume(ex)
    return r, ex


def test_the_scenario_covers_what_it_claims():
    r, ex = rehearse()
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS and wf_ex.state_info == "all done"
    # keep-result: false publishes from the results before they are dropped.
    assert wf_ex.output == {"items": [1, 2, 3], "y": 42}
    assert [a.output for a in r.actions_of(r.task(ex, "fan"))] == [None, None, None]
    kinds = {type(c) for s in r.steps for c in s.commands}
    assert kinds == {commands.RunAction, commands.StartSubworkflow, commands.NotifyParent,
                     commands.ScheduleTimer, commands.CancelTimer, commands.DropResults}


def test_every_step_serialises_to_json_and_its_commands_come_back_equal():
    r, _ex = rehearse()
    assert len(r.steps) > 10
    for step in r.steps:
        data = json.loads(json.dumps(step.to_dict()))
        assert data == step.to_dict()
        assert [commands.effect_from_dict(c) for c in data["commands"]] == step.commands


def test_a_delta_names_the_fields_it_changed():
    r, ex = rehearse()
    first = r.steps[0].to_dict()["delta"]
    assert [c["kind"] for c in first["created"]][0] == "workflow"
    assert {c["kind"] for c in first["created"]} == {"workflow", "task", "action"}
    assert first["changed"] == []
    # Completing the first item of fan changes its action and the task's bookkeeping.
    later = next(s.to_dict()["delta"] for s in r.steps[1:]
                 if any(ch["kind"] == "action" for ch in s.to_dict()["delta"]["changed"]))
    action_change = next(ch for ch in later["changed"] if ch["kind"] == "action")
    assert {"state", "output", "accepted"} <= set(action_change["fields"])


@pytest.mark.parametrize("kind", [records.WorkflowEx, records.TaskEx, records.ActionEx])
def test_every_record_round_trips_through_json(kind):
    r, _ex = rehearse()
    table = {records.WorkflowEx: r.store.executions, records.TaskEx: r.store.tasks,
             records.ActionEx: r.store.actions}[kind]
    assert table
    for record in table.values():
        data = json.loads(json.dumps(record.to_dict()))
        assert kind.from_dict(data).to_dict() == record.to_dict()


def test_the_store_round_trips_through_json():
    r, _ex = rehearse()
    data = json.loads(json.dumps(r.store.to_dict()))
    other = MemoryStore()
    other.restore(data)
    assert other.to_dict() == r.store.to_dict()


def test_a_run_restored_between_every_step_ends_as_one_kept_in_memory():
    kept = Rehearsal(EVERYTHING, executor=scripted(flaky=[Fail("once"), "twice"]),
                     round_trip=False)
    ex = kept.start("wf")
    kept.advance(2)
    kept.advance(1)
    kept.resume(ex)
    restored, _ex = rehearse()
    assert kept.store.to_dict() == restored.store.to_dict()


def test_the_same_events_give_the_same_steps():
    first, _ = rehearse()
    second, _ = rehearse()
    assert [s.to_dict() for s in first.steps] == [s.to_dict() for s in second.steps]


def test_a_pending_execution_can_be_picked_up_from_its_stored_data_alone():
    r = Rehearsal(EVERYTHING, executor=scripted(fan=PENDING, flaky=PENDING))
    ex = r.start("wf")
    data = json.loads(json.dumps(r.store.to_dict()))
    # A new rehearsal with the same definitions and nothing but the stored data.
    other = Rehearsal(EVERYTHING, executor=None)
    other.restore(data)
    for action_ex in sorted(other.store.actions.values(), key=lambda a: a.created_at):
        if action_ex.state == states.RUNNING and action_ex.task_name == "fan":
            other.deliver(action_ex.id, records.ActionResult(data=action_ex.input["output"]))
    fan = other.task(ex, "fan")
    assert fan.rt.done == 2
    assert [a.state for a in other.actions_of(fan)] == [states.SUCCESS, states.SUCCESS,
                                                        states.RUNNING]
