"""Joins: all, a number, one; what the join sees; joins that can never fire."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, inputs, run, scripted, \
    task_names

FAN_IN = """
version: '2.0'
wf:
  output:
    seen: <% $.seen %>
  tasks:
    start:
      on-success: [a, b, c]
    a:
      publish: {a: 1}
      on-success: [merge]
    b:
      publish: {b: 2}
      on-success: [merge]
    c:
      publish: {c: 3}
      on-success: [merge]
    merge:
      join: JOIN
      action: std.echo output=<% [$.get(a), $.get(b), $.get(c)] %>
      publish:
        seen: <% task().result %>
"""


def fan_in(join):
    return FAN_IN.replace("JOIN", str(join))


def test_join_all_waits_for_every_branch_and_sees_what_each_published():
    r, ex = run(fan_in("all"), executor=scripted(a=PENDING, b=PENDING, c=PENDING))
    for name in ("c", "a"):
        r.complete(name)
        assert r.task(ex, "merge").state == states.WAITING
        assert inputs(r, "merge") == []
    assert sorted(r.task(ex, "merge").rt.arrived) == ["a", "c"]
    r.complete("b")
    assert r.task(ex, "merge").state == states.SUCCESS
    assert inputs(r, "merge") == [{"output": [1, 2, 3]}]
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS and wf_ex.output == {"seen": [1, 2, 3]}


def test_a_join_is_one_task_execution_triggered_by_every_arrival():
    r, ex = run(fan_in("all"))
    assert task_names(r, ex).count("merge") == 1
    merge = r.task(ex, "merge")
    assert [t["task_name"] for t in merge.rt.triggered_by] == ["a", "b", "c"]
    assert {t["event"] for t in merge.rt.triggered_by} == {"on_success"}


def test_a_numeric_join_fires_at_that_many_arrivals_and_once_only():
    r, ex = run(fan_in(2), executor=scripted(a=PENDING, b=PENDING, c=PENDING))
    r.complete("b")
    assert r.task(ex, "merge").state == states.WAITING
    r.complete("c")
    merge = r.task(ex, "merge")
    assert merge.state == states.SUCCESS
    assert inputs(r, "merge") == [{"output": [None, 2, 3]}]
    r.complete("a")
    assert task_names(r, ex).count("merge") == 1
    assert len(inputs(r, "merge")) == 1
    assert r.execution(ex).state == states.SUCCESS


def test_join_one_fires_at_the_first_arrival():
    r, ex = run(fan_in("one"), executor=scripted(a=PENDING, b=PENDING, c=PENDING))
    r.complete("c")
    assert inputs(r, "merge") == [{"output": [None, None, 3]}]
    r.complete("a")
    r.complete("b")
    assert task_names(r, ex).count("merge") == 1
    assert r.execution(ex).state == states.SUCCESS


def test_an_arrival_through_on_error_counts():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            ok:
              on-success: [merge]
            bad:
              action: std.fail
              on-error: [merge]
            merge:
              join: all
        """)
    assert r.task_states(ex) == {"ok": states.SUCCESS, "bad": states.ERROR,
                                 "merge": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS


STRANDED = """
version: '2.0'
wf:
  tasks:
    start:
      on-success: [left, right]
    left:
      on-success: [merge]
    right:
      action: std.noop
      on-success:
        - merge: <% false %>
    merge:
      join: all
ON_ERROR
"""


def test_a_join_that_can_never_fire_fails_instead_of_waiting_forever():
    r, ex = run(STRANDED.replace("ON_ERROR", ""))
    merge = r.task(ex, "merge")
    assert merge.state == states.ERROR
    # Mistral names the inbound tasks that did not arrive.
    assert merge.state_info == "Failed by tasks: ['right']"
    assert r.execution(ex).state == states.ERROR
    assert "merge" in r.execution(ex).state_info


def test_a_stranded_join_runs_its_on_error_clause():
    r, ex = run(STRANDED.replace("ON_ERROR", """      on-error: [report]
    report:
      action: std.echo output='stranded'"""))
    assert r.task(ex, "merge").state == states.ERROR
    assert inputs(r, "report") == [{"output": "stranded"}]
    assert r.execution(ex).state == states.SUCCESS


def test_a_branch_failing_before_the_join_strands_it():
    r, ex = run(fan_in("all"), executor=scripted(b=Fail("down")))
    assert r.task(ex, "b").state == states.ERROR
    merge = r.task(ex, "merge")
    assert merge.state == states.ERROR and merge.state_info == "Failed by tasks: ['b']"
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.state_info.startswith("Failure caused by error in tasks: b, merge\n")


def test_a_join_is_not_stranded_while_a_branch_still_runs():
    r, ex = run(fan_in("all"), executor=scripted(a=Fail(), b=PENDING))
    assert r.task(ex, "merge").state == states.WAITING
    assert r.execution(ex).state == states.RUNNING
    r.complete("b")
    assert r.task(ex, "merge").state == states.ERROR
    assert r.execution(ex).state == states.ERROR


def test_a_partial_join_reached_by_enough_branches_is_not_stranded_by_the_others():
    r, ex = run(fan_in(2), executor=scripted(a=Fail()))
    assert r.task(ex, "merge").state == states.SUCCESS
    # a's error is not handled: the workflow fails, but the join did fire.
    assert r.execution(ex).state == states.ERROR
    assert r.execution(ex).state_info.startswith("Failure caused by error in tasks: a\n")

