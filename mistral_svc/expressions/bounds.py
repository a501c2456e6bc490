"""Per-evaluation bounds: time and the bytes that string and list building may allocate.

Every top-level evaluation (one ``evaluate`` or ``evaluate_recursively`` call) runs
under a ``Budget``: a deadline (``settings.evaluation_timeout`` seconds) and a running
total of what the checked operations (Jinja's repetition, concatenation, padding,
joining, rendered output...) are about to allocate, against ``settings.memory_quota``.
YAQL's own ``memoryQuota`` and ``limitIterators`` bound each YAQL operation.

The deadline is enforced by a watchdog thread that raises ``EvaluationTimeout`` in the
evaluating thread (``PyThreadState_SetAsyncExc``): pure-Python evaluation (YAQL, Jinja's
loops) stops at the next bytecode once the deadline has passed, whatever it is doing.
A timeout still pending when the evaluation ends is withdrawn before control leaves
the evaluation, so it can never surface in the caller's code.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
import time
from collections.abc import Mapping
from typing import Any, Iterator

from mistral_svc.expressions import base


class LimitExceeded(Exception):
    """An evaluation reached one of its bounds; the message says which."""


class EvaluationTimeout(LimitExceeded):
    """Raised asynchronously in a thread whose evaluation ran past its deadline."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args or (timeout_message(),))


def timeout_message() -> str:
    return ("the evaluation took longer than %s seconds ([expressions] evaluation_timeout)"
            % _seconds(base.settings.evaluation_timeout))


def _seconds(value: float) -> str:
    return ("%g" % value) if value else "0"


def memory_message(size: int) -> str:
    return ("the evaluation would allocate more than %d bytes ([yaql] memory_quota), "
            "%d asked" % (base.settings.memory_quota, size))


#: Largest integer, in bits, arithmetic may build (about 315,000 decimal digits, far
#: beyond the 4300 digits a number may have to be shown or stored). Big-integer
#: arithmetic runs in C, where the watchdog cannot stop it, so it is checked before.
MAX_INT_BITS = 1 << 20


def check_int_result(bits: int) -> None:
    """LimitExceeded if an integer result would have more than MAX_INT_BITS bits."""
    if bits > MAX_INT_BITS:
        raise LimitExceeded("the evaluation would build an integer of more than %d bits"
                            % MAX_INT_BITS)


def check_int_op(operator: str, left: Any, right: Any) -> None:
    """Check ``left <operator> right`` for ``*``, ``**`` and ``<<`` on integers."""
    if type(left) is not int or type(right) is not int or isinstance(left, bool):
        return
    if operator == "*":
        check_int_result(left.bit_length() + right.bit_length())
    elif operator == "**":
        if right > 0 and abs(left) > 1:
            check_int_result(right * (abs(left).bit_length() - 1) + 1)
    elif operator == "<<":
        if right > 0 and left:
            check_int_result(left.bit_length() + right)


_CONTAINERS = (Mapping, list, tuple, set, frozenset)


def _parts(value: Any) -> Any:
    if isinstance(value, Mapping):
        return [p for item in value.items() for p in item]
    return value


