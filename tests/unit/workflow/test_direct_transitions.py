"""What a finished task of a direct workflow leads to."""

import pytest

from mistral_svc.workflow import commands, controller, direct, states
from tests.unit.workflow.base import (
    RecordingEvaluator,
    direct_wf,
    evaluate,
    names,
    never_evaluate,
    outcome,
)

S = states


def decide(wf, name, state, out_ctx=None, base_ctx=None, evaluator=evaluate):
    out = outcome(name, state, out_ctx)
    return direct.next_commands(wf, out, evaluator, dict(base_ctx or {}, **out.out_ctx))


THREE_CLAUSES = """
    a:
      on-success: [s1, s2]
      on-error: [e1]
      on-complete: [c1]
    s1: {}
    s2: {}
    e1: {}
    c1: {}
"""


# ---------------------------------------------------------------- clauses and states

def test_success_follows_on_success_then_on_complete():
    d = decide(direct_wf(THREE_CLAUSES), "a", S.SUCCESS)
    assert names(d.commands) == ["s1", "s2", "c1"]
    assert [c.triggered_by[0]["event"] for c in d.commands] == [
        "on_success", "on_success", "on_complete"]
    assert d.error_handled is False


def test_error_follows_on_error_then_on_complete():
    d = decide(direct_wf(THREE_CLAUSES), "a", S.ERROR)
    assert names(d.commands) == ["e1", "c1"]
    assert [c.triggered_by[0]["event"] for c in d.commands] == ["on_error", "on_complete"]
    assert d.error_handled is True


@pytest.mark.parametrize("state", [S.CANCELLED, S.RUNNING, S.PAUSED, S.WAITING, S.IDLE])
def test_unfinished_or_cancelled_task_leads_nowhere(state):
    d = decide(direct_wf(THREE_CLAUSES), "a", state, evaluator=never_evaluate)
    assert d.commands == [] and d.error_handled is False
    assert d.branch_publish == {} and d.global_publish == {}


def test_task_without_transitions_ends_its_branch():
    wf = direct_wf("""
        a: {}
    """)
    for state in (S.SUCCESS, S.ERROR):
        d = decide(wf, "a", state, evaluator=never_evaluate)
        assert d.commands == []
        assert d.error_handled is False


def test_run_task_command_carries_predecessor_data():
    wf = direct_wf("""
        a:
          on-success: [b]
        b:
          join: all
    """)
    out = outcome("a", S.SUCCESS, {"x": 1}, task_id="task-42")
    (cmd,) = direct.next_commands(wf, out, evaluate, {"x": 1, "wf_input": 2}).commands
    assert isinstance(cmd, commands.RunTask)
    assert cmd.name == "b"
    # Only the branch's published data travels, not the whole expression context.
    assert cmd.ctx == {"x": 1}
    assert cmd.triggered_by == [{"task_id": "task-42", "event": "on_success"}]
    assert cmd.params == {}
    assert cmd.join == "all"


def test_fork_gives_every_target_its_own_trigger_record():
    d = decide(direct_wf(THREE_CLAUSES), "a", S.SUCCESS)
    d.commands[0].triggered_by[0]["task_name"] = "a"
    assert "task_name" not in d.commands[1].triggered_by[0]


def test_inputs_are_not_modified():
    wf = direct_wf("""
        a:
          on-success:
            publish:
              branch: {p: 1}
            next: [b]
        b: {}
    """)
    out = outcome("a", S.SUCCESS, {"x": 1})
    base = {"x": 1, "y": 2}
    d = direct.next_commands(wf, out, evaluate, base)
    assert d.commands[0].ctx == {"x": 1, "p": 1}
    assert out.out_ctx == {"x": 1}
    assert base == {"x": 1, "y": 2}


def test_same_target_in_success_and_complete_is_listed_twice():
    wf = direct_wf("""
        a:
          on-success: [b]
          on-complete: [b]
        b:
          join: all
    """)
    d = decide(wf, "a", S.SUCCESS)
    assert names(d.commands) == ["b", "b"]
    assert wf.inbound("b") == ["a"]


# ---------------------------------------------------------------- conditions

@pytest.mark.parametrize("condition,fires", [
    ("<% $.n > 1 %>", True),
    ("<% $.n > 5 %>", False),
    ("{{ _.n > 1 }}", True),
    ("{{ _.n > 5 }}", False),
    ("<% $.nothing %>", False),
    ("<% $.items %>", False),
    ("<% $.name %>", True),
])
def test_condition_decides_whether_a_transition_fires(condition, fires):
    wf = direct_wf("""
        a:
          on-success:
            - b: "%s"
        b: {}
    """ % condition)
    d = decide(wf, "a", S.SUCCESS, base_ctx={"n": 3, "items": [], "name": "x",
                                                   "nothing": None})
    assert names(d.commands) == (["b"] if fires else [])


