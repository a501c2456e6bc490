"""YAQL expressions: ``<% ... %>`` inside strings, the data context is ``$``."""

from __future__ import annotations

# yaql 3.x refers to collections.abc without importing it; importing the submodule
# first keeps ``import yaql`` working whatever was imported before.
import collections.abc
import functools
import re
import sys
import threading
from collections.abc import Callable
from typing import Any

import yaql
from yaql.language import exceptions as yaql_exc
from yaql.language import factory
from yaql.language import utils as yaql_utils

from mistral_svc.expressions import base, bounds, functions

# Same delimiters and the same non-multiline matching as Mistral, so a string is an
# expression here exactly when it is one there.
PATTERN = re.compile(r"<%.*?%>")

# Errors yaql's parser raises for malformed input.
_SYNTAX_ERRORS = (yaql_exc.YaqlException, KeyError, ValueError, TypeError)

# yaql's method-resolution messages embed a repr of the receiver, i.e. data; these
# replacements keep only the method name.
_METHOD_NAME = re.compile(r'"([^"]*)"')
_METHOD_MESSAGES = (
    (yaql_exc.NoMethodRegisteredException, 'Unknown method "{}"'),
    (yaql_exc.NoMatchingMethodException, 'No method "{}" matches supplied arguments'),
    (yaql_exc.AmbiguousMethodException, 'Ambiguous method "{}"'),
)

