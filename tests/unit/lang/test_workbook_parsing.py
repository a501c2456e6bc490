"""Workbooks: qualified names, and short references resolved to the workbook's own
workflows and actions."""

import pytest

from mistral_svc import lang

WB = """\
version: '2.0'
name: my_wb
description: a workbook
tags: [a, b]
actions:
  greet:
    base: std.echo
    base-input:
      output: "hi <% $.who %>"
    input: [who]
  loud_greet:
    base: greet who="ALL"
  echo:
    base: echo
workflows:
  main:
    input: [x]
    tasks:
      call_sub:
        workflow: sub x=<% $.x %>
        on-success: [use_local_action]
      use_local_action:
        action: greet who="me"
        on-success: [use_std]
      use_std:
        action: std.noop
        on-success: [use_global_wf]
      use_global_wf:
        workflow: some_global_wf
        on-success: [already_qualified]
      already_qualified:
        workflow: my_wb.sub
        on-success: [dynamic]
      dynamic:
        action: <% $.x %>
  sub:
    input: [x]
    tasks:
      t:
        action: echo
"""


def _tasks(wb, name):
    return next(w for w in wb["workflows"] if w["name"] == name)["tasks"]


def test_names_are_qualified_and_metadata_kept():
    wb = lang.parse_workbook(WB)
    assert wb["name"] == "my_wb"
    assert wb["description"] == "a workbook"
    assert wb["tags"] == ["a", "b"]
    assert sorted(w["name"] for w in wb["workflows"]) == ["my_wb.main", "my_wb.sub"]
    assert sorted(a["name"] for a in wb["actions"]) == [
        "my_wb.echo", "my_wb.greet", "my_wb.loud_greet"]


def test_short_references_point_into_the_workbook():
    tasks = _tasks(lang.parse_workbook(WB), "my_wb.main")
    assert tasks["call_sub"]["workflow"] == "my_wb.sub"
    assert tasks["call_sub"]["input"] == {"x": "<% $.x %>"}
    assert tasks["use_local_action"]["action"] == "my_wb.greet"
    assert tasks["use_local_action"]["input"] == {"who": "me"}


def test_other_references_are_left_alone():
    wb = lang.parse_workbook(WB)
    tasks = _tasks(wb, "my_wb.main")
    assert tasks["use_std"]["action"] == "std.noop"
    assert tasks["use_global_wf"]["workflow"] == "some_global_wf"
    assert tasks["already_qualified"]["workflow"] == "my_wb.sub"
    assert tasks["dynamic"]["action"] == "<% $.x %>"
    # A workbook action shadows a global action of the same short name.
    assert _tasks(wb, "my_wb.sub")["t"]["action"] == "my_wb.echo"


def test_action_bases_point_into_the_workbook_but_not_at_themselves():
    actions = {a["name"]: a for a in lang.parse_workbook(WB)["actions"]}
    assert actions["my_wb.greet"]["base"] == "std.echo"
    assert actions["my_wb.loud_greet"]["base"] == "my_wb.greet"
    assert actions["my_wb.loud_greet"]["base-input"] == {"who": "ALL"}
    # "echo: base: echo" means the global action echo, not a loop on itself.
    assert actions["my_wb.echo"]["base"] == "echo"


def test_workbook_with_only_actions():
    wb = lang.parse_workbook(
        "version: '2.0'\nname: acts\nactions:\n  a:\n    base: std.noop\n")
    assert wb["workflows"] == [] and [a["name"] for a in wb["actions"]] == ["acts.a"]


@pytest.mark.parametrize("text, where", [
    ("version: '2.0'\nworkflows: {}\n", "name"),
    ("version: '2.0'\nname: x\nbogus: 1\n", "bogus"),
    ("version: '1.0'\nname: x\n", "version"),
    ("version: '2.0'\nname: x\nworkflows:\n  w:\n    tasks:\n      a:\n"
     "        on-success: [nowhere]\n", "line 7"),
    ("version: '2.0'\nname: x\nactions:\n  a:\n    input: [p]\n", "base"),
])
def test_invalid_workbooks_name_the_problem(text, where):
    with pytest.raises(lang.DSLError) as e:
        lang.parse_workbook(text)
    assert where in str(e.value)
