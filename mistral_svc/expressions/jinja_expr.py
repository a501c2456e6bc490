"""Jinja2 expressions: ``{{ ... }}`` and ``{% ... %}``, the data context is ``_``."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import sandbox

from mistral_svc.expressions import base, functions, plugins

# Same delimiters and the same non-multiline matching as Mistral, so a string is an
# expression here exactly when it is one there.
PATTERN = re.compile(r"{{.*?}}|{%.*?%}")

# A string is evaluated to a raw value (not rendered to text) when its first
# "{{ ... }}" spans the whole string, which is how Mistral decides it as well.
_SINGLE = re.compile(r"{{(.*?)}}")


def _check_binop(operator: str, left: Any, right: Any) -> None:
    quota = base.settings.memory_quota
    if quota < 0:
        return
    if operator == "**":
        if (type(left) is int and type(right) is int and right > 0 and abs(left) > 1
                and right * abs(left).bit_length() > quota * 8):
            raise sandbox.SecurityError("the result of '**' would exceed the memory quota")
    elif operator == "*":
        if type(right) is int and isinstance(left, (str, bytes, list, tuple)):
            seq, count = left, right
        elif type(left) is int and isinstance(right, (str, bytes, list, tuple)):
            seq, count = right, left
        else:
            return
        if count > 0 and sys.getsizeof(seq) * count > quota:
            raise sandbox.SecurityError("the result of '*' would exceed the memory quota")


class _BoundedSandbox(sandbox.SandboxedEnvironment):
    """Sandbox that also refuses arithmetic producing huge strings, lists or numbers."""

    # Intercepting also stops Jinja from constant-folding these at compile time.
    intercepted_binops = frozenset(("*", "**"))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)


def _bounded_range(*args: int) -> range:
    result = range(*args)
    limit = base.settings.limit_iterators
    if limit < 0:
        limit = sandbox.MAX_RANGE
    if len(result) > limit:
        raise OverflowError(f"range() is limited to {limit} items")
    return result


def _as_filter(name: str, func: Callable) -> Callable:
    # As filters, the data functions work on the filtered value unless arguments say
    # otherwise; for the others the value is ignored, which matches Mistral where the
    # filtered value only stood for the data context (``_ | task('name')``).
    if name in functions.DATA_FUNCTIONS:
        def data_filter(value: Any, *args: Any, **kwargs: Any) -> Any:
            if args or kwargs:
                return func(*args, **kwargs)
            return func(value)

        return data_filter

    def context_filter(_value: Any, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return context_filter


def _build_environment(extra: dict[str, Callable] | None = None) -> jinja2.Environment:
    env = _BoundedSandbox(
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    for name, func in (extra or {}).items():
        # As in Mistral: a global, and a filter whose value is the first argument.
        env.globals[name] = plugins.for_jinja(func)
        env.filters[name] = func
    env.globals.update(functions.FUNCTIONS)
    env.globals["range"] = _bounded_range
    for name, func in functions.FUNCTIONS.items():
        env.filters[name] = _as_filter(name, func)
    return env


_env = _build_environment()


def use_plugin_functions(extra: dict[str, Callable]) -> None:
    """Offer ``extra`` functions (of installed packages) besides the built-in ones."""
    global _env
    _env = _build_environment(extra)
    _compile_expression.cache_clear()
    _compile_template.cache_clear()


@functools.lru_cache(maxsize=base.CACHE_SIZE)
def _compile_expression(body: str) -> Any:
    return _env.compile_expression(body, undefined_to_none=False)


@functools.lru_cache(maxsize=base.CACHE_SIZE)
def _compile_template(source: str) -> jinja2.Template:
    return _env.from_string(source)


def _syntax_error(source: str, exc: Exception) -> base.ExpressionSyntaxError:
    reason = base.describe_error(exc)
    return base.ExpressionSyntaxError(
        base.format_error("Invalid Jinja expression", source, reason),
        expression=source.strip(), reason=reason,
    )


def evaluate(value: str, data: Any) -> Any:
    """Evaluate a string holding Jinja expressions and/or statements.

    A string that is a single ``{{ ... }}`` yields the raw Python value; anything
    else is rendered as a template and yields a string.
    """
    single = _SINGLE.match(value)
    whole = single is not None and single.end() == len(value)
    source = single.group(1) if whole else value
    try:
        if not whole:
            return _compile_template(value).render(_=data)
        # Converting also surfaces StrictUndefined values, which only fail when used.
        return base.to_plain(_compile_expression(source)(_=data))
    except jinja2.TemplateSyntaxError as e:
        raise _syntax_error(source, e) from None
    except base.RuntimeFailure as e:
        raise e.original from None
    except Exception as e:
        reason = e.reason if isinstance(e, base.ExpressionError) else base.describe_error(e)
        raise base.ExpressionError(
            base.format_error("Can not evaluate Jinja expression", source, reason),
            expression=source.strip(), reason=reason,
        ) from None


def validate(value: str) -> None:
    """Raise ExpressionSyntaxError if ``value`` is not a valid Jinja template."""
    try:
        _env.parse(value)
    except jinja2.TemplateSyntaxError as e:
        raise _syntax_error(value, e) from None
