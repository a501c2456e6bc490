"""A workflow's output: the output section, output-on-error, the final context."""

from mistral_svc.workflow import states
from tests.unit.workflow.rehearsal.harness import Fail, run, scripted

BRANCHES = """
version: '2.0'
wf:
  input:
    - x: 1
  vars:
    y: 2
OUTPUT
  tasks:
    start:
      publish: {s: start}
      on-success: [left, right]
    left:
      publish: {l: left}
    right:
      action: std.echo output="R"
      publish: {r: <% task().result %>}
"""


def with_output(section):
    return BRANCHES.replace("OUTPUT", section)


def test_the_output_section_is_evaluated_in_the_final_context():
    r, ex = run(with_output("""  output:
    all: <% [$.x, $.y, $.s, $.l, $.r] %>
    jinja: "{{ _.l }}-{{ _.r }}"
"""))
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.SUCCESS
    assert wf_ex.output == {"all": [1, 2, "start", "left", "R"], "jinja": "left-R"}


def test_without_an_output_section_the_output_is_what_the_run_published():
    # Mistral 23: neither the input nor the vars, only the final context.
    r, ex = run(with_output(""))
    assert r.execution(ex).output == {"s": "start", "l": "left", "r": "R"}


def test_an_output_that_cannot_be_evaluated_fails_the_workflow():
    r, ex = run(with_output("  output:\n    v: <% $.nothing.deeper %>\n"))
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.state_info.startswith("Failed to evaluate workflow output: ")
    assert wf_ex.output == {"result": wf_ex.state_info, "s": "start", "l": "left",
                            "r": "R"}


def test_a_failed_workflow_outputs_its_error_and_output_on_error():
    r, ex = run(with_output("""  output:
    not: shown
  output-on-error:
    where: <% $.l %>
    x: <% $.x %>
"""), executor=scripted(right=Fail("broken")))
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.output == {"result": wf_ex.state_info, "where": "left", "x": 1}
    assert wf_ex.state_info.startswith("Failure caused by error in tasks: right\n")


def test_a_failed_workflow_without_output_on_error_outputs_its_error_and_publishes():
    r, ex = run(with_output(""), executor=scripted(right=Fail("broken")))
    wf_ex = r.execution(ex)
    assert wf_ex.output == {"result": wf_ex.state_info, "s": "start", "l": "left"}


def test_an_output_on_error_that_cannot_be_evaluated_leaves_the_error():
    r, ex = run(with_output("  output-on-error:\n    v: <% $.nothing.deeper %>\n"),
                executor=scripted(right=Fail("broken")))
    wf_ex = r.execution(ex)
    assert wf_ex.state == states.ERROR
    assert wf_ex.output == {"result": wf_ex.state_info}


def test_the_final_context_takes_the_ends_of_branches_last_published_wins():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            first:
              publish: {v: first, only_first: 1}
              on-success: [middle]
            middle:
              publish: {v: middle}
              on-success: [last]
            last:
              publish: {v: last}
        """)
    assert r.execution(ex).output == {"v": "last", "only_first": 1}
