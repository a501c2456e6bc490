"""Compensation: the ``revert`` key. An execution about to fail undoes, one at a time,
the failed task(s) first and then its succeeded tasks in reverse order of completion;
the tasks end REVERTED or REVERT_FAILED and the execution ends in ERROR naming them."""

import pytest

from mistral_svc.workflow import records, states
from mistral_svc.workflow.rehearsing import Rehearsal
from mistral_svc.workflow.reverting import REVERT_KEY
from tests.unit.workflow.rehearsal import harness
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, run


def scripted(reverts=None, **by_task):
    """``harness.scripted`` for the tasks' own actions; their revert actions run as
    the standard actions do, or as ``reverts`` (the same kind of script) says."""
    own = harness.scripted(**by_task)
    undo = harness.scripted(**(reverts or {}))

    def executor(action_ex):
        return undo(action_ex) if action_ex.rt.revert else own(action_ex)

    return executor


def reverts(r, wf_ex_id=None):
    """``[(task name, revert input)]`` of the revert actions sent, in order."""
    out = []
    for cmd in r.sent:
        a = r.store.actions[cmd.action_ex_id]
        if a.rt.revert and (wf_ex_id is None or a.workflow_execution_id == wf_ex_id):
            out.append((a.task_name, a.input.get("output")))
    return out


UPGRADE = """
version: '2.0'
wf:
  tasks:
    stop_service:
      action: std.echo output="stopped"
      revert: std.echo output="start service again"
      on-success: [backup_db]
    backup_db:
      action: std.echo output="backup-1"
      revert:
        action: std.echo
        input:
          output: restore <% task().result %> seen as <% task().state %>
      on-success: [upgrade_db, upgrade_app]
    upgrade_db:
      action: std.echo output="db"
      revert: std.echo output="downgrade db"
      on-success: [start_service]
    upgrade_app:
      action: std.echo output="app"
      revert: std.echo output="downgrade app"
      on-success: [start_service]
    start_service:
      join: all
      action: std.echo output="started"
"""


def test_the_failed_task_first_then_the_succeeded_ones_in_reverse_order():
    # upgrade_db finishes after upgrade_app and start_service fails.
    r = Rehearsal(UPGRADE, executor=scripted(upgrade_db=PENDING, upgrade_app=PENDING,
                                             start_service=Fail("port in use")))
    ex = r.start("wf")
    r.advance(1)
    r.complete("upgrade_app", data="app")
    r.advance(1)
    r.complete("upgrade_db", data="db")
    assert reverts(r) == [
        ("upgrade_db", "downgrade db"),
        ("upgrade_app", "downgrade app"),
        ("backup_db", "restore backup-1 seen as SUCCESS"),
        ("stop_service", "start service again"),
    ]
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert "port in use" in wf_ex.state_info
    assert wf_ex.state_info.endswith(
        "Reverted tasks: upgrade_db, upgrade_app, backup_db, stop_service")
    assert r.task_states(ex) == {
        "stop_service": states.REVERTED, "backup_db": states.REVERTED,
        "upgrade_db": states.REVERTED, "upgrade_app": states.REVERTED,
        "start_service": states.ERROR}
    assert REVERT_KEY not in (wf_ex.context or {})


def test_parallel_branches_revert_in_the_order_they_finished():
    r = Rehearsal(UPGRADE, executor=scripted(upgrade_db=PENDING, upgrade_app=PENDING,
                                             start_service=Fail()))
    ex = r.start("wf")
    r.advance(1)
    r.complete("upgrade_db", data="db")
    r.advance(1)
    r.complete("upgrade_app", data="app")
    assert [t for t, _ in reverts(r)] == ["upgrade_app", "upgrade_db", "backup_db",
                                          "stop_service"]
    assert r.execution(ex).state == states.ERROR


FAILED_WITH_REVERT = """
version: '2.0'
wf:
  tasks:
    a:
      action: std.echo output="a"
      revert: std.echo output="undo a"
      on-success: [b]
    b:
      action: std.fail
      revert: std.echo output="undo b <% task().state %>"
"""


