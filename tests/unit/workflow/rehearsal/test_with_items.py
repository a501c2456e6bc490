"""with-items: one action per item, item order, concurrency, empty lists, failed items."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, inputs, run, scripted

GREET = """
version: '2.0'
wf:
  input:
    - names
    - concurrency: 0
  output:
    greetings: <% $.greetings %>
  tasks:
    greet:
      with-items: name in <% $.names %>
      concurrency: <% $.concurrency %>
      action: std.echo output="Hi <% $.name %>"
      publish:
        greetings: <% task().result %>
"""


def test_one_action_per_item_all_sent_at_once():
    r, ex = run(GREET, wf_input={"names": ["a", "b", "c"]}, executor=scripted(greet=PENDING))
    assert inputs(r, "greet") == [{"output": "Hi a"}, {"output": "Hi b"}, {"output": "Hi c"}]
    assert [a.rt.index for a in r.actions_of(r.task(ex, "greet"))] == [0, 1, 2]
    assert r.task(ex, "greet").rt.count == 3


def test_results_keep_the_item_order_whatever_order_they_arrive_in():
    r, ex = run(GREET, wf_input={"names": ["a", "b", "c", "d"]},
                executor=scripted(greet=PENDING))
    for index in (2, 0, 3):
        r.complete("greet", data="Hi %d" % index, index=index)
        assert r.task(ex, "greet").state == states.RUNNING
    r.complete("greet", data="Hi 1", index=1)
    assert r.task(ex, "greet").state == states.SUCCESS
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS
    assert wf_ex.output == {"greetings": ["Hi 0", "Hi 1", "Hi 2", "Hi 3"]}


def test_concurrency_limits_the_items_running_at_once_and_keeps_their_order():
    r, ex = run(GREET, wf_input={"names": ["a", "b", "c", "d", "e"], "concurrency": 2},
                executor=scripted(greet=PENDING))
    task_ex = r.task(ex, "greet")
    assert inputs(r, "greet") == [{"output": "Hi a"}, {"output": "Hi b"}]
    assert [a.state for a in r.actions_of(task_ex)] == [
        states.RUNNING, states.RUNNING, states.IDLE, states.IDLE, states.IDLE]
    r.complete("greet", index=1, data="B")
    assert [i["output"] for i in inputs(r, "greet")] == ["Hi a", "Hi b", "Hi c"]
    r.complete("greet", index=0, data="A")
    r.complete("greet", index=2, data="C")
    assert [i["output"] for i in inputs(r, "greet")] == ["Hi a", "Hi b", "Hi c", "Hi d",
                                                         "Hi e"]
    running = [a for a in r.actions_of(r.task(ex, "greet")) if a.state == states.RUNNING]
    assert [a.rt.index for a in running] == [3, 4]
    r.complete("greet", index=4, data="E")
    r.complete("greet", index=3, data="D")
    assert r.execution(ex).output == {"greetings": ["A", "B", "C", "D", "E"]}


def test_concurrency_above_the_item_count_sends_every_item():
    r, ex = run(GREET, wf_input={"names": ["a", "b"], "concurrency": 5},
                executor=scripted(greet=PENDING))
    assert len(inputs(r, "greet")) == 2


def test_an_empty_list_succeeds_at_once_with_an_empty_result():
    r, ex = run(GREET, wf_input={"names": []})
    assert inputs(r, "greet") == []
    assert r.task(ex, "greet").state == states.SUCCESS
    assert r.execution(ex).output == {"greetings": []}


def test_a_failed_item_fails_the_task_once_every_item_is_done():
    r, ex = run(GREET, wf_input={"names": ["a", "b", "c"]},
                executor=scripted(greet=lambda a: Fail("no") if a.rt.index == 1 else PENDING))
    task_ex = r.task(ex, "greet")
    assert task_ex.state == states.RUNNING
    r.complete("greet", index=0, data="A")
    assert r.task(ex, "greet").state == states.RUNNING
    r.complete("greet", index=2, data="C")
    task_ex = r.task(ex, "greet")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == "One or more items of the with-items task failed"
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    (failed,) = [a for a in r.actions_of(task_ex) if a.state == states.ERROR]
    assert "[action_ex_id=%s, idx=1]: no" % failed.id in wf_ex.state_info


def test_a_failed_item_publishes_on_error_with_every_item_result():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              with-items: x in [1, 2, 3]
              action: std.echo output=<% $.x %>
              publish-on-error:
                results: <% task().result %>
              on-error: [noop]
        """, executor=scripted(t=lambda a: Fail("bad %s" % a.input["output"])
                               if a.input["output"] == 2 else a.input["output"]))
    assert r.task(ex, "t").published == {"results": [1, "bad 2", 3]}
    assert r.execution(ex).state == states.SUCCESS


def test_two_lists_are_walked_in_step():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              with-items:
                - x in [1, 2, 3]
                - y in <% ['a', 'b', 'c'] %>
              action: std.echo output="<% $.x %><% $.y %>"
              publish:
                r: <% task().result %>
        """)
    assert r.task(ex, "t").published == {"r": ["1a", "2b", "3c"]}


def test_lists_of_different_lengths_fail_the_task_clearly():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              with-items:
                - x in [1, 2]
                - y in [1]
              action: std.noop
        """)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == (
        "Failed to run task [error=with-items lists must have the same length, got [1, 2], "
        "wf=wf, task=t]")
    assert inputs(r, "t") == []


def test_something_else_than_a_list_fails_the_task():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              with-items: x in <% 5 %>
              action: std.noop
        """)
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == (
        "Failed to run task [error=with-items expects a list for 'x', got int, wf=wf, "
        "task=t]")


def test_a_concurrency_that_is_not_a_number_fails_the_task():
    r, ex = run(GREET, wf_input={"names": ["a"], "concurrency": "many"})
    task_ex = r.task(ex, "greet")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info.startswith(
        "Failed to run task [error=concurrency must be a number, got 'many', wf=")


def test_item_variables_do_not_leak_into_what_follows():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              with-items: x in [1, 2]
              action: std.echo output=<% $.x %>
              on-success: [after]
            after:
              action: std.echo output=<% $.get(x, 'none') %>
        """)
    assert inputs(r, "after") == [{"output": "none"}]
    assert r.execution(ex).state == states.SUCCESS
