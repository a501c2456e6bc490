"""YAQL evaluation: raw values, interpolation, the context as ``$``."""

import pytest

from mistral_svc.expressions import (
    ExpressionError,
    ExpressionSyntaxError,
    configure,
    evaluate,
)

CTX = {
    "server": {"id": "abc", "name": "cloud", "status": "ACTIVE"},
    "servers": [{"name": "centos"}, {"name": "ubuntu"}, {"name": "fedora"}],
    "count": 3,
    "nothing": None,
    "flag": True,
    "pair": (1, 2),
    "tags": {"b", "a"},
}


def test_string_without_expression_is_returned_unchanged():
    value = "no expression: a %> closes before <% opens"
    assert evaluate(value, CTX) is value


def test_non_strings_are_returned_unchanged():
    marker = object()
    assert evaluate(marker, CTX) is marker
    assert evaluate(5, CTX) == 5


def test_whole_expression_returns_raw_value():
    assert evaluate("<% $.server %>", CTX) == CTX["server"]
    assert evaluate("<% $.count %>", CTX) == 3
    assert evaluate("<% $.nothing %>", CTX) is None
    assert evaluate("<% $.flag %>", CTX) is True
    assert evaluate("<%$.count%>", CTX) == 3


def test_whole_expression_result_is_a_copy():
    result = evaluate("<% $.server %>", CTX)
    result["id"] = "changed"
    assert CTX["server"]["id"] == "abc"


def test_tuples_and_sets_come_back_as_lists():
    assert evaluate("<% $.pair %>", CTX) == [1, 2]
    assert sorted(evaluate("<% $.tags %>", CTX)) == ["a", "b"]
    assert sorted(evaluate("<% $.servers.select($.name).toSet() %>", CTX)) == [
        "centos", "fedora", "ubuntu"
    ]


def test_query_results_are_plain_lists_and_dicts():
    result = evaluate("<% $.servers.where($.name = ubuntu) %>", CTX)
    assert result == [{"name": "ubuntu"}]
    assert type(result) is list and type(result[0]) is dict
    assert evaluate("<% $.servers.select($.name) %>", CTX) == ["centos", "ubuntu", "fedora"]
    assert evaluate("<% dict(a => [1, 2]) %>", CTX) == {"a": [1, 2]}


def test_attribute_over_a_list_maps_over_items():
    assert evaluate("<% $.servers.name %>", CTX) == ["centos", "ubuntu", "fedora"]


def test_standard_library_is_available():
    assert evaluate("<% len($.servers) %>", CTX) == 3
    assert evaluate("<% $.servers.len() %>", CTX) == 3
    assert evaluate("<% str($.count) %>", CTX) == "3"
    assert evaluate("<% $.server.name.toUpper() %>", CTX) == "CLOUD"
    assert evaluate("<% range(3).sum() %>", CTX) == 3
    assert evaluate("<% $.server.status = 'ACTIVE' %>", CTX) is True


def test_interpolation_renders_each_expression_with_str():
    assert evaluate("Hello <% $.server.name %>!", CTX) == "Hello cloud!"
    assert evaluate("<% $.count %><% $.count %>", CTX) == "33"
    assert evaluate(" <% $.count %>", CTX) == " 3"
    assert evaluate("value=<% $.nothing %>", CTX) == "value=None"
    assert evaluate("flag=<% $.flag %>", CTX) == "flag=True"
    assert evaluate("list=<% $.pair %>", CTX) == "list=[1, 2]"


def test_multiline_text_with_placeholders():
    text = "Tenant <% $.server.id %>\n  servers: <% $.count %>\n"
    assert evaluate(text, CTX) == "Tenant abc\n  servers: 3\n"


def test_expression_spanning_lines_is_not_an_expression():
    # As in Mistral, delimiters are matched within one line only.
    value = "<% $.count\n %>"
    assert evaluate(value, CTX) == value


def test_context_can_be_any_value():
    assert evaluate("<% $ %>", 3) == 3
    assert evaluate("<% $ + 1 %>", 3) == 4
    assert evaluate("<% $.len() %>", [1, 2]) == 2


def test_missing_key_is_an_error():
    with pytest.raises(ExpressionError) as info:
        evaluate("<% $.wrong_key %>", CTX)
    message = str(info.value)
    assert "YAQL" in message
    assert "$.wrong_key" in message
    assert "wrong_key" in info.value.reason
    assert info.value.expression == "$.wrong_key"


def test_keyword_strings_are_plain_strings():
    assert evaluate("<% ERROR %>", CTX) == "ERROR"


def test_syntax_error_while_evaluating():
    with pytest.raises(ExpressionSyntaxError) as info:
        evaluate("The value is <% * %>.", CTX)
    assert "*" in str(info.value)


def test_function_errors_are_wrapped():
    with pytest.raises(ExpressionError, match="ZeroDivisionError"):
        evaluate("<% 1 / 0 %>", CTX)
    with pytest.raises(ExpressionError, match="Unknown function"):
        evaluate("<% no_such_function() %>", CTX)


def test_context_is_not_modified():
    ctx = {"items": [1, 2], "d": {"k": "v"}}
    evaluate("<% $.items.concat([3]) %>", ctx)
    evaluate("<% $.d.set(k2, v2) %>", ctx)
    assert ctx == {"items": [1, 2], "d": {"k": "v"}}


def test_dicts_are_hashable_thanks_to_input_conversion():
    ctx = {"items": [{"a": 1}, {"a": 1}, {"a": 2}]}
    assert evaluate("<% $.items.distinct() %>", ctx) == [{"a": 1}, {"a": 2}]


def test_input_conversion_can_be_disabled():
    configure(convert_input_data=False)
    ctx = {"items": [{"a": 1}, {"a": 2}]}
    assert evaluate("<% $.items.select($.a) %>", ctx) == [1, 2]
    assert evaluate("<% $.items.len() + 1 %>", ctx) == 3


def test_concurrent_parsing_and_evaluation():
    from concurrent.futures import ThreadPoolExecutor

    def work(n):
        # Distinct expression texts so every thread parses, not just hits the cache.
        return [evaluate(f"<% $.base + {n} + {i} %>", {"base": 1000}) for i in range(30)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(16)))
    for n, values in enumerate(results):
        assert values == [1000 + n + i for i in range(30)]
