"""Which tasks a direct workflow starts with."""

from mistral_svc.workflow import commands, controller, direct
from tests.unit.workflow.base import direct_wf, names


def test_single_task_is_the_start():
    wf = direct_wf("""
        only:
          action: std.noop
    """)
    cmds = direct.start_commands(wf)
    assert names(cmds) == ["only"]
    (cmd,) = cmds
    assert isinstance(cmd, commands.RunTask)
    assert cmd.ctx == {} and cmd.triggered_by == [] and cmd.params == {}
    assert cmd.join is None


def test_chain_starts_with_its_head_only():
    wf = direct_wf("""
        c:
          action: std.noop
        b:
          on-success: c
        a:
          on-success: [b]
    """)
    assert names(direct.start_commands(wf)) == ["a"]


def test_several_roots_start_in_definition_order():
    wf = direct_wf("""
        z:
          on-success: [join_them]
        a:
          on-success: [join_them]
        m:
          action: std.noop
        join_them:
          join: all
    """)
    assert names(direct.start_commands(wf)) == ["z", "a", "m"]


def test_targets_of_every_clause_are_not_starts():
    wf = direct_wf("""
        a:
          on-success: [s]
          on-error: [e]
          on-complete: [c]
        s: {}
        e: {}
        c: {}
    """)
    assert names(direct.start_commands(wf)) == ["a"]


def test_a_conditional_transition_still_makes_an_inbound_edge():
    wf = direct_wf("""
        a:
          on-success:
            - b: <% false %>
        b: {}
    """)
    assert names(direct.start_commands(wf)) == ["a"]


def test_engine_commands_are_not_tasks():
    wf = direct_wf("""
        a:
          on-success: [succeed]
          on-error: [fail, noop, pause]
    """)
    assert names(direct.start_commands(wf)) == ["a"]


def test_a_task_looping_to_itself_is_not_a_start():
    wf = direct_wf("""
        init:
          on-success: [poll]
        poll:
          on-success:
            - poll: <% $.again %>
    """)
    assert names(direct.start_commands(wf)) == ["init"]


def test_join_of_start_task_is_carried_on_the_command():
    wf = direct_wf("""
        lonely:
          join: 2
    """)
    (cmd,) = direct.start_commands(wf)
    assert cmd.join == 2


def test_task_defaults_transition_makes_its_target_a_non_start():
    wf = direct_wf("""
        a:
          action: std.noop
        b:
          action: std.noop
        handle:
          action: std.noop
    """, task_defaults="{on-error: [handle]}")
    assert names(direct.start_commands(wf)) == ["a", "b"]


def test_a_workflow_that_is_only_a_cycle_has_no_start():
    wf = direct_wf("""
        a:
          on-success: [b]
        b:
          on-success: [a]
    """)
    assert direct.start_commands(wf) == []


def test_controller_starts_direct_workflows_whatever_the_params():
    wf = direct_wf("""
        a:
          on-success: [b]
        b: {}
    """)
    assert names(controller.start_commands(wf, {"task_name": "b"})) == ["a"]
    assert names(controller.start_commands(wf, {})) == ["a"]


def test_start_commands_are_fresh_objects_each_time():
    wf = direct_wf("""
        a: {}
    """)
    first = direct.start_commands(wf)
    first[0].ctx["x"] = 1
    assert direct.start_commands(wf)[0].ctx == {}
