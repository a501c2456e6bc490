"""Shared pieces of the expression package: errors, the runtime contract, limits.

Nothing in here performs I/O. The engine hands a :class:`Runtime` to the evaluation
functions; the expression functions (``task()``, ``execution()``...) reach it through a
context variable so that the YAQL root context and the Jinja environment can be built
once and shared by every evaluation, in every thread.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

# Defaults for the evaluation bounds; :func:`mistral_svc.expressions.configure` changes
# the values in effect (a negative value disables a bound).
DEFAULT_LIMIT_ITERATORS = 10000
DEFAULT_MEMORY_QUOTA = 128 * 1024 * 1024
DEFAULT_EVALUATION_TIMEOUT = 10.0

# How many parsed YAQL expressions / compiled Jinja templates are kept per process.
CACHE_SIZE = 8192

# Error reasons come from Python, YAQL or Jinja and can quote operand values; capping
# them keeps a failing expression from copying large pieces of data into state_info.
MAX_REASON_LENGTH = 300


class ExpressionError(Exception):
    """An expression could not be evaluated.

    The message names the expression and the reason. It never contains the data
    context, which may hold credentials.
    """

    def __init__(self, message: str, *, expression: str | None = None,
                 reason: str | None = None) -> None:
        super().__init__(message)
        self.expression = expression
        self.reason = reason if reason is not None else message


class ExpressionSyntaxError(ExpressionError):
    """An expression is not valid YAQL or Jinja (reported at definition upload too)."""


class Runtime(Protocol):
    """Access to execution state, implemented by the engine.

    The expression package only calls these methods (with the keyword names below);
    it never touches storage itself. Returned values are handed to workflow authors,
    so they should be JSON-compatible (Mistral shows timestamps as
    ``YYYY-MM-DD hh:mm:ss`` strings); they are copied, never modified.

    Methods should raise :class:`ExpressionError` for problems the workflow author
    caused (for instance an unknown execution id). Any other exception propagates out
    of ``evaluate()`` unchanged so the engine can tell infrastructure failures (e.g. a
    database deadlock worth retrying) apart from bad expressions.
    """

    def execution(self) -> dict:
        """Return the current workflow execution.

        Keys: ``id``, ``name``, ``spec``, ``input``, ``params``, ``state``,
        ``state_info``, ``created_at``, ``updated_at``, ``root_execution_id``,
        ``task_execution_id`` (more keys are allowed).
        """

    def task(self, name: str | None = None) -> dict | None:
        """Return a task execution of the current workflow execution, or None.

        ``name=None`` means the task in whose scope the expression is evaluated. Keys:
        ``id``, ``name``, ``spec``, ``state``, ``state_info``, ``result`` (the action
        result, or the list of results for with-items), ``published``, ``type``,
        ``workflow_execution_id``, ``created_at``, ``updated_at``.
        """

    def tasks(self, wf_ex_id: str | None = None, recursive: bool = False,
              state: str | None = None, flat: bool = False) -> list[dict]:
        """Return task executions (same shape as :meth:`task`) matching the filters.

        ``wf_ex_id`` limits the result to one workflow execution (all executions when
        None); ``recursive`` adds the tasks of sub-workflows started from it; ``state``
        keeps tasks in that state; ``flat`` keeps action tasks and those workflow tasks
        whose state differs from the sub-workflow they started.
        """

    def env(self) -> dict:
        """Return the environment the execution was started with."""

    def executions(self, id: str | None = None, root_execution_id: str | None = None,
                   state: str | None = None, from_time: str | None = None,
                   to_time: str | None = None) -> list[dict]:
        """Return workflow executions (same shape as :meth:`execution`).

        ``from_time`` keeps executions created at or after it, ``to_time`` those created
        strictly before it; both are ``YYYY-MM-DD hh:mm:ss`` strings.
        """

    def global_var(self, name: str) -> Any:
        """Return a variable of the execution's global context, or None if unset."""


class Settings:
    """Evaluation bounds in effect; changed through ``configure()``."""

    def __init__(self) -> None:
        self.limit_iterators = DEFAULT_LIMIT_ITERATORS
        self.memory_quota = DEFAULT_MEMORY_QUOTA
        self.convert_input_data = True
        # Seconds one evaluation may run (see bounds); 0 or less for no limit.
        self.evaluation_timeout = DEFAULT_EVALUATION_TIMEOUT
        # YAQL's output conversions: results must be JSON-compatible by default.
        self.convert_output_data = True
        self.convert_tuples_to_lists = True
        self.convert_sets_to_lists = True
        self.iterable_dicts = False
        self.keyword_operator = "=>"
        self.allow_delegates = False
        # The languages workflows may use ("yaql", "jinja").
        self.allowed_languages = frozenset(("yaql", "jinja"))


