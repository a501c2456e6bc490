"""Task policies as pure decisions: retry, wait-before/after, timeout, pause-before.

The engine evaluates the expressions a policy holds (they may read the task's result)
and asks these functions what to do; delays are carried out through the scheduler's
table of due jobs, so they survive a restart of any service.
"""

import dataclasses

from mistral_svc.workflow import states


class PolicyError(ValueError):
    """A policy value that cannot be used (negative count, non-number delay...)."""


def _number(name, value, integer=True):
    if isinstance(value, bool):
        raise PolicyError("%s must be a number, got %r" % (name, value))
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise PolicyError("%s must be a number, got %r" % (name, value))
    if number < 0:
        raise PolicyError("%s must not be negative, got %r" % (name, value))
    return number


@dataclasses.dataclass
class Retry:
    """An evaluated ``retry`` policy."""

    count: int
    delay: float = 0
    break_on: bool = False
    # None when the policy has no continue-on clause.
    continue_on: bool = None

    @classmethod
    def from_values(cls, count, delay=0, break_on=False, continue_on=None):
        return cls(_number("retry count", count), _number("retry delay", delay or 0, False),
                   bool(break_on), None if continue_on is None else bool(continue_on))


def should_retry(retry, attempts_done, state):
    """True if a task that ended in ``state`` after ``attempts_done`` retries goes again.

    A failed task is retried until ``count`` retries were made or ``break-on`` holds; a
    successful one only while ``continue-on`` holds (polling until a condition turns).
    A ``continue-on`` that evaluates to false breaks the loop whatever the state.
    """
    if retry is None or attempts_done >= retry.count or retry.break_on:
        return False
    if retry.continue_on is False:
        return False
    if state == states.ERROR:
        return True
    if state == states.SUCCESS:
        return bool(retry.continue_on)
    return False


def delay_seconds(name, value):
    """A wait-before/wait-after/timeout value as seconds (0 means none)."""
    if value is None:
        return 0
    return _number(name, value, integer=False)


def timeout_message(seconds):
    return "Task timed out [timeout(s)=%s]." % _fmt(seconds)


def _fmt(seconds):
    return int(seconds) if float(seconds).is_integer() else seconds
