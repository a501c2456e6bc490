"""Compute each controller function's argspec once, not on every request.

pecan asks for the argspec of the controllers on a request's route several times per
request, and the helper it asks (``pecan.compat.getargspec``) defines a new namedtuple
class every time it is called: about a tenth of the API's CPU per request. Only that
helper is memoised here; pecan's own walk through decorators (``pecan.util.getargspec``)
still runs as written, so what it finds is unchanged.

The helper's answer is ``inspect.getfullargspec`` of the callable it is given, which is
fixed by the function's code and defaults. A bound method is a new object on every
attribute access; its function is not, so the function is the key (bound and plain
apart, in case a callable answers differently as a method).
"""

import threading
import types

import pecan.compat
import pecan.util

_MAX_ENTRIES = 4096
_lock = threading.Lock()
_original = pecan.compat.getargspec


def _key(func):
    if isinstance(func, types.MethodType):
        return (func.__func__, True)
    return (func, False)


def _memoised(cache):
    def getargspec(func):
        try:
            key = _key(func)
            return cache[key]
        except KeyError:
            spec = _original(func)
            if len(cache) < _MAX_ENTRIES:  # controllers are few: never grows unbounded
                cache[key] = spec
            return spec
        except TypeError:  # an unhashable callable: nothing to key it by
            return _original(func)

    getargspec.memoised = True
    return getargspec


def install():
    """Make pecan's argspec lookups go through the cache (idempotent)."""
    with _lock:
        if not getattr(pecan.util._getargspec, "memoised", False):
            pecan.util._getargspec = _memoised({})