# "$", "$.a", "$.a.b"...: by far the most common expressions. They are answered by
# reading the context directly, which skips yaql's per-evaluation overhead and the
# conversion of the whole context to immutable types.
_PATH = re.compile(r"\$(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_RESERVED = frozenset(("true", "false", "null", "and", "or", "not", "in", "is"))

# The ply lexer/parser behind the engine keeps per-parse state on shared objects.
_parse_lock = threading.Lock()

_engine = None
_grammar = None

# yaql checks each operation's result against its memoryQuota on its own. Large values
# (a MiB and more) also count against the evaluation's budget, so that many of them in
# one expression cannot add up to many times the quota.
_BIG_VALUE = 1024 * 1024
_yaql_limit_memory_usage = yaql_utils.limit_memory_usage


def _limit_memory_usage(quota_or_engine: Any, *args: Any) -> None:
    _yaql_limit_memory_usage(quota_or_engine, *args)
    size = 0
    for count, value in args:
        size += count * sys.getsizeof(value, 0)
    if size >= _BIG_VALUE:
        bounds.charge(size)


yaql_utils.limit_memory_usage = _limit_memory_usage

# yaql writes a result out (converting it to plain lists and dicts) in full: a list
# holding the same list many times is checked before, a lazy result materialised first
# (under limitIterators) so it can be.
_yaql_convert_output_data = yaql_utils.convert_output_data


def _convert_output_data(obj: Any, limit_func: Any, engine: Any, rec: Any = None) -> Any:
    if rec is None:
        if yaql_utils.is_iterable(obj) and not isinstance(
                obj, (collections.abc.Mapping, collections.abc.Set, tuple, list)):
            obj = list(limit_func(obj))
        bounds.check_expanded(obj)
    return _yaql_convert_output_data(obj, limit_func, engine, rec)


yaql_utils.convert_output_data = _convert_output_data


def _engine_options() -> dict:
    s = base.settings
    return {
        "yaql.limitIterators": s.limit_iterators,
        "yaql.memoryQuota": s.memory_quota,
        "yaql.convertTuplesToLists": s.convert_tuples_to_lists,
        # Sets are not JSON-serialisable: by default they become lists.
        "yaql.convertSetsToLists": s.convert_sets_to_lists,
        "yaql.iterableDicts": s.iterable_dicts,
        "yaql.convertOutputData": s.convert_output_data,
        # The context is converted once per evaluation call by make_context().
        "yaql.convertInputData": False,
    }


def rebuild_engine() -> None:
    """Apply the current settings to the engine and drop parsed expressions."""
    global _engine, _grammar
    grammar = (base.settings.keyword_operator, base.settings.allow_delegates)
    if _engine is None or grammar != _grammar:
        # The keyword operator and delegates change the grammar: a new parser.
        _engine = factory.YaqlFactory(keyword_operator=grammar[0] or None,
                                      allow_delegates=grammar[1]).create(
            options=_engine_options()
        )
        _grammar = grammar
    else:
        # copy() reuses the lexer and parser tables, which are slow to build.
        _engine = _engine.copy(_engine_options())
    _compile.cache_clear()


_INT_OPS = {"#operator_*": "*", "pow": "**", "shiftBitsLeft": "<<"}


def _bound_int_ops(context: Any) -> None:
    """Check yaql's big-integer arithmetic before it runs (see bounds.MAX_INT_BITS)."""
    for name, operator in _INT_OPS.items():
        for layer in context.collect_functions(name):
            for definition in layer:
                original = definition.payload

                def checked(*args: Any, _original: Callable = original,
                            _operator: str = operator, **kwargs: Any) -> Any:
                    if len(args) >= 2 and not (len(args) > 2 and args[2] is not None):
                        bounds.check_int_op(_operator, args[0], args[1])
                    return _original(*args, **kwargs)

                definition.payload = checked


def _build_root_context(extra: dict[str, Callable] | None = None) -> Any:
    context = yaql.create_context()
    _bound_int_ops(context)
    for name, func in functions.FUNCTIONS.items():
        context.register_function(func, name=name)
    # yaql hands its context to a parameter named ``context`` by itself.
    for name, func in (extra or {}).items():
        context.register_function(func, name=name)
    return context


def use_plugin_functions(extra: dict[str, Callable]) -> None:
    """Offer ``extra`` functions (of installed packages) besides the built-in ones."""
    global _root_context
    _root_context = _build_root_context(extra)
    _compile.cache_clear()


@functools.lru_cache(maxsize=base.CACHE_SIZE)
def _compile(body: str) -> tuple[Any, tuple[str, ...] | None]:
    """Parse ``body``; also return its keys when it is a plain ``$.a.b`` path."""
    with _parse_lock:
        statement = _engine(body)
    keys = None
    if _PATH.fullmatch(body):
        keys = tuple(body.split(".")[1:])
        if _RESERVED.intersection(keys):
            keys = None
    return statement, keys


rebuild_engine()
_root_context = _build_root_context()

_SCALARS = frozenset((str, int, float, bool, type(None)))


def _freeze(obj: Any, _rec: Any = None) -> Any:
    # Same result as yaql's convert_input_data, several times faster on JSON-like data
    # because exact type checks replace the abstract-base-class ones.
    kind = type(obj)
    if kind in _SCALARS:
        return obj
    if kind is dict:
        return yaql_utils.FrozenDict(
            {k if type(k) is str else _freeze(k): _freeze(v) for k, v in obj.items()}
        )
    if kind is list or kind is tuple:
        return tuple([_freeze(item) for item in obj])
    return yaql_utils.convert_input_data(obj, _freeze)


def make_context(data: Any) -> Any:
    """Return a YAQL context whose ``$`` is ``data``.

    Conversion to yaql's immutable types costs a walk over the whole context, so
    callers evaluating many strings against the same data build this once.
    """
    context = _root_context.create_child_context()
    context["$"] = _freeze(data) if base.settings.convert_input_data else data
    return context


class _Defer(Exception):
    """The fast path met data it does not handle exactly like yaql."""


def _export(obj: Any, limit: int) -> Any:
    # Mirrors what yaql's output conversion would make of the same value.
    kind = type(obj)
    if kind in _SCALARS:
        return obj
    if kind is dict:
        if 0 <= limit < len(obj):
            raise yaql_exc.CollectionTooLargeException(limit)
        return {k: _export(v, limit) for k, v in obj.items()}
    if kind in (list, tuple, set, frozenset):
        if 0 <= limit < len(obj):
            raise yaql_exc.CollectionTooLargeException(limit)
        return [_export(item, limit) for item in obj]
    if isinstance(obj, str) or not isinstance(obj, collections.abc.Iterable):
        return obj
    raise _Defer()


def _follow(data: Any, keys: tuple[str, ...]) -> Any:
    value = data
    for key in keys:
        if type(value) is not dict:
            raise _Defer()
        value = value[key]  # a missing key raises KeyError, as in yaql
    return _export(value, base.settings.limit_iterators)


def _reason(exc: BaseException) -> str:
    for kind, template in _METHOD_MESSAGES:
        if isinstance(exc, kind):
            name = _METHOD_NAME.search(str(exc))
            return template.format(name.group(1) if name else "?")
    return base.describe_error(exc)


def evaluate_body(body: str, data: Any, get_context: Callable[[], Any]) -> Any:
    """Evaluate one YAQL expression (no delimiters).

    ``get_context`` returns the context built by make_context() for ``data``; it is
    only called when the expression needs the yaql machinery.
    """
    body = body.strip()
    try:
        statement, keys = _compile(body)
    except _SYNTAX_ERRORS as e:
        reason = base.describe_error(e)
        raise base.ExpressionSyntaxError(
            base.format_error("Invalid YAQL expression", body, reason),
            expression=body, reason=reason,
        ) from None
    try:
        if keys is not None:
            try:
                return _follow(data, keys)
            except _Defer:
                pass
        return statement.evaluate(context=get_context().create_child_context())
    except base.RuntimeFailure as e:
        raise e.original from None
    except Exception as e:
        reason = e.reason if isinstance(e, base.ExpressionError) else _reason(e)
        raise base.ExpressionError(
            base.format_error("Can not evaluate YAQL expression", body, reason),
            expression=body, reason=reason,
        ) from None


def evaluate(value: str, data: Any, get_context: Callable[[], Any]) -> Any:
    """Evaluate every ``<% %>`` of ``value``.

    A string that is one expression and nothing else yields the raw result; otherwise
    each expression is replaced by ``str()`` of its result.
    """
    first = PATTERN.search(value)
    if first is None:
        return value
    if first.start() == 0 and first.end() == len(value):
        return evaluate_body(value[2:-2], data, get_context)

    def render(match: re.Match) -> str:
        return str(evaluate_body(match.group(0)[2:-2], data, get_context))

    return PATTERN.sub(render, value)


def validate(value: str) -> None:
    """Raise ExpressionSyntaxError if any ``<% %>`` of ``value`` does not parse."""
    for match in PATTERN.finditer(value):
        body = match.group(0)[2:-2].strip()
        try:
            _compile(body)
        except _SYNTAX_ERRORS as e:
            reason = base.describe_error(e)
            raise base.ExpressionSyntaxError(
                base.format_error("Invalid YAQL expression", body, reason),
                expression=body, reason=reason,
            ) from None
