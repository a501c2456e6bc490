"""The ``revert`` task key: its two forms normalised, and bad ones refused with the
path and line."""

import pytest

from tests.unit.lang.base import dsl_error, line_of, parse_one, wf_body


def task_of(body, name="a"):
    return parse_one(wf_body(body))["tasks"][name]


def test_the_one_line_form_is_an_action_with_inline_input():
    t = task_of("""
        tasks:
          a:
            action: std.echo output=1
            revert: std.echo output="undo it"
    """)
    assert t["revert"] == {"action": "std.echo", "input": {"output": "undo it"}}


def test_the_full_form_names_an_action_or_a_workflow_with_input():
    t = task_of("""
        tasks:
          a:
            action: std.echo output=1
            revert:
              action: std.http url="http://backup.example/restore"
              input:
                body: <% task().result %>
    """)
    assert t["revert"] == {"action": "std.http",
                           "input": {"url": "http://backup.example/restore",
                                     "body": "<% task().result %>"}}
    b = task_of("""
        tasks:
          b:
            action: std.noop
            revert:
              workflow: undo_wf
              input:
                what: <% $.x %>
    """, "b")
    assert b["revert"] == {"workflow": "undo_wf", "input": {"what": "<% $.x %>"}}


def test_a_task_without_revert_has_no_revert_key():
    assert "revert" not in task_of("""
        tasks:
          a:
            action: std.noop
    """)


@pytest.mark.parametrize("revert, message, path, marker", [
    ("revert:\n              inpt: {}", "unexpected key(s): inpt", ("revert", "inpt"),
     "inpt: {}"),
    ("revert:\n              input: {}", "a revert names an 'action' or a 'workflow'",
     ("revert",), "revert:"),
    ("revert:\n              action: std.echo\n              workflow: w",
     "either 'action' or 'workflow'", ("revert",), "revert:"),
    ("revert: 3", "is not of type 'string'", ("revert",), "revert: 3"),
    ("revert: output=1", "cannot read an action or workflow name", ("revert", "action"),
     "revert: output=1"),
    ("revert:\n              action: std.echo\n              input:\n"
     "                output: <% $.x + %>", "Invalid YAQL expression",
     ("revert", "input", "output"), "output: <% $.x + %>"),
])
def test_bad_reverts_are_refused_with_their_path_and_line(revert, message, path, marker):
    text = wf_body("""
        tasks:
          a:
            action: std.noop
            %s
    """ % revert)
    err = dsl_error(text)
    assert message in err.message
    assert err.path == ("wf", "tasks", "a") + path
    assert err.line == line_of(text, marker)
