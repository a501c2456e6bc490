"""validate / validate_recursively: syntax checks at definition upload."""

import pytest

from mistral_svc.expressions import (
    ExpressionError,
    ExpressionSyntaxError,
    validate,
    validate_recursively,
)


@pytest.mark.parametrize("value", [
    "There is no expression.",
    "<% abc %>",
    "<% 1 + 2 %>",
    "<% $.a1 * $.a2 %>",
    "<% $.a1 %> is <% $.a2 %>",
    "<% tasks(state => ERROR) %>",
    "{{ abc }}",
    "{{ _.a1 }} is {{ _.a2 }}",
    "The value is {{ _.a1 }}.",
    "{% for x in _.items %}{{ x }}{% endfor %}",
    "{{ task('x').result|json_dump }}",
])
def test_valid_strings(value):
    validate(value)


@pytest.mark.parametrize("value", [
    "The value is <% * %>.",
    "<% $.a + %>",
    "<% 'unterminated %>",
    "<% %>",
    "ok <% $.a %> then <% ) %>",
    "The value is {{ * }}.",
    "{{ _.a + }}",
    "{% if _.a %}never closed",
    "{% endfor %}",
])
def test_invalid_strings(value):
    with pytest.raises(ExpressionSyntaxError) as info:
        validate(value)
    assert isinstance(info.value, ExpressionError)
    assert "error=" in str(info.value)


def test_mixing_languages_in_one_string_is_rejected():
    with pytest.raises(ExpressionSyntaxError, match="mixed"):
        validate("<% $.a %> and {{ _.b }}")


def test_non_strings_are_ignored():
    validate(5)
    validate(None)
    validate(["<% * %>"])  # only validate_recursively descends


def test_validate_recursively():
    validate_recursively({"a": ["<% $.x %>", {"b": "{{ _.y }}"}], "c": 1, "d": ("x",)})
    with pytest.raises(ExpressionSyntaxError):
        validate_recursively({"a": [{"b": ("fine", "<% * %>")}]})
    with pytest.raises(ExpressionSyntaxError):
        validate_recursively(["{{ * }}"])


def test_validate_recursively_keys():
    validate_recursively({"<% * %>": 1})
    with pytest.raises(ExpressionSyntaxError):
        validate_recursively({"<% * %>": 1}, include_keys=True)


def test_validation_only_checks_syntax():
    # These fail at evaluation time, but are well-formed.
    validate("<% task(x).result %>")
    validate("<% $.missing.key %>")
    validate("{{ 1 / 0 }}")
    validate("{{ undefined_name }}")