def test_the_task_whose_failure_ended_the_run_is_reverted_first():
    r, ex = run(FAILED_WITH_REVERT)
    assert reverts(r) == [("b", "undo b ERROR"), ("a", "undo a")]
    assert r.task_states(ex) == {"a": states.REVERTED, "b": states.REVERTED}
    b = r.task(ex, "b")
    assert "Fail action" in b.state_info
    assert r.execution(ex).state == states.ERROR


def test_one_revert_at_a_time_and_the_execution_stays_running():
    r, ex = run(FAILED_WITH_REVERT, executor=scripted(reverts={"b": PENDING}))
    # b's own revert is the action of task b that is still running.
    assert r.execution(ex).state == states.RUNNING
    assert "Reverting" in r.execution(ex).state_info
    assert [t for t, _ in reverts(r)] == ["b"]
    assert r.task_states(ex) == {"a": states.SUCCESS, "b": states.ERROR}
    running = [a for a in r.store.actions.values() if a.state == states.RUNNING]
    assert len(running) == 1 and running[0].rt.revert
    assert running[0].description == "Revert of task b"
    r.deliver(running[0].id, records.ActionResult(data="ok"))
    assert [t for t, _ in reverts(r)] == ["b", "a"]
    assert r.execution(ex).state == states.ERROR


HANDLED = """
version: '2.0'
wf:
  tasks:
    a:
      action: std.echo output="a"
      revert: std.echo output="undo a"
      on-success: [b]
    b:
      action: std.fail
      on-error: [handler]
    handler:
      action: std.echo output="handled"
"""


def test_a_handled_error_reverts_nothing():
    r, ex = run(HANDLED)
    assert reverts(r) == []
    assert r.execution(ex).state == states.SUCCESS
    assert r.task_states(ex)["a"] == states.SUCCESS


def test_a_fail_command_reverts_the_succeeded_tasks():
    text = HANDLED.replace("on-error: [handler]", "on-error: [fail]").split("    handler:")[0]
    r, ex = run(text)
    assert reverts(r) == [("a", "undo a")]
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.state_info == "Reverted tasks: a"
    # b had no revert: it stays as it ended.
    assert r.task_states(ex) == {"a": states.REVERTED, "b": states.ERROR}


def test_a_timeout_reverts():
    text = FAILED_WITH_REVERT.replace("action: std.fail\n", "action: std.echo output='b'\n"
                                      "      timeout: 5\n")
    r, ex = run(text, executor=scripted(b=PENDING))
    assert r.execution(ex).state == states.RUNNING
    r.advance(5)
    assert [t for t, _ in reverts(r)] == ["b", "a"]
    assert r.execution(ex).state == states.ERROR
    assert "timed out" in r.execution(ex).state_info


FAILING_REVERT = """
version: '2.0'
wf:
  tasks:
    a:
      action: std.echo output="a"
      revert: std.echo output="undo a"
      on-success: [b]
    b:
      action: std.echo output="b"
      revert: std.fail error_data="cannot undo b"
      on-success: [c]
    c:
      action: std.fail
"""


def test_a_failing_revert_ends_revert_failed_and_the_others_still_run():
    r, ex = run(FAILING_REVERT)
    assert [t for t, _ in reverts(r)] == ["b", "a"]
    states_ = r.task_states(ex)
    assert states_ == {"a": states.REVERTED, "b": states.REVERT_FAILED, "c": states.ERROR}
    assert "cannot undo b" in r.task(ex, "b").state_info
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert "Reverted tasks: a" in wf_ex.state_info
    assert "Revert failed for tasks: b" in wf_ex.state_info


def test_a_revert_that_cannot_start_fails_and_the_others_still_run():
    text = FAILING_REVERT.replace('std.fail error_data="cannot undo b"', "no.such.action")
    r, ex = run(text)
    assert r.task_states(ex)["b"] == states.REVERT_FAILED
    assert "no.such.action" in r.task(ex, "b").state_info
    assert r.task_states(ex)["a"] == states.REVERTED
    assert r.execution(ex).state == states.ERROR