def expanded_size(value: Any, limit: int) -> int:
    """Bytes ``value`` takes once written out in full (every shared list or dict counted
    each time it appears, as JSON and str() write it), computed without writing it: one
    walk over its distinct containers, sizes summed bottom-up. LimitExceeded as soon as
    it passes ``limit`` (negative: none), or if it contains itself."""
    if not isinstance(value, _CONTAINERS):
        return len(value) if isinstance(value, (str, bytes)) else 8
    sizes: dict[int, int] = {}
    on_path = set()
    stack = [(value, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            total = 8 * len(node)
            for part in _parts(node):
                if isinstance(part, _CONTAINERS):
                    total += sizes[id(part)]
                elif isinstance(part, (str, bytes)):
                    total += len(part)
                else:
                    total += 8
            if 0 <= limit < total:
                raise LimitExceeded(
                    "the result would take more than %d bytes written out ([yaql] "
                    "memory_quota)" % limit)
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise LimitExceeded("the result contains itself")
        on_path.add(key)
        stack.append((node, True))
        for part in _parts(node):
            if isinstance(part, _CONTAINERS):
                if id(part) in on_path:
                    raise LimitExceeded("the result contains itself")
                if id(part) not in sizes:
                    stack.append((part, False))
    return sizes[id(value)]


def check_expanded(value: Any) -> Any:
    """``value``, if written out in full it stays within the memory quota (see
    ``expanded_size``): a list holding the same list many times, nested a few levels,
    is small in memory and huge once converted or printed."""
    if isinstance(value, _CONTAINERS):
        expanded_size(value, base.settings.memory_quota)
    return value


class Budget:
    """What the evaluation running in one thread may still spend. One per thread,
    reused by each of its evaluations, so that starting one costs a clock read and a
    few attribute writes (evaluations are on the engine's hot path)."""

    __slots__ = ("active", "allocated", "deadline", "fired", "lock", "thread_id")

    def __init__(self) -> None:
        self.active = False
        self.deadline: float | None = None
        self.allocated = 0
        self.fired = False
        self.lock = threading.Lock()
        self.thread_id = threading.get_ident()


_local = threading.local()


def _own_budget() -> Budget:
    budget = getattr(_local, "budget", None)
    if budget is None:
        budget = _local.budget = Budget()
        _watchdog.add(budget)
    return budget


def current() -> Budget | None:
    """The budget of the evaluation running in this thread, if any."""
    budget = getattr(_local, "budget", None)
    return budget if budget is not None and budget.active else None


def charge(size: int) -> None:
    """Count ``size`` bytes against the running evaluation; LimitExceeded past the
    quota. Outside an evaluation only the single size is checked."""
    quota = base.settings.memory_quota
    if quota < 0:
        return
    budget = current()
    total = size if budget is None else budget.allocated + size
    if size > quota or total > quota:
        raise LimitExceeded(memory_message(total))
    if budget is not None:
        budget.allocated = total


class _Watchdog:
    """One daemon thread that interrupts evaluations past their deadline; it looks at
    the budget of every thread that ever evaluated, a few dozen at most."""

    POLL = 0.05

    def __init__(self) -> None:
        self._budgets: dict[int, Budget] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, budget: Budget) -> None:
        with self._lock:
            # Keyed by thread id: a new thread reusing an id replaces the dead one's.
            self._budgets[budget.thread_id] = budget
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="expression-watchdog")
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.POLL)
            with self._lock:
                budgets = list(self._budgets.values())
            now = time.monotonic()
            for budget in budgets:
                deadline = budget.deadline
                if deadline is not None and now > deadline:
                    _interrupt(budget)


def _set_async_exc(thread_id: int, exc_class: type | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc_class) if exc_class else None)


def _interrupt(budget: Budget) -> None:
    with budget.lock:
        if budget.fired or budget.deadline is None:
            return
        budget.fired = True
        _set_async_exc(budget.thread_id, EvaluationTimeout)


_watchdog = _Watchdog()


def _close(budget: Budget) -> bool:
    """Stop the watchdog from interrupting ``budget``'s thread and withdraw an
    interrupt sent but not delivered yet; True if one was sent. A delivery racing with
    this is caught and the withdrawal done again."""
    while True:
        try:
            with budget.lock:
                budget.deadline = None
                fired = budget.fired
            if fired:
                _set_async_exc(budget.thread_id, None)
            return fired
        except EvaluationTimeout:
            continue  # delivered before the withdrawal: nothing is pending now


@contextlib.contextmanager
def guarded() -> Iterator[Budget | None]:
    """Run the block as one evaluation under a fresh budget (nested blocks share the
    outermost one). A timeout that fired is raised even if the evaluated code
    swallowed it or turned it into another error."""
    budget = _own_budget()
    if budget.active:
        yield budget
        return
    timeout = base.settings.evaluation_timeout
    budget.allocated = 0
    budget.active = True
    with budget.lock:
        budget.fired = False
        budget.deadline = time.monotonic() + timeout if timeout and timeout > 0 else None
    timed_out = False
    try:
        yield budget
    except EvaluationTimeout:
        timed_out = True
    finally:
        # Whatever happens here, the budget must end inactive and with nothing pending:
        # a stale one would hold every later evaluation of this thread to it.
        while True:
            try:
                fired = _close(budget)
                budget.active = False
                break
            except EvaluationTimeout:
                timed_out = True
    if fired or timed_out:
        raise EvaluationTimeout() from None
