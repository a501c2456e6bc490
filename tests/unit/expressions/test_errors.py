"""Error messages name the expression and the reason, never the data context."""

import pytest

from mistral_svc.expressions import ExpressionError, evaluate, evaluate_recursively

SECRET = "SUPER_SECRET_AUTH_TOKEN"
CTX = {"auth_token": SECRET, "x": 1, "nested": {"password": SECRET}}


@pytest.mark.parametrize("expression", [
    "<% 1 / 0 %>",
    "<% $.missing %>",
    "<% $.auth_token.noSuchMethod() %>",
    "<% $.nested.noSuchMethod() %>",
    "<% int($.auth_token) %>",
    "<% $.auth_token + 1 %>",
    "<% json_parse($.auth_token) %>",
    "<% yaml_parse($.nested) %>",
    "<% $.x.where($ > 0) %>",
    "text <% $.missing %>",
    "{{ 1 / 0 }}",
    "{{ _.missing }}",
    "{{ _.auth_token|int + 'a' }}",
    "{{ _.auth_token.nope() }}",
    "{{ _.nested.password + 1 }}",
    "{{ json_parse(_.auth_token) }}",
    "before {{ _.missing }} after",
])
def test_context_does_not_leak_into_errors(expression):
    with pytest.raises(ExpressionError) as info:
        evaluate(expression, CTX)
    message = str(info.value)
    assert SECRET not in message
    assert SECRET not in (info.value.reason or "")
    assert "error=" in message


def test_message_contains_expression():
    with pytest.raises(ExpressionError) as info:
        evaluate("<% 1 / 0 %>", CTX)
    assert "1 / 0" in str(info.value)
    assert "YAQL" in str(info.value)
    with pytest.raises(ExpressionError) as info:
        evaluate("{{ 1 / 0 }}", CTX)
    assert "1 / 0" in str(info.value)
    assert "Jinja" in str(info.value)


def test_recursive_errors_do_not_leak():
    with pytest.raises(ExpressionError) as info:
        evaluate_recursively({"a": {"b": "<% $.nested.nope() %>"}}, CTX)
    assert SECRET not in str(info.value)


def test_long_reasons_are_truncated():
    ctx = {"big": "y" * 5000}
    with pytest.raises(ExpressionError) as info:
        evaluate("{{ _.big.nope }}", ctx)
    assert len(str(info.value)) < 1000
    with pytest.raises(ExpressionError) as info:
        evaluate("<% int($.big) %>", ctx)
    assert "yyyy" not in str(info.value)
