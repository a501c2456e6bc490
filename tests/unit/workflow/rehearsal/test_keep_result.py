"""keep-result: false publishes from the result, then the stored results go."""

from mistral_svc.workflow import commands, states
from tests.unit.workflow.rehearsal.harness import commands_of, inputs, run

KEEP = """
version: '2.0'
wf:
  output:
    v: <% $.v %>
  tasks:
    t:
      WITH_ITEMS
      action: std.echo output="secret <% $.get(x, 0) %>"
      keep-result: KEEP
      publish:
        v: <% task().result %>
      on-success: [later]
    later:
      action: std.echo output=<% task(t).result %>
"""


def keep(value, items=None):
    with_items = "with-items: x in %s" % items if items else ""
    return KEEP.replace("KEEP", value).replace("WITH_ITEMS", with_items)


def test_false_still_publishes_then_drops_the_action_output():
    r, ex = run(keep("false"))
    task_ex = r.task(ex, "t")
    assert task_ex.published == {"v": "secret 0"}
    (action_ex,) = r.actions_of(task_ex)
    assert action_ex.output is None
    assert [c.task_ex_id for c in commands_of(r, commands.DropResults)] == [task_ex.id]
    # Gone for what follows too, even for a task started in the same step.
    assert inputs(r, "later") == [{"output": None}]
    assert r.execution(ex).output == {"v": "secret 0"}


def test_false_drops_every_item_result():
    r, ex = run(keep("false", items="[1, 2]"))
    task_ex = r.task(ex, "t")
    assert task_ex.published == {"v": ["secret 1", "secret 2"]}
    assert [a.output for a in r.actions_of(task_ex)] == [None, None]
    assert r.execution(ex).state == states.SUCCESS


def test_the_default_keeps_the_result():
    r, ex = run(keep("true"))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    assert action_ex.output == {"result": "secret 0"}
    assert commands_of(r, commands.DropResults) == []
    assert inputs(r, "later") == [{"output": "secret 0"}]
