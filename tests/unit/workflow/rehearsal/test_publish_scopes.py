"""Publishing: branch scope, global scope (publish-global, global()), clause publishes
and which clause wins, publish-on-error."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import PENDING, Fail, inputs, run, scripted


def test_a_publish_belongs_to_its_branch():
    # The example of the language reference: A1 always sees 1 and B1 always 2.
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            A:
              publish: {my_var: 1}
              on-success: A1
            A1:
              action: std.echo output=<% $.my_var %>
            B:
              publish: {my_var: 2}
              on-success: B1
            B1:
              action: std.echo output=<% $.my_var %>
        """)
    assert inputs(r, "A1") == [{"output": 1}]
    assert inputs(r, "B1") == [{"output": 2}]


def test_a_publish_shadows_the_input_for_what_follows_only():
    r, ex = run("""
        version: '2.0'
        wf:
          input:
            - v: input
          tasks:
            first:
              action: std.echo output=<% $.v %>
              publish: {v: published}
              on-success: [second]
            second:
              action: std.echo output=<% $.v %>
        """)
    assert inputs(r, "first") == [{"output": "input"}]
    assert inputs(r, "second") == [{"output": "published"}]
    assert r.execution(ex).context == {"v": "input"}


GLOBAL = """
version: '2.0'
wf:
  tasks:
    A:
      action: std.noop
      on-success:
        publish:
          branch:
            my_var: branch value
          global:
            my_var: global value
        next: A1
    A1:
      action: std.echo
      input:
        output: [<% $.my_var %>, <% global(my_var) %>]
    B:
      action: std.echo
      input:
        output: [<% $.get(my_var) %>, <% global(my_var) %>]
"""


def test_global_publishes_are_read_with_global_and_branch_values_shadow_them():
    r, ex = run(GLOBAL, executor=scripted(B=PENDING))
    assert inputs(r, "A1") == [{"output": ["branch value", "global value"]}]
    assert r.execution(ex).context["__global"] == {"my_var": "global value"}


def test_a_parallel_branch_sees_a_global_published_before_it_starts():
    r, ex = run(GLOBAL.replace("    B:\n      action", "    B:\n      wait-before: 1\n"
                                                      "      action"))
    r.advance(1)
    # The reference: "$.my_var will evaluate to 'global value' if task A completes
    # before task B"; global() reads it without ambiguity.
    assert inputs(r, "B") == [{"output": ["global value", "global value"]}]


def test_global_of_a_name_never_published_is_null():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output=<% global(nothing) %>
        """)
    assert inputs(r, "t") == [{"output": None}]


def test_global_reads_a_workflow_variable_but_not_the_input():
    # Mistral's global() reads the execution's context: vars and global publishes.
    r, ex = run("""
        version: '2.0'
        wf:
          input:
            - i: from input
          vars:
            v: from vars
          tasks:
            t:
              action: std.echo output=<% [global(v), global(i)] %>
        """)
    assert inputs(r, "t") == [{"output": ["from vars", None]}]


def test_a_clause_branch_publish_reaches_the_next_task():
    r, ex = run(GLOBAL)
    assert inputs(r, "A1")[0]["output"][0] == "branch value"


def test_a_clause_publish_of_a_last_task_reaches_the_output():
    r, ex = run("""
        version: '2.0'
        wf:
          output:
            v: <% $.v %>
          tasks:
            t:
              action: std.echo output=7
              on-success:
                publish:
                  branch:
                    v: <% task().result %>
        """)
    assert r.task(ex, "t").published == {"v": 7}
    assert r.execution(ex).output == {"v": 7}


PRECEDENCE = """
version: '2.0'
wf:
  output:
    which: <% $.which %>
    common: <% $.common %>
    always: <% $.always %>
    g: <% global(g) %>
  tasks:
    t:
      action: std.noop
      on-success:
        publish:
          branch:
            which: on-success
            common: from on-success
          global:
            g: on-success
        next: [after]
      on-error:
        publish:
          branch:
            which: on-error
            common: from on-error
        next: [after]
      on-complete:
        publish:
          branch:
            common: from on-complete
            always: on-complete
          global:
            g: on-complete
        next: [after]
    after:
      join: one
"""


def test_on_complete_publish_wins_over_on_success():
    # As Mistral 23 does: clauses publish in the order they run.
    r, ex = run(PRECEDENCE)
    assert r.execution(ex).output == {"which": "on-success", "common": "from on-complete",
                                      "always": "on-complete", "g": "on-complete"}


def test_on_complete_publish_wins_over_on_error():
    r, ex = run(PRECEDENCE, executor=scripted(t=Fail()))
    assert r.execution(ex).state == states.SUCCESS
    assert r.execution(ex).output == {"which": "on-error", "common": "from on-complete",
                                      "always": "on-complete", "g": "on-complete"}


def test_publish_on_error_is_evaluated_on_error_only():
    text = """
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output="fine"
              publish:
                ok: <% task().result %>
              publish-on-error:
                err: <% task().result %>
              on-error: [noop]
        """
    r, ex = run(text)
    assert r.task(ex, "t").published == {"ok": "fine"}
    r, ex = run(text, executor=scripted(t=Fail("bad")))
    assert r.task(ex, "t").published == {"err": "bad"}


def test_a_publish_that_cannot_be_evaluated_fails_the_task_and_the_workflow():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.noop
              publish:
                v: <% $.missing.deeper %>
              on-success: [next]
            next: {}
        """)
    # As Mistral: the task and the workflow fail at once, next is never created.
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info.startswith("Failed to handle action completion [error=")
    assert task_ex.state_info.endswith(", wf=wf, task=t, action=std.noop]")
    assert task_ex.published == {}
    assert r.task_states(ex) == {"t": states.ERROR}
    assert r.execution(ex).state_info == task_ex.state_info


def test_the_task_and_every_clause_publish_into_the_task():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            main:
              publish:
                x1: 111
              on-complete:
                next: complete
                publish:
                  branch:
                    x3: 333
              on-success:
                next: success
                publish:
                  branch:
                    x2: 222
            success:
              action: std.echo output=<% [$.x1, $.x2, $.x3] %>
            complete:
              action: std.echo output=<% [$.x1, $.x2, $.x3] %>
        """)
    assert r.task(ex, "main").published == {"x1": 111, "x2": 222, "x3": 333}
    assert inputs(r, "success") == [{"output": [111, 222, 333]}]
    assert inputs(r, "complete") == [{"output": [111, 222, 333]}]


def test_a_global_is_read_through_the_context_too():
    r, ex = run("""
        version: '2.0'
        wf:
          input:
            - my_var: input value
          tasks:
            task1:
              action: std.echo output="Hi"
              on-success:
                publish:
                  global:
                    my_var: <% task().result %>
                next: [task2]
            task2:
              action: std.echo output=<% $.my_var %>
        """)
    assert inputs(r, "task2") == [{"output": "Hi"}]


def test_on_a_clash_the_task_publish_wins_over_its_state_clause_and_on_complete_over_both():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.noop
              publish:
                a: task
                b: task
              on-success:
                publish:
                  branch:
                    a: success
                    b: success
                    s: success
                next: [u]
              on-complete:
                publish:
                  branch:
                    b: complete
            u:
              action: std.echo output=<% [$.a, $.b, $.s] %>
        """)
    assert r.task(ex, "t").published == {"a": "task", "b": "complete", "s": "success"}
    assert inputs(r, "u") == [{"output": ["task", "complete", "success"]}]
