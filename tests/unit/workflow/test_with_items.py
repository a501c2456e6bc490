"""with-items: per-item variables and how many items start at once."""

import pytest

from mistral_svc.workflow import with_items
from tests.unit.workflow.base import direct_wf, evaluate


def test_one_list():
    assert with_items.expand([("x", [1, 2, 3])]) == [{"x": 1}, {"x": 2}, {"x": 3}]


def test_several_lists_walk_in_step():
    assert with_items.expand([("x", [1, 2]), ("y", ["a", "b"])]) == [
        {"x": 1, "y": "a"}, {"x": 2, "y": "b"}]


def test_tuples_are_lists_too():
    assert with_items.expand([("x", (1, 2))]) == [{"x": 1}, {"x": 2}]


def test_items_keep_their_values_as_they_are():
    item = {"nested": [1]}
    (row,) = with_items.expand([("x", [item])])
    assert row["x"] is item


def test_order_of_items_is_kept():
    values = list(range(50, 0, -1))
    assert [r["v"] for r in with_items.expand([("v", values)])] == values


def test_empty_list_gives_no_items():
    assert with_items.expand([("x", [])]) == []
    assert with_items.expand([("x", []), ("y", [])]) == []


def test_no_clauses_give_no_items():
    assert with_items.expand([]) == []


def test_lists_of_different_lengths_are_an_error():
    with pytest.raises(ValueError, match=r"same length, got \[2, 3\]"):
        with_items.expand([("x", [1, 2, 3]), ("y", [1, 2])])


@pytest.mark.parametrize("value", ["abc", {"a": 1}, 5, None])
def test_non_list_is_an_error_naming_the_variable(value):
    with pytest.raises(ValueError, match="with-items expects a list for 'x', got %s"
                       % type(value).__name__):
        with_items.expand([("y", [1]), ("x", value)])


@pytest.mark.parametrize("count,concurrency,first", [
    (10, None, 10),
    (10, 0, 10),
    (10, 3, 3),
    (10, "3", 3),
    (2, 5, 2),
    (5, 5, 5),
    (0, 3, 0),
    (1000, 1, 1),
])
def test_first_batch(count, concurrency, first):
    assert with_items.first_batch(count, concurrency) == first


def test_parsed_clauses_evaluate_and_expand():
    wf = direct_wf("""
        t:
          with-items:
            - vm_name in <% $.vm_names %>
            - flavor in [small, large]
          action: std.echo output=<% $.vm_name %>
    """)
    ctx = {"vm_names": ["vm1", "vm2"]}
    clauses = [(c["var"], evaluate(c["expr"], ctx)) for c in wf.task("t").with_items]
    assert with_items.expand(clauses) == [
        {"vm_name": "vm1", "flavor": "small"},
        {"vm_name": "vm2", "flavor": "large"},
    ]
