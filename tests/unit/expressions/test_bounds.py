"""Each evaluation is bounded in time and in what its string and list building may
allocate; hitting a bound is an ExpressionError saying which, never a hang or a
process that runs out of memory."""

import resource
import threading
import time

import pytest

from mistral_svc import expressions
from mistral_svc.expressions import base, bounds

QUOTA = 16 * 1024 * 1024
TIMEOUT = 0.5


@pytest.fixture(autouse=True)
def small_bounds():
    saved = (base.settings.limit_iterators, base.settings.memory_quota,
             base.settings.evaluation_timeout)
    expressions.configure(limit_iterators=100000, memory_quota=QUOTA,
                          evaluation_timeout=TIMEOUT)
    yield
    expressions.configure(limit_iterators=saved[0], memory_quota=saved[1],
                          evaluation_timeout=saved[2])


MEMORY_ATTACKS = [
    "{{ 'x'.ljust(300000000) }}",
    "{{ 'x'.center(300000000) }}",
    "{{ (['x' * 1000000] * 300) | join }}",
    "{{ ''.join(['x' * 1000000] * 300) }}",
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
    "{% endfor %}{{ ns.s | length }}",
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
    "{% endfor %}{{ ns.s | length }}",
    "{{ '%0300000000d' % 1 }}",
    "{{ '{:>300000000}'.format(1) }}",
    "{{ 'x' | center(300000000) }}",
    "{{ 'x' | indent(300000000) }}",
    "{{ 'a'.replace('a', 'x' * 10000000) * 1 }}{{ 'a'.replace('a', 'x' * 10000000) }}",
    "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
    # Lists holding the same list many times: small in memory, huge written out.
    "{% set a = ['x' * 1000] * 1000 %}{% set b = [a] * 1000 %}{% set c = [b] * 1000 %}"
    "{{ c | tojson | length }}",
    "{% set a = ['x' * 1000] * 1000 %}{% set b = [a] * 1000 %}{{ [b] * 1000 }}",
    "{% set a = ['x' * 1000] * 1000 %}{% set b = [a] * 1000 %}{{ ([b] * 1000) ~ '' }}",
    "<% let(a => range(1000).select('x' * 1000).toList()) -> "
    "let(b => range(1000).select($a).toList()) -> range(1000).select($b) %>",
    "<% 'x' * 300000000 %>",
    "<% range(20).select('x' * 5000000).join('') %>",
]

INTEGER_ATTACKS = [
    "<% pow(10, 5000000) > 1 %>",
    "<% shiftBitsLeft(1, 400000000) > 1 %>",
    "<% range(40).aggregate($1 * $1, 10) > 1 %>",
    "{{ 10 ** 5000000 > 1 }}",
    "{% set ns = namespace(x=10) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
    "{% endfor %}{{ ns.x > 1 }}",
]


@pytest.mark.parametrize("expression", INTEGER_ATTACKS)
def test_big_integer_bound(expression):
    # Big-integer arithmetic runs in C, where no timeout reaches: it is refused first.
    started = time.monotonic()
    with pytest.raises(expressions.ExpressionError, match="an integer of more than"):
        expressions.evaluate(expression, {})
    assert time.monotonic() - started < TIMEOUT


TIME_ATTACKS = [
    "<% range(400000000).len() %>",
    "<% range(100000).select(range(100000)).len() %>",
    "{% for i in range(8000) %}{% for j in range(8000) %}{% endfor %}{% endfor %}",
    "{% for i in range(8000) %}{% for j in range(8000) %}{{ i }}{% endfor %}{% endfor %}",
]


@pytest.mark.parametrize("expression", MEMORY_ATTACKS)
def test_memory_bound(expression):
    started = time.monotonic()
    with pytest.raises(expressions.ExpressionError) as caught:
        expressions.evaluate(expression, {})
    reason = str(caught.value)
    assert ("memory quota" in reason or "memory_quota" in reason
            or "too much memory" in reason or "took longer than" in reason), reason
    assert time.monotonic() - started < TIMEOUT + 3
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024  # KiB


@pytest.mark.parametrize("expression", TIME_ATTACKS)
def test_time_bound(expression):
    started = time.monotonic()
    with pytest.raises(expressions.ExpressionError, match="took longer than 0.5 seconds"):
        expressions.evaluate_recursively({"x": [expression]}, {})
    assert time.monotonic() - started < TIMEOUT + 3


def test_a_result_that_contains_itself_is_refused():
    with pytest.raises(expressions.ExpressionError, match="the result contains itself"):
        expressions.evaluate("{% set l = [] %}{{ l.append(l) or '' }}{{ l }}", {})


def test_ordinary_expressions_are_untouched():
    data = {"a": [1, 2], "s": "ab"}
    assert expressions.evaluate("{{ _.a | join(',') }}-{{ _.s ~ 1 }}-{{ '%s' % 3 }}",
                                data) == "1,2-ab1-3"
    assert expressions.evaluate("{{ _.s.ljust(4, '.') }}", data) == "ab.."
    assert expressions.evaluate("<% $.a.select($ * 2) %>", data) == [2, 4]
    assert expressions.evaluate("<% pow(2, 10) + pow(3, 2, 5) %>", data) == 1028
    assert expressions.evaluate("{{ 2 ** 10 * 3 }}", data) == 3072
    # A timed-out evaluation leaves nothing behind for the next one.
    with pytest.raises(expressions.ExpressionError):
        expressions.evaluate("<% range(400000000).len() %>", {})
    assert bounds.current() is None
    time.sleep(TIMEOUT + 0.2)
    assert expressions.evaluate("<% $.a.len() %>", data) == 2


def test_a_slow_evaluation_does_not_hold_others_back():
    done = []
    slow = threading.Thread(target=lambda: done.append(
        pytest.raises(expressions.ExpressionError, expressions.evaluate,
                      "<% range(400000000).len() %>", {})))
    slow.start()
    started = time.monotonic()
    for _ in range(20):
        assert expressions.evaluate("<% $.a + 1 %>", {"a": 1}) == 2
    assert time.monotonic() - started < TIMEOUT
    slow.join()
    assert done
