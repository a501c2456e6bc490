"""Jinja2 expressions: ``{{ ... }}`` and ``{% ... %}``, the data context is ``_``."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import compiler, pass_environment, pass_eval_context, sandbox

from mistral_svc.expressions import base, bounds, functions, plugins

# Same delimiters and the same non-multiline matching as Mistral, so a string is an
# expression here exactly when it is one there.
PATTERN = re.compile(r"{{.*?}}|{%.*?%}")

# A string is evaluated to a raw value (not rendered to text) when its first
# "{{ ... }}" spans the whole string, which is how Mistral decides it as well.
_SINGLE = re.compile(r"{{(.*?)}}")


def _size(value: Any) -> int:
    """Bytes ``value`` takes, for the sequences the checks below care about."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, (list, tuple)):
        return 8 * len(value) + 56
    return 0


def _check_binop(operator: str, left: Any, right: Any) -> None:
    quota = base.settings.memory_quota
    if quota < 0:
        return
    if operator in ("*", "**"):
        bounds.check_int_op(operator, left, right)
    if operator == "**":
        return
    elif operator == "*":
        if type(right) is int and isinstance(left, (str, bytes, list, tuple)):
            seq, count = left, right
        elif type(left) is int and isinstance(right, (str, bytes, list, tuple)):
            seq, count = right, left
        else:
            return
        if count > 0:
            bounds.charge(_size(seq) * count)
    elif operator == "+":
        if isinstance(left, (str, bytes, list, tuple)) and type(left) is type(right):
            bounds.charge(_size(left) + _size(right))
    elif operator == "%" and isinstance(left, str):
        bounds.charge(len(left) + _format_widths(left))


_WIDTHS = re.compile(r"%[-+ #0]*(\d*)(?:\.(\d+))?|\{[^{}]*?:[^{}]*?(\d+)(?:\.(\d+))?[^{}]*\}")


def _format_widths(template: str) -> int:
    """The padding the widths and precisions of a %- or {}-format may add."""
    total = 0
    for match in _WIDTHS.finditer(template):
        for group in match.groups():
            if group:
                total += int(group) if len(group) < 12 else 10 ** 12
    return total


def _checked_str_call(obj: str, name: str, args: tuple, kwargs: dict) -> None:
    """Charge what a str method is about to allocate (padding, replacing, joining)."""
    first = args[0] if args else None
    if name in ("ljust", "rjust", "center", "zfill"):
        width = first if first is not None else kwargs.get("width")
        if type(width) is int:
            bounds.charge(max(width, len(obj)))
    elif name == "expandtabs":
        size = first if first is not None else kwargs.get("tabsize", 8)
        if type(size) is int:
            bounds.charge(len(obj) + max(size, 0) * obj.count("\t"))
    elif name == "replace" and len(args) >= 2 and isinstance(args[1], str):
        old, new = args[0], args[1]
        if isinstance(old, str) and len(new) > len(old):
            hits = obj.count(old) if old else len(obj) + 1
            bounds.charge(len(obj) + hits * (len(new) - len(old)))
    elif name in ("format", "format_map"):
        bounds.charge(len(obj) + _format_widths(obj))


def _joined_size(items: list, separator: Any) -> int:
    sep = len(separator) if isinstance(separator, str) else 0
    return sum(len(i) if isinstance(i, str) else 16 for i in items) + sep * len(items)


def bounded_concat(values: Any) -> str:
    """Jinja's ``~``: the pieces are charged before they are joined."""
    pieces = [v if isinstance(v, str) else str(bounds.check_expanded(v)) for v in values]
    bounds.charge(sum(len(p) for p in pieces))
    return "".join(pieces)


