"""Bounded evaluation: iteration and memory limits, the Jinja sandbox."""

import pytest

from mistral_svc.expressions import (
    DEFAULT_LIMIT_ITERATORS,
    DEFAULT_MEMORY_QUOTA,
    ExpressionError,
    base,
    configure,
    evaluate,
)


def test_defaults():
    assert DEFAULT_LIMIT_ITERATORS == 10000
    assert DEFAULT_MEMORY_QUOTA == 128 * 1024 * 1024
    assert base.settings.limit_iterators == DEFAULT_LIMIT_ITERATORS
    assert base.settings.memory_quota == DEFAULT_MEMORY_QUOTA


def test_yaql_iteration_limit():
    with pytest.raises(ExpressionError, match="exceeds 10000"):
        evaluate("<% range(20000) %>", {})
    assert len(evaluate("<% range(10000) %>", {})) == 10000


def test_yaql_endless_sequence_is_stopped():
    with pytest.raises(ExpressionError, match="exceeds"):
        evaluate("<% sequence() %>", {})


def test_configured_iteration_limit_applies_to_queries_and_reads():
    configure(limit_iterators=5)
    ctx = {"items": list(range(10)), "few": [1, 2]}
    with pytest.raises(ExpressionError, match="exceeds 5"):
        evaluate("<% $.items.select($ * 2) %>", ctx)
    with pytest.raises(ExpressionError, match="exceeds 5"):
        evaluate("<% $.items %>", ctx)
    assert evaluate("<% $.items.len() %>", ctx) == 10
    assert evaluate("<% $.few %>", ctx) == [1, 2]


def test_limits_can_be_disabled():
    configure(limit_iterators=-1)
    assert len(evaluate("<% range(20000) %>", {})) == 20000


def test_yaql_memory_quota():
    with pytest.raises(ExpressionError, match="memory"):
        evaluate("<% 'x' * 200000000 %>", {})
    configure(memory_quota=1000)
    with pytest.raises(ExpressionError, match="memory"):
        evaluate("<% 'x' * 5000 %>", {})


def test_jinja_range_follows_the_iteration_limit():
    with pytest.raises(ExpressionError, match="range"):
        evaluate("{% for i in range(20000) %}{% endfor %}", {})
    configure(limit_iterators=3)
    with pytest.raises(ExpressionError, match="range"):
        evaluate("{{ range(4)|list }}", {})
    assert evaluate("{{ range(3)|list }}", {}) == [0, 1, 2]


def test_jinja_repetition_and_power_are_bounded():
    with pytest.raises(ExpressionError, match=r"\[yaql\] memory_quota"):
        evaluate("{{ 'x' * 200000000 }}", {})
    with pytest.raises(ExpressionError, match=r"\[yaql\] memory_quota"):
        evaluate("{{ [1, 2] * 100000000 }}", {})
    with pytest.raises(ExpressionError, match="an integer of more than"):
        evaluate("{{ 2 ** 10000000000 }}", {})
    assert evaluate("{{ 'ab' * 3 }}", {}) == "ababab"
    assert evaluate("{{ 2 ** 10 }}", {}) == 1024
    assert evaluate("{{ 3 * 4 }}", {}) == 12