def check_language_allowed(language: str, value: str) -> None:
    """Raise ExpressionSyntaxError if the operator disabled ``language``."""
    if language not in settings.allowed_languages:
        raise ExpressionSyntaxError(
            "The '%s' expression language is disabled by the operator." % language,
            expression=value.strip())


settings = Settings()


class _Scope:
    __slots__ = ("data", "runtime")

    def __init__(self, runtime: Runtime | None, data: Any) -> None:
        self.runtime = runtime
        self.data = data


_NO_SCOPE = _Scope(None, None)

_scope: contextvars.ContextVar[_Scope] = contextvars.ContextVar(
    "mistral_expression_scope", default=_NO_SCOPE
)


def enter_scope(runtime: Runtime | None, data: Any) -> contextvars.Token:
    """Expose ``runtime`` and the data context to expression functions.

    Pair every call with :func:`leave_scope`.
    """
    return _scope.set(_Scope(runtime, data))


def leave_scope(token: contextvars.Token) -> None:
    """Restore the scope that was in effect before :func:`enter_scope`."""
    _scope.reset(token)


def current_runtime() -> Runtime | None:
    """Return the runtime of the evaluation in progress (None outside an execution)."""
    return _scope.get().runtime


def current_data() -> Any:
    """Return the data context of the evaluation in progress."""
    return _scope.get().data


class RuntimeFailure(Exception):
    """Carries an exception raised by the Runtime through YAQL/Jinja untouched."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


def describe_error(exc: BaseException) -> str:
    """Turn an evaluation failure into a short reason that does not dump data."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None and getattr(exc, "problem", None):
        # A YAML parser error would otherwise quote the offending lines of the document.
        text = f"{exc.problem} (line {mark.line + 1}, column {mark.column + 1})"
    elif isinstance(exc, ValueError) and not hasattr(exc, "pos"):
        # Conversion errors quote the offending value ("invalid literal for int() with
        # base 10: '...'"), which may be a secret; JSON decode errors (they have
        # ``pos``) only give a position and are kept whole.
        text = _QUOTED.sub("'***'", str(exc))
    else:
        text = str(exc)
    if type(exc).__module__ == "builtins":
        # Bare messages such as "'foo'" (KeyError) are meaningless without the type.
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    elif not text:
        text = type(exc).__name__
    if len(text) > MAX_REASON_LENGTH:
        text = text[:MAX_REASON_LENGTH] + "..."
    return text


# Python cuts long reprs in messages short, so a quote may never be closed.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*(?:'|$)|\"(?:[^\"\\]|\\.)*(?:\"|$)", re.S)


def format_error(what: str, expression: str, reason: str) -> str:
    """Build the message used by every evaluation/validation error."""
    return f"{what} [expression={expression.strip()}, error={reason}]"


_SCALARS = frozenset((str, int, float, bool, type(None)))


def to_plain(obj: Any, limit: int | None = None) -> Any:
    """Return ``obj`` rebuilt from plain dicts and lists so it can be JSON-encoded.

    Mappings (including YAQL's frozen dicts) become dicts; tuples, sets, ranges,
    generators and other iterables become lists. Lazy iterables longer than ``limit``
    raise ValueError so an endless generator cannot exhaust memory. Objects that are
    neither containers nor iterable (datetimes, for example) are returned as is.
    """
    if limit is None:
        limit = settings.limit_iterators
    return _to_plain(obj, limit)


def _plain_key(key: Any) -> Any:
    # Keys must stay hashable, so only string subclasses are normalised.
    if type(key) is not str and isinstance(key, str):
        return str.__str__(key)
    return key


def _to_plain(obj: Any, limit: int) -> Any:
    kind = type(obj)
    if kind in _SCALARS:
        return obj
    if kind is list or kind is tuple:
        return [_to_plain(item, limit) for item in obj]
    if isinstance(obj, Mapping):
        return {_plain_key(k): _to_plain(v, limit) for k, v in obj.items()}
    if isinstance(obj, str):
        # str subclasses (e.g. Jinja's Markup) are turned into the plain type.
        return str.__str__(obj)
    if isinstance(obj, (bytes, bytearray)):
        return obj
    if isinstance(obj, (list, tuple, set, frozenset, range)):
        return [_to_plain(item, limit) for item in obj]
    if isinstance(obj, Iterable):
        # Iterating also makes Jinja's StrictUndefined raise its "undefined" error.
        items = []
        for index, item in enumerate(obj):
            if 0 <= limit <= index:
                raise ValueError(f"collection length exceeds {limit} elements")
            items.append(_to_plain(item, limit))
        return items
    return obj
