"""retry: count, delay (on the injected clock), break-on, continue-on, with-items."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import Fail, inputs, run, scheduled, scripted, \
    task_names


def retrying(policy, action="std.fail", extra=""):
    return """
version: '2.0'
wf:
  input:
    - n: 2
  tasks:
    t:
      action: %s
      retry:
%s
      on-error: [handler]
      on-success: [next]
%s
    handler:
      action: std.noop
    next:
      action: std.noop
""" % (action, "\n".join("        " + line for line in policy.splitlines()), extra)


def test_a_failing_task_runs_count_plus_one_times_then_fails():
    r, ex = run(retrying("count: 3"))
    task_ex = r.task(ex, "t")
    assert len(r.actions_of(task_ex)) == 4
    assert task_ex.rt.retry_no == 3
    assert task_ex.state == states.ERROR
    assert task_names(r, ex) == ["t", "handler"]
    # Every attempt but the last is set aside.
    assert [a.accepted for a in r.actions_of(task_ex)] == [False, False, False, True]


def test_a_retry_that_succeeds_moves_on_once():
    r, ex = run(retrying("count: 5", action="std.echo output=1"),
                executor=scripted(t=[Fail("1"), Fail("2"), "third time"]))
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.SUCCESS and task_ex.state_info is None
    assert len(r.actions_of(task_ex)) == 3
    assert r.result(task_ex) == "third time"
    assert task_names(r, ex) == ["t", "next"]
    assert r.execution(ex).state == states.SUCCESS


def test_a_delay_waits_on_the_clock_between_attempts():
    r, ex = run(retrying("count: 2\ndelay: 10"))
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.RUNNING_DELAYED
    assert len(r.actions_of(task_ex)) == 1
    assert scheduled(r) == [("task_retry", 10)]
    r.advance(9)
    assert len(r.actions_of(r.task(ex, "t"))) == 1
    r.advance(1)
    assert len(r.actions_of(r.task(ex, "t"))) == 2
    assert r.task(ex, "t").state == states.RUNNING_DELAYED
    r.advance(10)
    task_ex = r.task(ex, "t")
    assert len(r.actions_of(task_ex)) == 3
    assert task_ex.state == states.ERROR
    assert r.timers == {}
    assert scheduled(r) == [("task_retry", 10), ("task_retry", 10)]


def test_break_on_stops_retrying_at_once():
    r, ex = run(retrying("count: 5\nbreak-on: <% task().result = 'fatal' %>"),
                executor=scripted(t=[Fail("flaky"), Fail("fatal"), Fail("flaky")]))
    task_ex = r.task(ex, "t")
    assert len(r.actions_of(task_ex)) == 2
    assert task_ex.state == states.ERROR and task_ex.state_info == "fatal"


def test_continue_on_repeats_a_successful_task_until_it_turns_false():
    r, ex = run(retrying("count: 10\ncontinue-on: <% task().result < 3 %>",
                         action="std.echo output=0"),
                executor=scripted(t=[1, 2, 3, 4]))
    task_ex = r.task(ex, "t")
    assert len(r.actions_of(task_ex)) == 3
    assert task_ex.state == states.SUCCESS
    assert r.result(task_ex) == 3
    assert task_names(r, ex) == ["t", "next"]


def test_continue_on_stops_at_the_count():
    r, ex = run(retrying("count: 2\ncontinue-on: <% true %>", action="std.echo output=0"))
    assert len(r.actions_of(r.task(ex, "t"))) == 3
    assert r.task(ex, "t").state == states.SUCCESS


def test_the_one_line_form_and_expressions_in_the_policy():
    r, ex = run("""
        version: '2.0'
        wf:
          input:
            - n: 2
          tasks:
            t:
              action: std.fail
              retry: count=<% $.n %> delay=1
        """)
    assert r.task(ex, "t").state == states.RUNNING_DELAYED
    r.advance(1)
    r.advance(1)
    assert len(r.actions_of(r.task(ex, "t"))) == 3
    assert r.task(ex, "t").state == states.ERROR


def test_a_policy_given_as_one_expression():
    r, ex = run("""
        version: '2.0'
        wf:
          input:
            - policy: {count: 1}
          tasks:
            t:
              action: std.fail
              retry: <% $.policy %>
        """)
    assert len(r.actions_of(r.task(ex, "t"))) == 2


def test_a_bad_count_fails_the_task_with_a_clear_message():
    r, ex = run(retrying("count: <% -1 %>"))
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == "retry count must not be negative, got -1"
    assert len(r.actions_of(task_ex)) == 1


def test_publish_on_error_and_on_error_happen_after_the_last_attempt_only():
    r, ex = run(retrying("count: 2", extra="      publish-on-error:\n"
                                           "        attempts: <% task().result %>"),
                executor=scripted(t=[Fail("first"), Fail("second"), Fail("last")]))
    assert r.task(ex, "t").published == {"attempts": "last"}
    assert task_names(r, ex) == ["t", "handler"]


def test_retrying_a_with_items_task_runs_every_item_again():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              with-items: x in [1, 2]
              action: std.echo output=<% $.x %>
              retry:
                count: 1
        """, executor=scripted(t=[1, Fail("no"), 1, 2]))
    task_ex = r.task(ex, "t")
    assert inputs(r, "t") == [{"output": 1}, {"output": 2}, {"output": 1}, {"output": 2}]
    assert task_ex.state == states.SUCCESS
    assert r.result(task_ex) == [1, 2]