def test_literal_boolean_conditions():
    wf = direct_wf("""
        a:
          on-success:
            - b: false
            - c: true
        b: {}
        c: {}
    """)
    assert wf.task("a").transitions("on-success")[1]["condition"] is None
    assert names(decide(wf, "a", S.SUCCESS).commands) == ["c"]


def test_conditions_read_the_whole_expression_context():
    wf = direct_wf("""
        a:
          on-success:
            - big: <% $.size > $.limit %>
            - small: <% $.size <= $.limit %>
        big: {}
        small: {}
    """)
    # ``limit`` is workflow input, ``size`` was published on this branch.
    d = decide(wf, "a", S.SUCCESS, out_ctx={"size": 10}, base_ctx={"limit": 5})
    assert names(d.commands) == ["big"]
    d = decide(wf, "a", S.SUCCESS, out_ctx={"size": 1}, base_ctx={"limit": 5})
    assert names(d.commands) == ["small"]


def test_conditions_on_error_and_complete_clauses():
    wf = direct_wf("""
        a:
          on-error:
            - retry_it: <% $.attempts < 3 %>
            - give_up: <% $.attempts >= 3 %>
          on-complete:
            - log: <% $.verbose %>
        retry_it: {}
        give_up: {}
        log: {}
    """)
    d = decide(wf, "a", S.ERROR, base_ctx={"attempts": 3, "verbose": True})
    assert names(d.commands) == ["give_up", "log"]
    d = decide(wf, "a", S.ERROR, base_ctx={"attempts": 0, "verbose": False})
    assert names(d.commands) == ["retry_it"]


def test_conditions_of_the_clause_not_taken_are_not_evaluated():
    wf = direct_wf("""
        a:
          on-success:
            - b: <% $.x %>
          on-error:
            - c: <% $.y %>
        b: {}
        c: {}
    """)
    ev = RecordingEvaluator()
    decide(wf, "a", S.SUCCESS, base_ctx={"x": True, "y": True}, evaluator=ev)
    assert [v for v, _ in ev.calls] == ["<% $.x %>"]


def test_conditions_are_evaluated_against_base_ctx():
    wf = direct_wf("""
        a:
          on-success:
            - b: <% $.x %>
        b: {}
    """)
    ev = RecordingEvaluator()
    base = {"x": True, "input": 1}
    direct.next_commands(wf, outcome("a", S.SUCCESS), ev, base)
    assert ev.calls == [("<% $.x %>", base)]


def test_failing_condition_propagates():
    wf = direct_wf("""
        a:
          on-success:
            - b: <% $.x.nope() %>
        b: {}
    """)
    with pytest.raises(Exception) as exc:
        decide(wf, "a", S.SUCCESS, base_ctx={"x": 1})
    assert "nope" in str(exc.value)


# ---------------------------------------------------------------- params

def test_transition_params_are_evaluated():
    wf = direct_wf("""
        a:
          on-success:
            - b x=<% $.v + 1 %> y="lit" z=3
        b: {}
    """)
    (cmd,) = decide(wf, "a", S.SUCCESS, base_ctx={"v": 1}).commands
    assert cmd.params == {"x": 2, "y": "lit", "z": 3}


def test_params_with_a_condition():
    wf = direct_wf("""
        a:
          on-success:
            - b x=<% $.v %>: <% $.v > 0 %>
        b: {}
    """)
    (cmd,) = decide(wf, "a", S.SUCCESS, base_ctx={"v": 7}).commands
    assert cmd.params == {"x": 7}
    assert decide(wf, "a", S.SUCCESS, base_ctx={"v": 0}).commands == []


# ---------------------------------------------------------------- engine commands

@pytest.mark.parametrize("kind", ["fail", "succeed", "pause"])
def test_engine_command_without_msg(kind):
    wf = direct_wf("""
        a:
          on-complete: [%s]
    """ % kind)
    (cmd,) = decide(wf, "a", S.SUCCESS).commands
    assert isinstance(cmd, commands.EndWorkflow)
    assert (cmd.kind, cmd.msg, cmd.task_name) == (kind, None, "a")


@pytest.mark.parametrize("kind", ["fail", "succeed", "pause"])
def test_engine_command_with_msg(kind):
    wf = direct_wf("""
        a:
          on-complete:
            - %s msg="stopped by <%% $.who %%>"
    """ % kind)
    (cmd,) = decide(wf, "a", S.SUCCESS, base_ctx={"who": "a"}).commands
    assert (cmd.kind, cmd.msg) == (kind, "stopped by a")


