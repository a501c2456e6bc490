"""Remember pecan's controller argspecs instead of recomputing them per request.

pecan looks up the argument spec of the controller methods it routes through several
times per request, and its Python 3 ``getargspec`` defines a new namedtuple class on
every call. That alone was about a third of the API's CPU time per request. A
function's signature does not change while the process runs, so the answer for each
function is computed once.
"""

import functools
import threading
import types

import pecan.compat
import pecan.core
import pecan.decorators
import pecan.rest
import pecan.routing
import pecan.util

_MAX_ENTRIES = 4096
_lock = threading.Lock()
_installed = []


def _cached(original):
    cache = {}

    @functools.wraps(original)
    def getargspec(func):
        # A bound method is a new object on every attribute access; its function is
        # not. The two can have different argspecs (a decorated function may carry a
        # ``__signature__``), so they are remembered apart.
        if isinstance(func, types.MethodType):
            key = (func.__func__, True)
        else:
            key = (func, False)
        try:
            return cache[key]
        except KeyError:
            spec = original(func)
            if len(cache) < _MAX_ENTRIES:  # controllers are few; never grow unbounded
                cache[key] = spec
            return spec
        except TypeError:  # unhashable callable: nothing to remember it by
            return original(func)

    return getargspec


def install():
    """Patch pecan's lookups (idempotent)."""
    with _lock:
        if _installed:
            return
        pecan.util._getargspec = _cached(pecan.compat.getargspec)
        fast = _cached(pecan.util.getargspec)
        for module in (pecan.util, pecan.core, pecan.decorators, pecan.rest,
                       pecan.routing):
            module.getargspec = fast
        _installed.append(fast)