class _Codegen(compiler.CodeGenerator):
    """Jinja's code generator with ``~`` going through ``bounded_concat``."""

    def visit_Concat(self, node: Any, frame: Any) -> None:
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _BoundedSandbox(sandbox.SandboxedEnvironment):
    """Sandbox that also refuses arithmetic producing huge strings, lists or numbers,
    and charges string building to the evaluation's budget (``bounds``)."""

    code_generator_class = _Codegen
    # Intercepting also stops Jinja from constant-folding these at compile time.
    intercepted_binops = frozenset(("*", "**", "+", "%"))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any,  # noqa: N805
             **kwargs: Any) -> Any:
        # The sandbox hands str.format out wrapped; the wrapper keeps the bound method.
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        name = getattr(method, "__name__", None)
        if isinstance(owner, str) and name:
            if name == "join" and args:
                items = list(args[0])
                bounds.charge(_joined_size(items, owner))
                args = (items,) + args[1:]
            else:
                _checked_str_call(owner, name, args, kwargs)
        elif isinstance(owner, list) and name in ("append", "insert", "extend"):
            if name == "extend" and args:
                items = list(args[0])
                bounds.charge(8 * len(items))
                args = (items,) + args[1:]
            else:
                bounds.charge(8)
        return super().call(__context, __obj, *args, **kwargs)

    bounded_concat = staticmethod(bounded_concat)


def _bounded_range(*args: int) -> range:
    result = range(*args)
    limit = base.settings.limit_iterators
    if limit < 0:
        limit = sandbox.MAX_RANGE
    if len(result) > limit:
        raise OverflowError(f"range() is limited to {limit} items")
    return result


def _bounded_filters(env: jinja2.Environment) -> None:
    """Wrap the built-in filters that build strings so what they build is charged."""
    filters = env.filters
    join, center, indent, replace, fmt, wordwrap = (
        filters["join"], filters["center"], filters["indent"], filters["replace"],
        filters["format"], filters["wordwrap"])

    @pass_eval_context
    def do_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
        items = list(value)
        bounds.charge(_joined_size(items, d))
        return join(eval_ctx, items, d, attribute)

    def do_center(value: str, width: int = 80) -> str:
        if type(width) is int:
            bounds.charge(max(width, len(str(value))))
        return center(value, width)

    def do_indent(s: str, width: Any = 4, first: bool = False, blank: bool = False) -> str:
        text = str(s)
        if type(width) is int:
            bounds.charge(len(text) + max(width, 0) * (text.count("\n") + 1))
        elif isinstance(width, str):
            bounds.charge(len(text) + len(width) * (text.count("\n") + 1))
        return indent(s, width, first, blank)

    @pass_eval_context
    def do_replace(eval_ctx: Any, s: str, old: str, new: str,
                   count: int | None = None) -> str:
        _checked_str_call(str(s), "replace", (str(old), str(new)), {})
        return replace(eval_ctx, s, old, new, count)

    def do_format(value: str, *args: Any, **kwargs: Any) -> str:
        bounds.charge(len(str(value)) + _format_widths(str(value)))
        return fmt(value, *args, **kwargs)

    @pass_environment
    def do_wordwrap(environment: Any, s: str, width: int = 79, *args: Any,
                    **kwargs: Any) -> str:
        bounds.charge(2 * len(str(s)))
        return wordwrap(environment, s, width, *args, **kwargs)

    filters.update(join=do_join, center=do_center, indent=do_indent, replace=do_replace,
                   format=do_format, wordwrap=do_wordwrap)
    # Filters that write a value out in full: shared lists are checked first.
    for name in ("tojson", "string", "pprint", "list", "unique", "sort"):
        if name in filters:
            filters[name] = _checked_first(filters[name])


def _checked_first(func: Callable) -> Callable:
    kind = getattr(func, "jinja_pass_arg", None)

    def checked(*args: Any, **kwargs: Any) -> Any:
        value_index = 1 if kind is not None else 0
        if len(args) > value_index:
            bounds.check_expanded(args[value_index])
        return func(*args, **kwargs)

    if kind is not None:
        checked.jinja_pass_arg = kind
    return checked


def _render(template: jinja2.Template, data: Any) -> str:
    """Render chunk by chunk, charging the output as it grows."""
    out = []
    for chunk in template.generate(_=data):
        bounds.charge(len(chunk))
        out.append(chunk)
    return "".join(out)


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
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        # Every {{ }} of a template is written out: shared lists are checked first.
        finalize=bounds.check_expanded,
    )
    _bounded_filters(env)
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
            return _render(_compile_template(value), data)
        # Converting also surfaces StrictUndefined values, which only fail when used.
        return base.to_plain(bounds.check_expanded(_compile_expression(source)(_=data)))
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