def test_msg_can_be_a_whole_expression():
    wf = direct_wf("""
        a:
          on-error:
            - fail msg=<% $.reason %>
    """)
    (cmd,) = decide(wf, "a", S.ERROR, base_ctx={"reason": "disk full"}).commands
    assert cmd.msg == "disk full"


def test_engine_command_with_condition():
    wf = direct_wf("""
        a:
          on-complete:
            - fail: <% not $.vm_id %>
    """)
    assert names(decide(wf, "a", S.SUCCESS, base_ctx={"vm_id": None}).commands) == ["fail"]
    assert decide(wf, "a", S.SUCCESS, base_ctx={"vm_id": "v1"}).commands == []


def test_noop_ends_the_branch():
    wf = direct_wf("""
        a:
          on-success: [noop]
    """)
    (cmd,) = decide(wf, "a", S.SUCCESS).commands
    assert isinstance(cmd, commands.Noop)
    assert cmd.kind == "noop"


@pytest.mark.parametrize("kind", ["fail", "succeed"])
def test_nothing_after_a_terminal_command_is_scheduled(kind):
    wf = direct_wf("""
        a:
          on-complete: [x, %s, y]
        x: {}
        y: {}
    """ % kind)
    assert names(decide(wf, "a", S.SUCCESS).commands) == ["x", kind]


def test_fail_in_on_error_skips_the_transitions_of_on_complete_not_its_publish():
    wf = direct_wf("""
        a:
          on-error: [b, fail, c]
          on-complete:
            publish:
              global: {g: 1}
            next: [d, pause, e]
        b: {}
        c: {}
        d: {}
        e: {}
    """)
    d = decide(wf, "a", S.ERROR)
    assert names(d.commands) == ["b", "fail"]
    # Mistral publishes as the task completes, before any transition is followed.
    assert d.global_publish == {"g": 1}


def test_on_complete_runs_after_success_when_on_error_has_fail():
    wf = direct_wf("""
        a:
          on-error: [b, fail, c]
          on-complete: [d, pause, e]
        b: {}
        c: {}
        d: {}
        e: {}
    """)
    # pause does not end the workflow: what follows it keeps its place in the order.
    assert names(decide(wf, "a", S.SUCCESS).commands) == ["d", "pause", "e"]


def test_fail_skipped_by_its_condition_does_not_stop_processing():
    wf = direct_wf("""
        a:
          on-success:
            - fail: <% false %>
            - b
          on-complete: [c]
        b: {}
        c: {}
    """)
    assert names(decide(wf, "a", S.SUCCESS).commands) == ["b", "c"]


# ---------------------------------------------------------------- error handling

@pytest.mark.parametrize("clauses,handled", [
    (["on-error: [h]"], True),
    (["on-error: [noop]"], True),
    (["on-error: [fail]"], True),
    (["on-error: [{h: <% false %>}]"], False),
    (["on-complete: [h]"], False),
    (["on-success: [h]"], False),
    (["on-error: [{h: <% false %>}]", "on-complete: [h]"], False),
    (["on-error: [{h: <% false %>}, noop]", "on-complete: [h]"], True),
])
def test_only_a_fired_on_error_transition_handles_an_error(clauses, handled):
    wf = direct_wf("a:\n%s\nh:\n  join: one\n" % "".join("  %s\n" % c for c in clauses))
    assert decide(wf, "a", S.ERROR).error_handled is handled


def test_success_is_never_marked_error_handled():
    wf = direct_wf("""
        a:
          on-success: [h]
          on-error: [h]
          on-complete: [h]
        h:
          join: one
    """)
    assert decide(wf, "a", S.SUCCESS).error_handled is False


# ---------------------------------------------------------------- advanced publish

def test_branch_publish_goes_to_the_next_tasks_and_global_is_returned():
    wf = direct_wf("""
        a:
          on-success:
            publish:
              branch:
                my_var: "branch <% $.x %>"
              global:
                my_var: "global value"
            next: [b, c]
        b: {}
        c: {}
    """)
    d = decide(wf, "a", S.SUCCESS, out_ctx={"x": 1, "kept": True})
    assert d.branch_publish == {"my_var": "branch 1"}
    assert d.global_publish == {"my_var": "global value"}
    assert [c.ctx for c in d.commands] == [{"x": 1, "kept": True, "my_var": "branch 1"}] * 2


def test_publish_without_next():
    wf = direct_wf("""
        a:
          on-success:
            publish:
              global: {done: true}
    """)
    d = decide(wf, "a", S.SUCCESS)
    assert d.commands == []
    assert d.global_publish == {"done": True}
    assert d.branch_publish == {}


