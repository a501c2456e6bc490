"""Workflow tasks: a sub-workflow's input, output and failure, with-items over
sub-workflows, and pause, resume and cancel cascading between parent and child."""


from mistral_svc.workflow import commands, states
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, commands_of, inputs, \
    run, scripted

CHILD = """
version: '2.0'
child:
  input:
    - x
  output:
    doubled: <% $.x * 2 %>
    region: <% env().get(region) %>
  tasks:
    work:
      action: std.echo output=<% $.x %>
      on-success: [more]
    more: {}
"""

PARENT = CHILD + """
parent:
  output:
    r: <% $.get(r) %>
  tasks:
    call:
      workflow: child x=21
      publish:
        r: <% task().result.doubled %>
      on-error: [report]
    report:
      action: std.echo output=<% task(call).state_info %>
"""


def test_the_child_output_becomes_the_task_result():
    r, ex = run(PARENT, name="parent", params={"env": {"region": "north"}})
    call = r.task(ex, "call")
    assert call.type == "WORKFLOW" and call.state == states.SUCCESS
    (child,) = r.children(call)
    assert child.workflow_name == "child" and child.input == {"x": 21}
    assert child.task_execution_id == call.id and child.root_execution_id == ex
    assert child.output == {"doubled": 42, "region": "north"}
    assert r.result(call) == {"doubled": 42, "region": "north"}
    assert r.execution(ex).output == {"r": 42}
    assert inputs(r, "work", wf_ex_id=child.id) == [{"output": 21}]


def test_the_parent_task_runs_while_the_child_runs():
    r, ex = run(PARENT, name="parent", executor=scripted(work=PENDING))
    (child,) = r.children(r.task(ex, "call"))
    assert r.task(ex, "call").state == states.RUNNING
    assert r.execution(ex).state == states.RUNNING
    r.complete("work", data=5, wf_ex_id=child.id)
    assert r.execution(child.id).state == states.SUCCESS
    assert [type(c).__name__ for c in commands_of(r, commands.NotifyParent)] == [
        "NotifyParent"]
    assert r.execution(ex).state == states.SUCCESS


def test_a_failed_child_fails_the_task_with_the_child_state_info():
    r, ex = run(PARENT, name="parent", executor=scripted(work=Fail("deep trouble")))
    (child,) = r.children(r.task(ex, "call"))
    assert child.state == states.ERROR
    call = r.task(ex, "call")
    assert call.state == states.ERROR
    assert call.state_info == child.state_info
    assert "deep trouble" in call.state_info
    assert inputs(r, "report") == [{"output": child.state_info}]
    assert r.execution(ex).state == states.SUCCESS


def test_a_child_that_cannot_start_fails_the_task():
    r, ex = run(PARENT.replace("workflow: child x=21", "workflow: child y=1"),
                name="parent")
    call = r.task(ex, "call")
    assert r.children(call) == []
    assert call.state == states.ERROR
    assert call.state_info == ("Failed to run task [error=Invalid input [name=child, "
                               "class=WorkflowSpec, missing=['x'], unexpected=['y']], "
                               "wf=parent, task=call]")
    assert r.execution(ex).state == states.ERROR


def test_an_unknown_workflow_fails_the_task():
    r, ex = run(PARENT.replace("workflow: child x=21", "workflow: nowhere"),
                name="parent")
    call = r.task(ex, "call")
    assert call.state == states.ERROR
    assert call.state_info == ("Failed to run task [error=Workflow not found "
                               "[name=nowhere], wf=parent, task=call]")


def test_a_workflow_named_by_an_expression():
    r, ex = run(PARENT.replace("workflow: child x=21", "workflow: <% 'child' %> x=1"),
                name="parent")
    assert r.execution(ex).output == {"r": 2}


ITEMS = CHILD + """
parent:
  output:
    r: <% $.r %>
  tasks:
    call:
      with-items: i in [1, 2, 3]
      workflow: child
      input:
        x: <% $.i %>
      publish:
        r: <% task().result.select($.doubled) %>
"""


def test_with_items_starts_one_child_per_item_and_keeps_the_item_order():
    r, ex = run(ITEMS, name="parent", executor=scripted(work=PENDING))
    call = r.task(ex, "call")
    children = r.children(call)
    assert [c.input for c in children] == [{"x": 1}, {"x": 2}, {"x": 3}]
    assert [c.params["index"] for c in children] == [0, 1, 2]
    for child in reversed(children):
        r.complete("work", data=None, wf_ex_id=child.id)
        if child is not children[0]:
            assert r.task(ex, "call").state == states.RUNNING
    assert r.task(ex, "call").state == states.SUCCESS
    assert r.execution(ex).output == {"r": [2, 4, 6]}


def test_with_items_fails_the_task_when_a_child_fails():
    r, ex = run(ITEMS, name="parent",
                executor=scripted(work=lambda a: Fail("no") if a.input["output"] == 2
                                  else None))
    call = r.task(ex, "call")
    assert call.state == states.ERROR
    assert call.state_info == "One or more items of the with-items task failed"
    assert [c.state for c in r.children(call)] == [states.SUCCESS, states.ERROR,
                                                  states.SUCCESS]
    assert r.execution(ex).state == states.ERROR


def test_concurrency_paces_the_children_of_a_with_items_task():
    # The reference: concurrency is the number of actions (or workflows, for nested
    # workflows) of a task running at once.
    r, ex = run(ITEMS.replace("      workflow: child\n",
                              "      workflow: child\n      concurrency: 1\n"),
                name="parent", executor=scripted(work=PENDING))
    call = r.task(ex, "call")
    assert len(r.children(call)) == 1
    for started in (1, 2, 3):
        (running,) = [c for c in r.children(call) if c.state == states.RUNNING]
        assert len(r.children(call)) == started
        r.complete("work", data="done", wf_ex_id=running.id)
    assert [c.state for c in r.children(call)] == [states.SUCCESS] * 3
    assert r.execution(ex).state == states.SUCCESS


