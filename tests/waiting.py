"""The one way tests wait for what another thread or process does.

Engine and conductor tests never wait: they drive the conductor synchronously. API,
functional and integration tests watch a real service, and poll it through these two
functions only, so that every wait has a deadline and backs off the same way.
"""

import time


def poll(predicate, timeout=30, interval=0.05, max_interval=0.25):
    """``predicate()``'s first truthy value within ``timeout`` seconds, else None.

    Tries at once, then after ``interval`` seconds, doubling the delay up to
    ``max_interval`` (never below ``interval``), and once more at the deadline."""
    deadline = time.monotonic() + timeout
    delay = interval
    while True:
        value = predicate()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(delay, left))
        delay = min(delay * 2, max(max_interval, interval))


def wait_for(predicate, timeout=30, interval=0.05, message=None, max_interval=0.25):
    """Like ``poll``, but an AssertionError when the deadline passes; ``message`` (a
    string, or a callable giving one, evaluated only then) says what was awaited."""
    value = poll(predicate, timeout, interval, max_interval)
    if not value:
        if callable(message):
            message = message()
        raise AssertionError(message or "condition not met within %s s" % timeout)
    return value
