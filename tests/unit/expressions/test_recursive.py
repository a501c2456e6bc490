"""evaluate_recursively / has_expressions over nested data."""

import copy

import pytest

from mistral_svc.expressions import (
    ExpressionError,
    evaluate_recursively,
    has_expressions,
)

CTX = {"a": 1, "name": "bob", "items": [1, 2], "obj": {"k": "v"}}


def test_nested_structures_are_evaluated():
    data = {
        "raw": "<% $.obj %>",
        "text": "hi <% $.name %>",
        "jinja": "{{ _.a + 1 }}",
        "list": ["<% $.a %>", ["{{ _.name }}", {"deep": "<% $.items %>"}]],
        "tuple": ("<% $.a %>", 2),
        "number": 5,
        "none": None,
        "flag": False,
    }
    assert evaluate_recursively(data, CTX) == {
        "raw": {"k": "v"},
        "text": "hi bob",
        "jinja": 2,
        "list": [1, ["bob", {"deep": [1, 2]}]],
        "tuple": (1, 2),
        "number": 5,
        "none": None,
        "flag": False,
    }


def test_top_level_string_and_scalars():
    assert evaluate_recursively("<% $.a %>", CTX) == 1
    assert evaluate_recursively(7, CTX) == 7
    assert evaluate_recursively(None, CTX) is None


def test_mixed_expression_types_in_one_structure():
    data = ["<% $.name %>", "{{ _.name }}", "plain"]
    assert evaluate_recursively(data, CTX) == ["bob", "bob", "plain"]


def test_input_is_not_mutated_and_containers_are_new():
    data = {"l": ["<% $.a %>", {"x": "plain"}], "d": {"y": 1}}
    snapshot = copy.deepcopy(data)
    result = evaluate_recursively(data, CTX)
    assert data == snapshot
    assert result is not data
    assert result["d"] is not data["d"]
    assert result["l"][1] is not data["l"][1]
    result["d"]["y"] = 2
    assert data["d"]["y"] == 1


def test_context_is_not_mutated():
    ctx = copy.deepcopy(CTX)
    evaluate_recursively({"a": "<% $.items.concat([3]) %>", "b": "{{ _.obj }}"}, ctx)
    assert ctx == CTX


def test_keys_are_left_as_written_by_default():
    data = {"<% $.name %>": "<% $.a %>"}
    assert evaluate_recursively(data, CTX) == {"<% $.name %>": 1}


def test_keys_can_be_evaluated():
    data = {"<% $.name %>": "<% $.a %>", "{{ _.a }}": "x", "plain": {"<% $.a %>": 0}}
    assert evaluate_recursively(data, CTX, include_keys=True) == {
        "bob": 1, 1: "x", "plain": {1: 0}
    }


def test_unhashable_key_result_is_an_error():
    with pytest.raises(ExpressionError, match="key"):
        evaluate_recursively({"<% $.items %>": 1}, CTX, include_keys=True)


def test_empty_context_still_evaluates():
    assert evaluate_recursively({"x": "<% 1 + 1 %>"}, {}) == {"x": 2}


def test_first_error_is_raised():
    with pytest.raises(ExpressionError, match=r"\$\.missing"):
        evaluate_recursively({"ok": "<% $.a %>", "bad": ["<% $.missing %>"]}, CTX)


def test_runtime_reaches_nested_strings(runtime):
    result = evaluate_recursively({"x": ["<% env().region %>", "{{ task().name }}"]}, CTX,
                                  runtime)
    assert result == {"x": ["north", "current"]}


def test_has_expressions():
    assert has_expressions("<% $.a %>")
    assert has_expressions("text {{ _.a }}")
    assert has_expressions("{% if true %}x{% endif %}")
    assert has_expressions({"a": [1, {"b": ("x", "<% 1 %>")}]})
    assert not has_expressions("plain <% text")
    assert not has_expressions({"a": [1, "b", None], "c": {"d": 2.5}})
    assert not has_expressions(42)
    assert not has_expressions({"<% $.a %>": 1})
    assert has_expressions({"<% $.a %>": 1}, include_keys=True)