def test_with_items_over_an_empty_list_starts_no_child():
    r, ex = run(ITEMS.replace("[1, 2, 3]", "[]"), name="parent")
    assert r.children(r.task(ex, "call")) == []
    assert r.execution(ex).output == {"r": []}


def test_a_grandchild_has_the_top_execution_as_its_root():
    r, ex = run(PARENT + """
top:
  tasks:
    go:
      workflow: parent
""", name="top")
    (middle,) = r.children(r.task(ex, "go"))
    (bottom,) = r.children(r.task(middle.id, "call"))
    assert middle.root_execution_id == ex and bottom.root_execution_id == ex
    assert r.execution(ex).state == states.SUCCESS


def test_pausing_the_parent_pauses_the_child_and_resume_runs_both_to_the_end():
    r, ex = run(PARENT, name="parent", executor=scripted(work=PENDING))
    (child,) = r.children(r.task(ex, "call"))
    r.pause(ex)
    assert r.execution(ex).state == states.PAUSED
    assert r.execution(child.id).state == states.PAUSED
    r.complete("work", data=1, wf_ex_id=child.id)
    # The child's next task waits for the resume.
    assert r.task_states(child.id) == {"work": states.SUCCESS}
    r.resume(ex)
    assert r.execution(child.id).state == states.SUCCESS
    assert r.task_states(child.id) == {"work": states.SUCCESS, "more": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS


def test_resuming_the_child_resumes_its_paused_parent():
    r, ex = run(PARENT, name="parent", executor=scripted(work=PENDING))
    (child,) = r.children(r.task(ex, "call"))
    r.pause(ex)
    r.resume(child.id)
    assert r.execution(ex).state == states.RUNNING
    r.complete("work", data=1, wf_ex_id=child.id)
    assert r.execution(ex).state == states.SUCCESS


def test_cancelling_the_parent_cancels_the_child():
    r, ex = run(PARENT, name="parent", executor=scripted(work=PENDING))
    (child,) = r.children(r.task(ex, "call"))
    r.stop(ex, states.CANCELLED, "not needed")
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.CANCELLED and wf_ex.state_info == "not needed"
    assert r.task(ex, "call").state == states.CANCELLED
    child = r.execution(child.id)
    assert child.state == states.CANCELLED and child.state_info == "not needed"
    assert r.task(child.id, "work").state == states.CANCELLED


def test_a_child_cancelled_on_its_own_cancels_the_parent_task():
    r, ex = run(PARENT, name="parent", executor=scripted(work=PENDING))
    (child,) = r.children(r.task(ex, "call"))
    r.stop(child.id, states.CANCELLED)
    call = r.task(ex, "call")
    assert call.state == states.CANCELLED
    assert r.task_states(ex) == {"call": states.CANCELLED}
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.CANCELLED
    assert wf_ex.state_info == "Cancelled tasks: call"


def test_a_sub_workflow_is_looked_up_in_the_parent_namespace_first():
    from mistral_svc.workflow.rehearsing import Rehearsal

    named = """
        version: '2.0'
        child:
          output:
            where: NAME
          tasks:
            t: {}
        """
    r = Rehearsal(named.replace("NAME", "default"))
    r.define(named.replace("NAME", "ns"), namespace="ns")
    r.define("""
        version: '2.0'
        parent:
          tasks:
            call:
              workflow: child
              publish:
                a: <% task().result.where %>
              on-success: [other]
            other:
              workflow: only_default
              publish:
                b: <% task().result.where %>
        """, namespace="ns")
    r.define("""
        version: '2.0'
        only_default:
          output:
            where: only default
          tasks:
            t: {}
        """)
    ex = r.start("parent", namespace="ns")
    assert r.execution(ex).workflow_namespace == "ns"
    assert r.task(ex, "call").published == {"a": "ns"}
    assert r.task(ex, "other").published == {"b": "only default"}
    (child,) = r.children(r.task(ex, "call"))
    assert child.workflow_namespace == "ns"
    (other,) = r.children(r.task(ex, "other"))
    assert other.workflow_namespace == ""


PAUSING_CHILD = """
version: '2.0'
child:
  tasks:
    work:
      action: std.noop
      on-success: [pause, more]
    more: {}
parent:
  tasks:
    call:
      workflow: child
"""


def test_a_child_that_pauses_itself_pauses_its_parent():
    r, ex = run(PAUSING_CHILD, name="parent")
    (child,) = r.children(r.task(ex, "call"))
    assert r.execution(child.id).state == states.PAUSED
    assert r.execution(ex).state == states.PAUSED
    r.resume(child.id)
    assert r.execution(child.id).state == states.SUCCESS
    assert r.execution(ex).state == states.SUCCESS


FAILING_CHILD = """
version: '2.0'
child:
  tasks:
    work:
      action: std.echo output=1
parent:
  tasks:
    call:
      workflow: child
"""


def test_rerunning_a_failed_child_task_brings_the_parent_back():
    r, ex = run(FAILING_CHILD, name="parent", executor=scripted(work=Fail("first")))
    call = r.task(ex, "call")
    (child,) = r.children(call)
    assert (r.execution(child.id).state, r.execution(ex).state) == (states.ERROR,
                                                                    states.ERROR)
    r.executor = scripted()
    r.rerun(r.task(child.id, "work").id)
    assert r.execution(child.id).state == states.SUCCESS
    assert r.task(ex, "call").state == states.SUCCESS
    assert r.execution(ex).state == states.SUCCESS
