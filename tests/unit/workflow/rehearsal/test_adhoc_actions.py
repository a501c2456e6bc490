"""Ad-hoc actions in tasks: the base action runs with the base-input, the result is
reshaped by the output, input is checked against the declared one."""

from mistral_svc.workflow import states
from mistral_svc.workflow.rehearsing import Rehearsal
from tests.unit.workflow.rehearsal.harness import Fail, scripted, sent

ACTIONS = """
version: '2.0'
greet:
  input:
    - name
    - greeting: Hello
  base: std.echo
  base-input:
    output:
      text: <% $.greeting %>, <% $.name %>
  output: <% $.text %>
shout:
  input: [name]
  base: greet name=<% $.name %>
  output: <% $.toUpper() %>
"""

WORKFLOW = """
version: '2.0'
wf:
  input:
    - action: greet
    - params: {name: Ann}
  tasks:
    t:
      action: <% $.action %>
      input: <% $.params %>
      publish:
        said: <% task().result %>
"""


def rehearse(executor=None, **wf_input):
    r = Rehearsal(WORKFLOW, **({"executor": executor} if executor else {}))
    r.define_actions(ACTIONS)
    ex = r.start("wf", wf_input)
    return r, ex


def test_the_base_runs_with_the_base_input_and_the_output_reshapes_the_result():
    r, ex = rehearse()
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    # The action execution is the ad-hoc one, with the task's input.
    assert sent(r) == [("greet", {"name": "Ann"})]
    assert action_ex.rt.adhoc == {"base": "std.echo",
                                  "base_input": {"output": {"text": "Hello, Ann"}},
                                  "outputs": ["<% $.text %>"]}
    assert action_ex.output == {"result": "Hello, Ann"}
    assert r.task(ex, "t").published == {"said": "Hello, Ann"}


def test_an_ad_hoc_action_over_another_applies_the_outputs_innermost_first():
    r, ex = rehearse(action="shout")
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    assert action_ex.rt.adhoc["base"] == "std.echo"
    assert action_ex.rt.adhoc["outputs"] == ["<% $.text %>", "<% $.toUpper() %>"]
    assert r.task(ex, "t").published == {"said": "HELLO, ANN"}


def test_input_the_action_does_not_declare_fails_the_task_and_the_workflow():
    r, ex = rehearse(params={"name": "Ann", "mood": "good"})
    task_ex = r.task(ex, "t")
    assert task_ex.state == states.ERROR
    assert task_ex.state_info == (
        "Failed to run task [error=Invalid input [name=greet, class=AdHocAction, "
        "unexpected=['mood']], wf=wf, task=t]")
    assert r.execution(ex).state == states.ERROR
    assert sent(r) == []


def test_a_missing_input_fails_the_task():
    r, ex = rehearse(params={})
    assert r.task(ex, "t").state_info == (
        "Failed to run task [error=Invalid input [name=greet, class=AdHocAction, "
        "missing=['name']], wf=wf, task=t]")


def test_an_output_that_cannot_be_evaluated_fails_the_action():
    r, ex = rehearse(executor=scripted(t="not a mapping"))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    assert action_ex.state == states.ERROR
    assert action_ex.state_info.startswith(
        "Failed to evaluate the output of an ad-hoc action: ")
    assert r.task(ex, "t").state == states.ERROR
    assert r.execution(ex).state == states.ERROR


def test_a_failed_base_action_fails_without_reshaping():
    r, ex = rehearse(executor=scripted(t=Fail("smtp down")))
    (action_ex,) = r.actions_of(r.task(ex, "t"))
    assert action_ex.output == {"result": "smtp down"}
    assert r.task(ex, "t").state_info == "smtp down"
