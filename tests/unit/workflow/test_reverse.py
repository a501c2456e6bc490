"""Reverse workflows: only what the target task needs runs, each after its requirements."""

import pytest

from mistral_svc.workflow import commands, controller, reverse, states
from tests.unit.workflow.base import evaluate, names, outcome, spec_of

CREATE_VM = """
version: '2.0'
create_vm_and_send_email:
  type: reverse
  tasks:
    create_vm:
      action: std.noop
    search_for_ip:
      action: std.noop
    associate_ip:
      requires: [search_for_ip]
    send_email:
      requires: [create_vm, associate_ip]
    unrelated:
      requires: create_vm
"""

# The graph of the language reference's figure: T1 needs T2..T8 except T3 and T4.
FIGURE = """
version: '2.0'
wf:
  type: reverse
  tasks:
    T1: {requires: [T2, T5]}
    T2: {requires: [T7, T8]}
    T3: {requires: [T4]}
    T4: {}
    T5: {requires: [T6]}
    T6: {}
    T7: {}
    T8: {}
"""


@pytest.fixture
def wf():
    return spec_of(CREATE_VM)


@pytest.mark.parametrize("target,expected", [
    ("send_email", {"send_email", "create_vm", "associate_ip", "search_for_ip"}),
    ("associate_ip", {"associate_ip", "search_for_ip"}),
    ("create_vm", {"create_vm"}),
    ("unrelated", {"unrelated", "create_vm"}),
])
def test_needed_is_the_target_and_its_transitive_requirements(wf, target, expected):
    assert reverse.needed(wf, target) == expected


def test_needed_in_the_reference_figure():
    wf = spec_of(FIGURE)
    assert reverse.needed(wf, "T1") == {"T1", "T2", "T5", "T6", "T7", "T8"}
    assert names(reverse.start_commands(wf, "T1")) == ["T6", "T7", "T8"]


def test_shared_requirement_is_needed_once():
    wf = spec_of("""
        version: '2.0'
        wf:
          type: reverse
          tasks:
            base: {}
            left: {requires: base}
            right: {requires: base}
            top: {requires: [left, right]}
    """)
    assert names(reverse.start_commands(wf, "top")) == ["base"]
    d = reverse.next_commands(wf, outcome("base", states.SUCCESS), "top")
    assert names(d.commands) == ["left", "right"]


@pytest.mark.parametrize("target,starts", [
    ("send_email", ["create_vm", "search_for_ip"]),
    ("associate_ip", ["search_for_ip"]),
    ("create_vm", ["create_vm"]),
    ("unrelated", ["create_vm"]),
])
def test_start_commands_are_needed_tasks_without_requirements(wf, target, starts):
    cmds = reverse.start_commands(wf, target)
    assert names(cmds) == starts
    for c in cmds:
        assert isinstance(c, commands.RunTask)
        assert c.ctx == {} and c.triggered_by == [] and c.params == {}


def test_next_commands_arrive_at_needed_dependants_only(wf):
    out = outcome("create_vm", states.SUCCESS, {"vm_id": "v1"}, task_id="t-1")
    d = reverse.next_commands(wf, out, "send_email")
    # "unrelated" requires create_vm too, but send_email does not need it.
    (cmd,) = d.commands
    assert cmd.name == "send_email"
    assert cmd.join == "all"
    assert cmd.ctx == {"vm_id": "v1"}
    assert cmd.triggered_by == [{"task_id": "t-1", "event": "on_success"}]
    assert d.error_handled is False


def test_next_commands_when_the_target_needs_every_dependant(wf):
    d = reverse.next_commands(wf, outcome("create_vm", states.SUCCESS), "unrelated")
    assert names(d.commands) == ["unrelated"]


def test_the_target_itself_leads_nowhere(wf):
    assert reverse.next_commands(wf, outcome("send_email", states.SUCCESS),
                                 "send_email").commands == []
    assert reverse.next_commands(wf, outcome("create_vm", states.SUCCESS),
                                 "create_vm").commands == []


@pytest.mark.parametrize("state", [states.ERROR, states.CANCELLED, states.RUNNING])
def test_only_success_moves_a_reverse_workflow_on(wf, state):
    d = reverse.next_commands(wf, outcome("search_for_ip", state), "send_email")
    assert d.commands == [] and d.error_handled is False


def test_unknown_target_is_an_error(wf):
    with pytest.raises(ValueError, match="'ghost' is not found in workflow "
                                         "'create_vm_and_send_email'"):
        reverse.start_commands(wf, "ghost")
    with pytest.raises(ValueError, match="ghost"):
        reverse.next_commands(wf, outcome("create_vm", states.SUCCESS), "ghost")
    with pytest.raises(ValueError):
        reverse.needed(wf, None)


def test_inbound_of_a_reverse_task_is_what_it_requires(wf):
    assert wf.inbound("send_email") == ["create_vm", "associate_ip"]
    assert wf.inbound("associate_ip") == ["search_for_ip"]
    assert wf.inbound("create_vm") == []


def test_controller_uses_the_task_name_param(wf):
    assert names(controller.start_commands(wf, {"task_name": "associate_ip"})) == [
        "search_for_ip"]
    d = controller.next_commands(wf, outcome("search_for_ip", states.SUCCESS),
                                 evaluate, {}, {"task_name": "associate_ip"})
    assert names(d.commands) == ["associate_ip"]


def test_controller_without_a_target_is_an_error(wf):
    with pytest.raises(ValueError):
        controller.start_commands(wf, {})