def test_on_complete_publish_overrides_the_specific_clause():
    # Mistral 23 merges clause publishes in the order the clauses run.
    wf = direct_wf("""
        a:
          on-success:
            publish:
              branch: {v: success, only_s: 1}
              global: {g: success}
            next: b
          on-error:
            publish:
              branch: {v: error}
              global: {g: error}
          on-complete:
            publish:
              branch: {v: complete, only_c: 2}
              global: {g: complete, gc: 3}
            next: c
        b: {}
        c: {}
    """)
    d = decide(wf, "a", S.SUCCESS)
    assert d.branch_publish == {"v": "complete", "only_s": 1, "only_c": 2}
    assert d.global_publish == {"g": "complete", "gc": 3}
    assert all(c.ctx["v"] == "complete" for c in d.commands)
    d = decide(wf, "a", S.ERROR)
    assert d.branch_publish == {"v": "complete", "only_c": 2}
    assert d.global_publish == {"g": "complete", "gc": 3}


def test_publish_is_evaluated_against_base_ctx():
    wf = direct_wf("""
        a:
          on-success:
            publish:
              branch: {total: <% $.a + $.b %>}
            next: b
        b: {}
    """)
    d = decide(wf, "a", S.SUCCESS, out_ctx={"a": 1}, base_ctx={"b": 2})
    assert d.branch_publish == {"total": 3}
    # The branch carries the published data on top of its own, not the workflow input.
    assert d.commands[0].ctx == {"a": 1, "total": 3}


def test_branch_publish_of_a_clause_not_taken_is_ignored():
    wf = direct_wf("""
        a:
          on-error:
            publish:
              branch: {e: <% $.boom.nope() %>}
            next: b
        b: {}
    """)
    d = decide(wf, "a", S.SUCCESS)
    assert d.branch_publish == {} and d.commands == []


# ---------------------------------------------------------------- dynamic targets

def test_dynamic_target_name():
    wf = direct_wf("""
        a:
          on-success:
            - <% $.next_task %>
        b: {}
        c: {}
    """)
    (cmd,) = decide(wf, "a", S.SUCCESS, base_ctx={"next_task": "c"}).commands
    assert isinstance(cmd, commands.RunTask) and cmd.name == "c"
    (cmd,) = decide(wf, "a", S.SUCCESS, base_ctx={"next_task": "b"}).commands
    assert cmd.name == "b"


def test_dynamic_jinja_target_with_params():
    wf = direct_wf("""
        a:
          on-success:
            - "{{ _.target }} n=<% $.n %>"
        b: {}
    """)
    (cmd,) = decide(wf, "a", S.SUCCESS, base_ctx={"target": "b", "n": 5}).commands
    assert (cmd.name, cmd.params) == ("b", {"n": 5})


@pytest.mark.parametrize("value,expected", [("noop", commands.Noop),
                                            ("fail", commands.EndWorkflow)])
def test_dynamic_target_may_be_an_engine_command(value, expected):
    wf = direct_wf("""
        a:
          on-success:
            - <% $.next_task %>
    """)
    (cmd,) = decide(wf, "a", S.SUCCESS, base_ctx={"next_task": value}).commands
    assert isinstance(cmd, expected)


def test_dynamic_target_naming_an_unknown_task_raises():
    wf = direct_wf("""
        a:
          on-success:
            - <% $.next_task %>
    """)
    with pytest.raises(KeyError, match="unknown task 'ghost'"):
        decide(wf, "a", S.SUCCESS, base_ctx={"next_task": "ghost"})


# ---------------------------------------------------------------- controller and helpers

def test_controller_delegates_direct_workflows():
    wf = direct_wf(THREE_CLAUSES)
    d = controller.next_commands(wf, outcome("a", S.ERROR), evaluate, {}, {})
    assert names(d.commands) == ["e1", "c1"] and d.error_handled is True


@pytest.mark.parametrize("unhandled,waiting,expected", [
    (0, False, S.SUCCESS),
    (2, False, S.ERROR),
    (0, True, None),
    (1, True, None),
])
def test_workflow_outcome(unhandled, waiting, expected):
    assert direct.workflow_outcome(unhandled, waiting) == expected


@pytest.mark.parametrize("name,expected", [
    ("fail", True), ("succeed", True), ("pause", True), ("noop", True),
    ("task1", False), ("Fail", False),
])
def test_is_engine_command(name, expected):
    assert direct.is_engine_command(name) is expected


def test_a_cancelled_task_makes_the_workflow_cancelled():
    assert direct.workflow_outcome(0, cancelled=True) == S.CANCELLED
    assert direct.workflow_outcome(3, cancelled=True) == S.CANCELLED
    assert direct.workflow_outcome(0, paused_or_waiting=True, cancelled=True) is None
