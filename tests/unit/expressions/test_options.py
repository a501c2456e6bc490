"""Mistral's other [yaql] options and [expressions] allowed_languages."""

import pytest

from mistral_svc.expressions import (
    ExpressionSyntaxError,
    base,
    configure,
    evaluate,
    validate,
)

DEFAULTS = {"convert_output_data": True, "convert_tuples_to_lists": True,
            "convert_sets_to_lists": True, "iterable_dicts": False,
            "keyword_operator": "=>", "allow_delegates": False,
            "allowed_languages": ["yaql", "jinja"]}


@pytest.fixture(autouse=True)
def _defaults_again():
    yield
    configure(**DEFAULTS)


def test_a_disabled_language_is_refused_at_validation_and_evaluation():
    configure(allowed_languages=["yaql"])
    with pytest.raises(ExpressionSyntaxError, match="'jinja' expression language is disabled"):
        validate("{{ 1 + 1 }}")
    with pytest.raises(ExpressionSyntaxError, match="disabled by the operator"):
        evaluate("{{ 1 + 1 }}", {})
    assert evaluate("<% 1 + 1 %>", {}) == 2
    configure(allowed_languages=["jinja"])
    with pytest.raises(ExpressionSyntaxError, match="'yaql' expression language"):
        evaluate("<% 1 %>", {})
    assert evaluate("plain text", {}) == "plain text"


def test_unknown_language_is_rejected():
    with pytest.raises(ValueError, match="python"):
        configure(allowed_languages=["yaql", "python"])


def test_sets_stay_sets_when_not_converted():
    assert evaluate("<% set(1, 2) %>", {}) in ([1, 2], [2, 1])
    configure(convert_sets_to_lists=False)
    assert evaluate("<% set(1, 2) %>", {}) == {1, 2}


def test_iterable_dicts():
    ctx = {"d": {"a": 1, "b": 2}}
    configure(iterable_dicts=True)
    assert sorted(evaluate("<% $.d.select($) %>", ctx)) == ["a", "b"]


def test_keyword_operator_can_change():
    assert evaluate("<% dict(a => 1) %>", {}) == {"a": 1}
    configure(keyword_operator="=")
    assert base.settings.keyword_operator == "="
    assert evaluate("<% dict(a = 1) %>", {}) == {"a": 1}
