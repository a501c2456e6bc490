"""Evaluation and validation of strings and nested data holding expressions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mistral_svc.expressions import base, bounds, jinja_expr, yaql_expr

YAQL = "yaql"
JINJA = "jinja"


def _language(value: str) -> str | None:
    # Substring tests first: most strings have no expression and this is the hot path.
    # Jinja is checked before YAQL, as Mistral does, so a string holding both kinds is
    # treated as a Jinja template (validation rejects such strings anyway).
    if ("{{" in value or "{%" in value) and jinja_expr.PATTERN.search(value):
        return JINJA
    if "<%" in value and yaql_expr.PATTERN.search(value):
        return YAQL
    return None


class _Session:
    """One evaluation call: the data context, prepared lazily for YAQL only once."""

    __slots__ = ("_yaql_context", "data", "include_keys")

    def __init__(self, data: Any, include_keys: bool = False) -> None:
        self.data = data
        self.include_keys = include_keys
        self._yaql_context = None

    def yaql_context(self) -> Any:
        if self._yaql_context is None:
            self._yaql_context = yaql_expr.make_context(self.data)
        return self._yaql_context

    def string(self, value: str) -> Any:
        language = _language(value)
        if language is None:
            return value
        base.check_language_allowed(language, value)
        if language == JINJA:
            return jinja_expr.evaluate(value, self.data)
        return yaql_expr.evaluate(value, self.data, self.yaql_context)

    def walk(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.string(obj)
        if type(obj) is dict or isinstance(obj, Mapping):
            result = {}
            for key, value in obj.items():
                if self.include_keys and isinstance(key, str):
                    key = self._key(key)
                result[key] = self.walk(value)
            return result
        if isinstance(obj, list):
            return [self.walk(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.walk(item) for item in obj)
        return obj

    def _key(self, key: str) -> Any:
        evaluated = self.string(key)
        try:
            hash(evaluated)
        except TypeError:
            raise base.ExpressionError(
                base.format_error(
                    "Failed to evaluate dictionary key", key,
                    f"the result is a {type(evaluated).__name__}, which cannot be a key",
                ),
                expression=key.strip(),
            ) from None
        return evaluated


def evaluate(value: Any, ctx: Any, runtime: base.Runtime | None = None) -> Any:
    """Evaluate the expressions of one string.

    A string without ``<% %>``, ``{{ }}`` or ``{% %}`` (and any non-string) is
    returned unchanged. A string that is exactly one ``<% ... %>`` or one
    ``{{ ... }}`` yields the raw result (dict, list, number, None...). Otherwise the
    result is a string: for YAQL each expression is replaced by ``str()`` of its value
    (``None`` -> ``"None"``), for Jinja the whole string is rendered as a template.

    ``ctx`` is ``$`` in YAQL and ``_`` in Jinja; it is never modified. ``runtime``
    serves ``task()``, ``execution()`` and the other execution-state functions.

    Raises ExpressionSyntaxError for malformed expressions and ExpressionError when
    evaluation fails; exceptions raised by ``runtime`` itself propagate unchanged.
    """
    if not isinstance(value, str):
        return value
    language = _language(value)
    if language is None:
        return value
    base.check_language_allowed(language, value)
    token = base.enter_scope(runtime, ctx)
    try:
        with bounds.guarded():
            if language == JINJA:
                return jinja_expr.evaluate(value, ctx)
            return yaql_expr.evaluate(value, ctx, _Session(ctx).yaql_context)
    except bounds.EvaluationTimeout as e:
        raise _timeout_error(value, e) from None
    finally:
        base.leave_scope(token)


def _timeout_error(value: str, exc: BaseException) -> base.ExpressionError:
    what = "Can not evaluate %s expression" % (
        "Jinja" if _language(value) == JINJA else "YAQL")
    return base.ExpressionError(base.format_error(what, value.strip(), str(exc)),
                                expression=value.strip(), reason=str(exc))


def evaluate_recursively(data: Any, ctx: Any, runtime: base.Runtime | None = None, *,
                         include_keys: bool = False) -> Any:
    """Evaluate every string inside dicts, lists and tuples of ``data``.

    Returns new containers (``data`` is not modified); other values are returned as
    they are. Dictionary keys are left as written, as in Mistral, unless
    ``include_keys`` is true. Errors are raised as by :func:`evaluate`.
    """
    if isinstance(data, str):
        return evaluate(data, ctx, runtime)
    token = base.enter_scope(runtime, ctx)
    try:
        with bounds.guarded():
            return _Session(ctx, include_keys).walk(data)
    except bounds.EvaluationTimeout as e:
        raise base.ExpressionError("Can not evaluate expressions: %s" % e,
                                   reason=str(e)) from None
    finally:
        base.leave_scope(token)


def validate(value: Any) -> None:
    """Raise ExpressionSyntaxError if a string holds a malformed expression.

    Also rejects a string that mixes YAQL and Jinja expressions. Non-strings and
    strings without expressions are accepted.
    """
    if not isinstance(value, str):
        return
    has_jinja = ("{{" in value or "{%" in value) and jinja_expr.PATTERN.search(value)
    has_yaql = "<%" in value and yaql_expr.PATTERN.search(value)
    if has_jinja and has_yaql:
        raise base.ExpressionSyntaxError(
            base.format_error(
                "Invalid expression", value,
                "YAQL and Jinja expressions cannot be mixed in one string",
            ),
            expression=value.strip(),
        )
    if has_jinja:
        base.check_language_allowed(JINJA, value)
        jinja_expr.validate(value)
    elif has_yaql:
        base.check_language_allowed(YAQL, value)
        yaql_expr.validate(value)


def validate_recursively(data: Any, *, include_keys: bool = False) -> None:
    """Apply :func:`validate` to every string inside dicts, lists and tuples."""
    if isinstance(data, str):
        validate(data)
    elif isinstance(data, Mapping):
        for key, value in data.items():
            if include_keys:
                validate(key)
            validate_recursively(value, include_keys=include_keys)
    elif isinstance(data, (list, tuple)):
        for item in data:
            validate_recursively(item, include_keys=include_keys)


def has_expressions(data: Any, *, include_keys: bool = False) -> bool:
    """Tell whether any string inside ``data`` contains an expression."""
    if isinstance(data, str):
        return _language(data) is not None
    if isinstance(data, Mapping):
        return any(
            (include_keys and isinstance(key, str) and _language(key) is not None)
            or has_expressions(value, include_keys=include_keys)
            for key, value in data.items()
        )
    if isinstance(data, (list, tuple)):
        return any(has_expressions(item, include_keys=include_keys) for item in data)
    return False


def configure(limit_iterators: int | None = None, memory_quota: int | None = None,
              convert_input_data: bool | None = None,
              evaluation_timeout: float | None = None, **options: Any) -> None:
    """Change the evaluation settings; arguments left as None keep their current value.

    ``limit_iterators`` caps the number of items any YAQL collection may hold (and
    ``range()`` in Jinja); ``memory_quota`` caps, in bytes, what a single YAQL
    operation or Jinja repetition may allocate; a negative value disables the bound.
    ``convert_input_data`` makes YAQL see the context as immutable structures (as in
    Mistral, so e.g. dicts can go into sets); disabling it saves a walk over the
    context per evaluation call. ``evaluation_timeout`` caps, in seconds, how long one
    evaluation call may run (0 or less: no limit).

    ``options`` take Mistral's other ``[yaql]`` settings under their names
    (``convert_output_data``, ``convert_tuples_to_lists``, ``convert_sets_to_lists``,
    ``iterable_dicts``, ``keyword_operator``, ``allow_delegates``) and the
    ``[expressions]`` one, ``allowed_languages`` (a list of "yaql" and "jinja").
    """
    if limit_iterators is not None:
        base.settings.limit_iterators = int(limit_iterators)
    if memory_quota is not None:
        base.settings.memory_quota = int(memory_quota)
    if convert_input_data is not None:
        base.settings.convert_input_data = bool(convert_input_data)
    if evaluation_timeout is not None:
        base.settings.evaluation_timeout = float(evaluation_timeout)
    for name, value in options.items():
        if name not in _OPTIONS:
            raise TypeError("unknown expression option %r" % name)
        if value is not None:
            setattr(base.settings, name, _OPTIONS[name](value))
    yaql_expr.rebuild_engine()


def _languages(value: Any) -> frozenset:
    names = frozenset(str(v).strip().lower() for v in value)
    unknown = names - {YAQL, JINJA}
    if unknown:
        raise ValueError("unknown expression language(s): %s" % ", ".join(sorted(unknown)))
    return names


_OPTIONS = {
    "convert_output_data": bool,
    "convert_tuples_to_lists": bool,
    "convert_sets_to_lists": bool,
    "iterable_dicts": bool,
    "keyword_operator": str,
    "allow_delegates": bool,
    "allowed_languages": _languages,
}


def load_plugin_functions() -> list[str]:
    """Offer the functions installed packages register under
    ``mistral.expression.functions`` in both languages (again after installing one);
    returns their names."""
    from mistral_svc.expressions import plugins

    extra = plugins.load()
    yaql_expr.use_plugin_functions(extra)
    jinja_expr.use_plugin_functions(extra)
    return sorted(extra)
