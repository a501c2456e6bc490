"""Skipping a failed task: it ends SKIPPED, publishes ``publish-on-skip`` and the
execution goes on through ``on-skip`` (or, when on-skip leads nowhere, ``on-success``),
as Mistral 23 does."""

import pytest

from mistral_svc.workflow import states
from mistral_svc.workflow.errors import Refused
from tests.unit.workflow.rehearsal.harness import run


def _skip(r, ex, name):
    r.skip(r.task(ex, name).id)
    return r.task(ex, name)


def test_on_skip_is_followed_and_on_success_is_not():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.fail
              on-skip: t2
              on-success: t3
              on-complete: t4
            t2: {}
            t3: {}
            t4: {}
        """)
    # on-complete ran when t1 failed; nothing of on-skip ran yet.
    assert r.task_states(ex) == {"t1": states.ERROR, "t4": states.SUCCESS}
    assert _skip(r, ex, "t1").state == states.SKIPPED
    assert r.task_states(ex) == {"t1": states.SKIPPED, "t2": states.SUCCESS,
                                 "t4": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS


def test_without_a_fired_on_skip_a_skip_follows_on_success():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.fail
              on-skip:
                - never: <% false %>
              on-success: t3
            never: {}
            t3: {}
        """)
    _skip(r, ex, "t1")
    assert r.task_states(ex) == {"t1": states.SKIPPED, "t3": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS


def test_publish_on_skip_replaces_what_publish_on_error_published():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t0:
              action: std.noop
              on-success: t1
            t1:
              action: std.fail
              publish:
                success: 1
              publish-on-error:
                error: 1
              publish-on-skip:
                skip: 1
                state: <% task().state %>
              on-skip: t2
            t2:
              action: std.echo output=<% $.skip %>
              publish:
                seen: <% task().result %>
        """)
    assert r.task(ex, "t1").published == {"error": 1}
    assert _skip(r, ex, "t1").published == {"skip": 1, "state": states.SKIPPED}
    assert r.task(ex, "t2").published == {"seen": 1}
    assert r.execution(ex).output == {"skip": 1, "state": states.SKIPPED, "seen": 1}


def test_without_publish_on_skip_the_task_keeps_its_error_publish():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.fail
              publish-on-error:
                error: 1
        """)
    assert _skip(r, ex, "t1").published == {"error": 1}
    assert r.execution(ex).output == {"error": 1}


def test_task_defaults_give_on_skip_and_an_on_skip_target_is_not_a_start_task():
    r, ex = run("""
        version: '2.0'
        wf:
          task-defaults:
            on-skip: [cleanup]
          tasks:
            t1:
              action: std.fail
            cleanup: {}
        """)
    assert r.task_states(ex) == {"t1": states.ERROR}
    _skip(r, ex, "t1")
    assert r.task_states(ex) == {"t1": states.SKIPPED, "cleanup": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS


def test_retry_does_not_stand_in_the_way_of_a_skip():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.fail
              retry:
                count: 2
                delay: 0
              on-skip: after
            after: {}
        """)
    assert r.execution(ex).state == states.ERROR
    _skip(r, ex, "t1")
    assert r.task_states(ex) == {"t1": states.SKIPPED, "after": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS


def test_a_publish_on_skip_that_cannot_be_evaluated_refuses_the_skip():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.fail
              publish-on-skip:
                x: <% $.missing.key %>
        """)
    with pytest.raises(Refused, match="publish-on-skip"):
        _skip(r, ex, "t1")
    assert r.task(ex, "t1").state == states.ERROR
    assert r.execution(ex).state == states.ERROR


def test_skipping_a_failed_task_of_a_sub_workflow_brings_the_parent_back():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            call:
              workflow: child
              on-success: after
            after: {}
        child:
          tasks:
            c:
              action: std.fail
              on-skip: c2
            c2: {}
        """)
    assert r.execution(ex).state == states.ERROR
    (child,) = r.children(r.task(ex, "call"))
    r.skip(r.task(child.id, "c").id)
    assert r.task_states(child.id) == {"c": states.SKIPPED, "c2": states.SUCCESS}
    assert r.execution(child.id).state == states.SUCCESS
    assert r.task_states(ex) == {"call": states.SUCCESS, "after": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS


def test_skipping_a_failed_workflow_task_lets_the_parent_go_on():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            call:
              workflow: child
              on-skip: after
            after: {}
        child:
          tasks:
            c:
              action: std.fail
        """)
    _skip(r, ex, "call")
    assert r.task_states(ex) == {"call": states.SKIPPED, "after": states.SUCCESS}
    assert r.execution(ex).state == states.SUCCESS


def test_a_skipped_task_publishes_its_on_complete_without_following_it():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.fail
              on-complete:
                publish:
                  branch:
                    done: <% task().state %>
                next: [finally]
            finally: {}
        """)
    assert r.task_states(ex) == {"t1": states.ERROR, "finally": states.SUCCESS}
    finally_ex = r.task(ex, "finally")
    assert _skip(r, ex, "t1").published == {"done": states.SKIPPED}
    # on-complete already ran when t1 failed; the skip does not run it again.
    assert [t.id for t in r.tasks(ex, "finally")] == [finally_ex.id]