def test_a_workflow_without_revert_fails_exactly_as_before():
    text = """
version: '2.0'
wf:
  tasks:
    a:
      action: std.echo output="a"
      on-success: [b]
    b:
      action: std.fail
"""
    r, ex = run(text)
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.state_info.startswith("Failure caused by error in tasks: b")
    assert r.task_states(ex) == {"a": states.SUCCESS, "b": states.ERROR}
    assert not [s for s in r.steps for rec, _o, new in s.delta.state_changes()
                if new in (states.REVERTED, states.REVERT_FAILED)]


def test_a_retried_task_reverts_once():
    text = """
version: '2.0'
wf:
  tasks:
    a:
      action: std.echo output="a"
      retry: count=3
      revert: std.echo output="undo a <% task().result %>"
      on-success: [b]
    b:
      action: std.fail
"""
    r, ex = run(text, executor=scripted(a=[Fail(), Fail(), "third time"]))
    assert reverts(r) == [("a", "undo a third time")]
    assert r.task_states(ex)["a"] == states.REVERTED


def test_expressions_see_the_workflow_context_and_what_the_task_published():
    text = """
version: '2.0'
wf:
  input:
    - host: db1
  tasks:
    a:
      action: std.echo output="snap-7"
      publish:
        snapshot: <% task().result %>
      revert:
        action: std.echo
        input:
          output: restore <% $.snapshot %> on <% $.host %> (<% task().published.snapshot %>)
      on-success: [b]
    b:
      action: std.fail
"""
    r, ex = run(text)
    assert reverts(r) == [("a", "restore snap-7 on db1 (snap-7)")]


def test_the_revert_action_is_no_part_of_the_task_result():
    r, ex = run(FAILED_WITH_REVERT)
    assert r.result(r.task(ex, "a")) == "a"
    (revert_ex,) = [x for x in r.actions_of(r.task(ex, "a")) if x.rt.revert]
    assert revert_ex.rt.to_dict()["revert"] is True
    assert revert_ex.state == states.SUCCESS and not revert_ex.accepted


WITH_ITEMS = """
version: '2.0'
wf:
  tasks:
    a:
      with-items: host in <% [h1, h2, h3] %>
      action: std.echo output=<% $.host %>
      revert: std.echo output="undo <% $.host %>"
      on-success: [b]
    b:
      action: std.fail
"""


def test_with_items_reverts_once_per_succeeded_item_with_its_variables():
    r, ex = run(WITH_ITEMS)
    assert reverts(r) == [("a", "undo h3"), ("a", "undo h2"), ("a", "undo h1")]
    assert r.task_states(ex)["a"] == states.REVERTED


@pytest.mark.parametrize("on_error", ["", "\n      on-error: [fail]"])
def test_with_items_failed_items_are_not_reverted(on_error):
    text = WITH_ITEMS.replace("on-success: [b]", "on-success: [b]" + on_error)

    def item(action_ex):
        return Fail() if action_ex.input.get("output") == "h2" else action_ex.input["output"]

    r, ex = run(text, executor=scripted(a=item))
    assert reverts(r) == [("a", "undo h3"), ("a", "undo h1")]
    assert r.task_states(ex)["a"] == states.REVERTED


SUB = """
version: '2.0'
child:
  tasks:
    c1:
      action: std.echo output="c1"
      revert: std.echo output="undo c1"
      on-success: [c2]
    c2:
      action: std.echo output="c2"
      revert: std.echo output="undo c2"
plain:
  tasks:
    p1:
      action: std.echo output="p1"
wf:
  tasks:
    a:
      action: std.echo output="a"
      revert: std.echo output="undo a"
      on-success: [call]
    call:
      workflow: child
      on-success: [nothing_to_undo]
    nothing_to_undo:
      workflow: plain
      on-success: [boom]
    boom:
      action: std.fail
"""


def test_a_workflow_task_without_revert_reverts_its_child_tasks():
    r, ex = run(SUB)
    (child,) = r.children(r.task(ex, "call"))
    assert reverts(r) == [("c2", "undo c2"), ("c1", "undo c1"), ("a", "undo a")]
    assert r.task_states(child.id) == {"c1": states.REVERTED, "c2": states.REVERTED}
    assert r.execution(child.id).state == states.ERROR
    assert "Reverted tasks: c2, c1" in r.execution(child.id).state_info
    assert r.task_states(ex) == {"a": states.REVERTED, "call": states.REVERTED,
                                 "nothing_to_undo": states.SUCCESS, "boom": states.ERROR}
    (plain,) = r.children(r.task(ex, "nothing_to_undo"))
    assert r.execution(plain.id).state == states.SUCCESS
    assert r.execution(ex).state_info.endswith("Reverted tasks: call, a")


