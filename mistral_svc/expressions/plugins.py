"""Expression functions of installed packages: the ``mistral.expression.functions``
entry point, Mistral's group, so a package can add a YAQL and Jinja function.

An entry's name is the function's name in both languages. As in Mistral, a function
whose first parameter is named ``context`` receives the evaluation's context there:
yaql's context in YAQL (the data is ``context['$']``), the data context in Jinja. Our
own functions (``task``, ``env``...) keep their names: an entry using one is ignored.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from stevedore import extension

from mistral_svc.expressions import base, functions

LOG = logging.getLogger(__name__)

NAMESPACE = "mistral.expression.functions"


def takes_context(func: Callable) -> bool:
    """Whether ``func``'s first parameter is ``context`` (Mistral's convention)."""
    try:
        params = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0] == "context"


def _failed(manager: Any, entrypoint: Any, error: Exception) -> None:
    LOG.warning("expression function %s (%s) could not be loaded: %s: %s",
                entrypoint.name, entrypoint.value, type(error).__name__, error)


def load() -> dict[str, Callable]:
    """``{name: function}`` of every loadable entry (read again on every call)."""
    extension.ExtensionManager.ENTRY_POINT_CACHE.pop(NAMESPACE, None)
    manager = extension.ExtensionManager(NAMESPACE, invoke_on_load=False,
                                         on_load_failure_callback=_failed)
    found: dict[str, Callable] = {}
    for ext in manager:
        if ext.name in functions.FUNCTIONS:
            LOG.warning("expression function %s of %s ignored: it is a built-in name",
                        ext.name, ext.entry_point.value)
        elif not callable(ext.plugin):
            LOG.warning("expression function %s (%s) is not callable", ext.name,
                        ext.entry_point.value)
        elif ext.name not in found:
            found[ext.name] = ext.plugin
    return found


def for_jinja(func: Callable) -> Callable:
    """The function as a Jinja global: the data context goes first if it asks."""
    if not takes_context(func):
        return func

    @functools.wraps(func)
    def with_data(*args: Any, **kwargs: Any) -> Any:
        return func(base.current_data(), *args, **kwargs)

    return with_data
