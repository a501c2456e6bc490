"""Joins: how many inbound branches a join task waits for, and when it fires."""

import pytest

from mistral_svc.workflow import direct, states
from tests.unit.workflow.base import direct_wf, evaluate, outcome, spec_of

FAN_IN = """
    reg_lb:
      on-success: [wait_all, wait_two, wait_one, wait_first]
    reg_dns:
      on-success: [wait_all, wait_two, wait_one, wait_first]
    reg_zabbix:
      on-error: [wait_all, wait_two, wait_one]
      on-complete: [wait_first]
    wait_all:
      join: all
    wait_two:
      join: 2
    wait_one:
      join: one
    wait_first:
      join: 1
"""


@pytest.fixture
def wf():
    return direct_wf(FAN_IN)


def test_inbound_edges_come_from_every_clause_in_definition_order(wf):
    assert wf.inbound("wait_all") == ["reg_lb", "reg_dns", "reg_zabbix"]
    assert wf.inbound("wait_first") == ["reg_lb", "reg_dns", "reg_zabbix"]
    assert wf.inbound("reg_lb") == []


@pytest.mark.parametrize("task,required", [
    ("wait_all", 3), ("wait_two", 2), ("wait_one", 1), ("wait_first", 1),
])
def test_join_required(wf, task, required):
    assert direct.join_required(wf, task) == required


@pytest.mark.parametrize("task,needed", [
    ("wait_all", 3), ("wait_two", 2), ("wait_one", 1), ("wait_first", 1),
])
def test_join_satisfied_exactly_from_the_required_count(wf, task, needed):
    for arrived in range(0, 5):
        assert direct.join_satisfied(wf, task, arrived) is (arrived >= needed)


def test_a_task_naming_the_join_in_several_clauses_counts_once():
    wf = direct_wf("""
        a:
          on-success: [j]
          on-error: [j]
          on-complete: [j]
        b:
          on-success:
            - j: <% $.x %>
            - j: <% not $.x %>
        j:
          join: all
    """)
    assert wf.inbound("j") == ["a", "b"]
    assert direct.join_required(wf, "j") == 2


def test_guarded_edges_count_for_join_all():
    wf = direct_wf("""
        a:
          on-success:
            - j: <% false %>
        b:
          on-success: [j]
        j:
          join: all
    """)
    # Upstream tasks are those naming the join in any clause, whatever their guards.
    assert direct.join_required(wf, "j") == 2


def test_engine_commands_and_dynamic_targets_are_not_edges():
    wf = direct_wf("""
        a:
          on-success: [j, noop]
          on-error: [fail]
        b:
          on-success:
            - <% $.dynamic %>
        j:
          join: all
    """)
    assert wf.inbound("j") == ["a"]
    assert direct.join_required(wf, "j") == 1


def test_task_defaults_edges_count_for_the_join():
    wf = direct_wf("""
        a: {}
        b: {}
        c: {}
        cleanup:
          join: all
    """, task_defaults="{on-complete: [cleanup]}")
    assert wf.inbound("cleanup") == ["a", "b", "c"]
    assert direct.join_required(wf, "cleanup") == 3


def test_partial_join_may_ask_for_fewer_than_its_inbound_edges():
    wf = direct_wf("""
        a: {on-success: [j]}
        b: {on-success: [j]}
        c: {on-success: [j]}
        d: {on-success: [j]}
        j:
          join: 3
    """)
    assert direct.join_required(wf, "j") == 3
    assert not direct.join_satisfied(wf, "j", 2)
    assert direct.join_satisfied(wf, "j", 3)


def test_join_all_without_inbound_edges_is_satisfied_at_once():
    wf = direct_wf("""
        alone:
          join: all
    """)
    assert direct.join_required(wf, "alone") == 0
    assert direct.join_satisfied(wf, "alone", 0)


def test_arrival_commands_carry_the_join_of_their_target(wf):
    d = direct.next_commands(wf, outcome("reg_zabbix", states.ERROR), evaluate, {})
    assert [(c.name, c.join) for c in d.commands] == [
        ("wait_all", "all"), ("wait_two", 2), ("wait_one", 1), ("wait_first", 1)]
    assert [c.triggered_by[0]["event"] for c in d.commands] == [
        "on_error", "on_error", "on_error", "on_complete"]


def test_a_task_without_join_has_none():
    d = direct.next_commands(
        direct_wf("""
            a: {on-success: [b]}
            b: {}
        """), outcome("a", states.SUCCESS), evaluate, {})
    assert d.commands[0].join is None


def test_reverse_task_with_requirements_joins_all_of_them():
    wf = spec_of("""
        version: '2.0'
        wf:
          type: reverse
          tasks:
            a: {}
            b: {}
            c:
              requires: [a, b]
            d:
              requires: c
    """)
    assert wf.task("c").join == "all"
    assert direct.join_required(wf, "c") == 2
    assert direct.join_required(wf, "d") == 1
    assert wf.task("a").join is None