def test_a_failing_revert_inside_the_child_makes_the_workflow_task_revert_failed():
    r, ex = run(SUB.replace('revert: std.echo output="undo c2"', "revert: std.fail"))
    assert r.task_states(ex)["call"] == states.REVERT_FAILED
    assert "c2" in r.task(ex, "call").state_info
    assert r.task_states(ex)["a"] == states.REVERTED
    assert "Revert failed for tasks: call" in r.execution(ex).state_info


def test_a_failed_child_reverted_itself_before_its_parent_reverts():
    text = SUB.replace("""    c2:
      action: std.echo output=\"c2\"""", """    c2:
      action: std.fail""")
    r, ex = run(text)
    (child,) = r.children(r.task(ex, "call"))
    # The child undid its failed c2 and then c1 before it ended; the parent's task
    # failed with it and has no revert of its own, so only a is left to undo.
    assert reverts(r) == [("c2", "undo c2"), ("c1", "undo c1"), ("a", "undo a")]
    assert r.execution(child.id).state == states.ERROR
    assert r.task_states(ex) == {"a": states.REVERTED, "call": states.ERROR}


REVERT_WORKFLOW = """
version: '2.0'
undo:
  input:
    - what
  tasks:
    u:
      action: std.echo output="undoing <% $.what %>"
wf:
  tasks:
    a:
      action: std.echo output="a"
      revert:
        workflow: undo
        input:
          what: <% task().result %>
      on-success: [b]
    b:
      action: std.fail
"""


def test_a_revert_workflow_runs_as_a_child_of_the_task():
    r, ex = run(REVERT_WORKFLOW)
    a = r.task(ex, "a")
    kids = r.children(a)
    assert len(kids) == 1 and kids[0].params["revert"] is True
    assert kids[0].input == {"what": "a"}
    assert kids[0].state == states.SUCCESS
    assert r.task_states(ex)["a"] == states.REVERTED
    assert r.result(a) == "a"
    assert r.execution(ex).state == states.ERROR


def test_a_failing_revert_workflow_ends_revert_failed():
    r, ex = run(REVERT_WORKFLOW.replace('std.echo output="undoing <% $.what %>"',
                                        "std.fail"))
    assert r.task_states(ex)["a"] == states.REVERT_FAILED
    assert r.execution(ex).state == states.ERROR


def test_reverting_resumes_from_stored_state_and_runs_no_revert_twice():
    r, ex = run(FAILING_REVERT.replace('std.fail error_data="cannot undo b"',
                                       'std.echo output="undo b"'),
                executor=scripted(reverts={"b": PENDING}))
    assert [t for t, _ in reverts(r)] == ["b"]
    data = r.store.to_dict()
    pending = [a for a in r.store.actions.values() if a.rt.revert]
    # A new conductor over the stored data alone goes on where it stopped.
    r2 = Rehearsal(FAILING_REVERT)
    r2.restore(data)
    r2.deliver(pending[0].id, records.ActionResult(data="done"))
    r2.deliver(pending[0].id, records.ActionResult(data="again"))
    assert [t for t, _ in reverts(r2)] == ["a"]
    assert r2.task_states(ex) == {"a": states.REVERTED, "b": states.REVERTED,
                                  "c": states.ERROR}
    assert r2.execution(ex).state == states.ERROR


NESTED = """
version: '2.0'
leaf:
  input:
    - n
  tasks:
    l:
      action: std.echo output=<% $.n %>
      revert: std.echo output="undo leaf <% $.n %>"
middle:
  input:
    - n
  tasks:
    m:
      workflow: leaf n=<% $.n %>
wf:
  tasks:
    calls:
      with-items: n in <% [1, 2] %>
      workflow: middle n=<% $.n %>
      on-success: [boom]
    boom:
      action: std.fail
"""


