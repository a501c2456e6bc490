"""Commands are plain data: they serialise to dicts (and JSON) and come back equal."""

import json

import pytest

from mistral_svc.workflow import commands, direct, states
from tests.unit.workflow.base import direct_wf, evaluate, outcome

SAMPLES = [
    commands.RunTask(name="b", ctx={"x": [1, {"y": None}]},
                     triggered_by=[{"task_id": "t-1", "event": "on_success"}],
                     params={"p": "v"}, join="all"),
    commands.RunTask(name="c", ctx={}, triggered_by=[]),
    commands.RunTask(name="d", ctx={}, triggered_by=[], join=3),
    commands.EndWorkflow(kind="fail", msg="boom", task_name="a"),
    commands.EndWorkflow(kind="succeed"),
    commands.EndWorkflow(kind="pause", msg=None, task_name="a"),
    commands.Noop(),
]


@pytest.mark.parametrize("cmd", SAMPLES, ids=lambda c: type(c).__name__)
def test_round_trip(cmd):
    data = cmd.to_dict()
    restored = commands.from_dict(data)
    assert type(restored) is type(cmd)
    assert restored == cmd


@pytest.mark.parametrize("cmd", SAMPLES, ids=lambda c: type(c).__name__)
def test_round_trip_through_json(cmd):
    assert commands.from_dict(json.loads(json.dumps(cmd.to_dict()))) == cmd


def test_run_task_dict_shape():
    assert SAMPLES[0].to_dict() == {
        "kind": "run_task",
        "name": "b",
        "ctx": {"x": [1, {"y": None}]},
        "triggered_by": [{"task_id": "t-1", "event": "on_success"}],
        "params": {"p": "v"},
        "join": "all",
    }


def test_end_workflow_and_noop_dict_shapes():
    assert SAMPLES[3].to_dict() == {"kind": "fail", "msg": "boom", "task_name": "a"}
    assert commands.Noop().to_dict() == {"kind": "noop"}


def test_to_dict_copies_nested_data():
    cmd = commands.RunTask(name="b", ctx={"l": [1]}, triggered_by=[])
    data = cmd.to_dict()
    data["ctx"]["l"].append(2)
    assert cmd.ctx == {"l": [1]}


def test_from_dict_leaves_its_argument_alone():
    data = SAMPLES[3].to_dict()
    commands.from_dict(data)
    assert data == {"kind": "fail", "msg": "boom", "task_name": "a"}


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown command kind 'explode'"):
        commands.from_dict({"kind": "explode"})


def test_missing_kind_is_rejected():
    with pytest.raises(KeyError):
        commands.from_dict({"name": "b", "ctx": {}, "triggered_by": []})


def test_decided_commands_round_trip():
    wf = direct_wf("""
        a:
          on-success:
            - b x=<% $.v %>
            - noop
            - fail msg="done"
        b:
          join: one
    """)
    d = direct.next_commands(wf, outcome("a", states.SUCCESS, {"v": 2}), evaluate, {"v": 2})
    assert len(d.commands) == 3
    assert [commands.from_dict(c.to_dict()) for c in d.commands] == d.commands