def test_sub_workflows_revert_recursively_and_with_items_children_one_by_one():
    r, ex = run(NESTED)
    assert reverts(r) == [("l", "undo leaf 2"), ("l", "undo leaf 1")]
    calls = r.task(ex, "calls")
    assert calls.state == states.REVERTED
    for middle in r.children(calls):
        assert middle.state == states.ERROR
        (m,) = r.tasks(middle.id)
        assert m.state == states.REVERTED
        (leaf,) = r.children(m)
        assert r.task_states(leaf.id) == {"l": states.REVERTED}
    assert r.execution(ex).state_info.endswith("Reverted tasks: calls")


def test_with_items_over_a_workflow_with_its_own_revert_runs_it_per_item():
    text = NESTED.replace("workflow: middle n=<% $.n %>\n",
                          "workflow: middle n=<% $.n %>\n"
                          "      revert: std.echo output=\"undo call <% $.n %>\"\n")
    r, ex = run(text)
    assert reverts(r) == [("calls", "undo call 2"), ("calls", "undo call 1")]
    assert r.task_states(ex)["calls"] == states.REVERTED


def test_a_revert_action_whose_executor_went_silent_fails_its_revert():
    r, ex = run(FAILED_WITH_REVERT, executor=scripted(reverts={"b": PENDING}))
    (pending,) = [a for a in r.store.actions.values() if a.rt.revert]
    r.lose(pending.id)
    assert r.task_states(ex) == {"a": states.REVERTED, "b": states.REVERT_FAILED}
    assert "stopped responding" in r.task(ex, "b").state_info
    # Its late result changes nothing.
    before = r.store.to_dict()
    r.deliver(pending.id, records.ActionResult(data="late"))
    assert r.store.to_dict() == before


def test_reverse_workflows_revert_too():
    text = """
version: '2.0'
wf:
  type: reverse
  tasks:
    a:
      action: std.echo output="a"
      revert: std.echo output="undo a"
    b:
      requires: [a]
      action: std.fail
"""
    r, ex = run(text, params={"task_name": "b"})
    assert reverts(r) == [("a", "undo a")]
    assert r.execution(ex).state == states.ERROR


def test_a_stopped_reverting_execution_runs_no_more_reverts():
    r, ex = run(FAILED_WITH_REVERT, executor=scripted(reverts={"b": PENDING}))
    r.stop(ex, states.ERROR, "enough")
    (pending,) = [a for a in r.store.actions.values() if a.rt.revert]
    r.deliver(pending.id, records.ActionResult(data="done"))
    assert [t for t, _ in reverts(r)] == ["b"]
    assert r.execution(ex).state == states.ERROR
    assert r.execution(ex).state_info == "enough"


def test_a_lost_request_to_a_child_is_sent_again_by_recovery():
    r = Rehearsal(SUB)
    carry_out = r._carry_out
    lost = []

    def losing(cmd):
        if getattr(cmd, "method", None) == "revert_workflow" and not lost:
            lost.append(cmd)  # the engine died before the cast left
            return
        carry_out(cmd)

    r._carry_out = losing
    ex = r.start("wf")
    assert lost and r.execution(ex).state == states.RUNNING
    assert r.execution(ex).state_info.startswith("Reverting ")
    r.event(ex, "check_reverting")
    assert r.execution(ex).state == states.ERROR
    assert r.task_states(ex)["call"] == states.REVERTED
    assert reverts(r) == [("c2", "undo c2"), ("c1", "undo c1"), ("a", "undo a")]


def test_a_lost_answer_of_a_revert_workflow_is_picked_up_by_recovery():
    r = Rehearsal(REVERT_WORKFLOW)
    carry_out = r._carry_out

    def losing(cmd):
        if type(cmd).__name__ == "NotifyParent":
            return  # the child's notice never arrives
        carry_out(cmd)

    r._carry_out = losing
    ex = r.start("wf")
    assert r.execution(ex).state == states.RUNNING
    r.event(ex, "check_reverting")
    assert r.task_states(ex)["a"] == states.REVERTED
    assert r.execution(ex).state == states.ERROR
    # Nothing is left to pick up: checking again changes nothing.
    before = r.store.to_dict()
    r.event(ex, "check_reverting")
    assert r.store.to_dict() == before
