"""Running one action: find its class, make it, run it, and turn what happens into a
result. Nothing an action does (an import that fails, an ``__init__`` or ``run`` that
raises, even ``sys.exit()``) escapes as anything but an error result.

The class comes from the catalogue of installed providers, or, for a dynamic action,
from the code source that travelled with the message (see ``actions.code_sources``).
The action's ``run`` gets mistral-lib's ``ActionContext``; it may return plain data, a
mistral-lib ``Result`` (``error`` fails the task, ``cancel`` cancels it) or raise.
"""

import json
import logging
import time

from mistral_lib import actions as ml_actions, exceptions as ml_exc

from mistral_svc import metrics
from mistral_svc.actions import base, code_sources, context as action_context, registry

LOG = logging.getLogger(__name__)

# What user code may raise besides Exception without taking the executor down.
_CAUGHT = (Exception, SystemExit)


def _jsonable(value):
    """Results travel as JSON: anything else is sent as its string form."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return json.loads(json.dumps(value, default=str))


def _message(e):
    msg = e.args[0] if e.args else str(e)
    return _jsonable(msg)


def _descriptor(action_name, exec_ctx):
    """The catalogue entry to run; ActionError when there is none."""
    dynamic = (exec_ctx or {}).get("dynamic")
    if dynamic is not None:
        return code_sources.executor_descriptor(action_name, dynamic)
    desc = registry.get(action_name)
    if desc is None:
        raise base.ActionError("Action not found [action_name=%s]" % action_name)
    return desc


def _instance_is_sync(action, default):
    attr = getattr(action, "is_sync", default)
    try:
        return bool(attr() if callable(attr) else attr)
    except _CAUGHT as e:
        LOG.warning("is_sync() of %s failed (%s); taken as synchronous", action, e)
        return True


def _as_result(data):
    """Our wire ``Result`` for what ``run`` returned (a result of either kind or data)."""
    if isinstance(data, (base.Result, ml_actions.Result)):
        return base.Result(_jsonable(data.data), _jsonable(data.error), bool(data.cancel))
    return base.Result(data=_jsonable(data))


def run_action(action_name, params, exec_ctx=None):
    """Run one action synchronously; returns ``(base.Result, is_sync)``, never raises."""
    try:
        desc = _descriptor(action_name, exec_ctx)
    except base.ActionError as e:
        return base.Result(error=_message(e)), True
    started = time.perf_counter()
    try:
        return _run(desc, action_name, params or {}, exec_ctx)
    finally:
        # Only names of actions that exist become labels: their number is bounded.
        metrics.ACTION_SECONDS.labels(action=action_name).observe(
            time.perf_counter() - started)


def _run(desc, action_name, params, exec_ctx):
    is_sync = bool(desc.is_sync)
    try:
        desc.check_input(params)
    except base.ActionError as e:
        return base.Result(error=_message(e)), is_sync
    try:
        action = desc.instantiate(params, None)
    except base.ActionError as e:
        return base.Result(error=_message(e)), is_sync
    except _CAUGHT as e:
        LOG.info("action %s could not be created", action_name, exc_info=True)
        return base.Result(error="Failed to create action %s [class=%s]: %s: %s" % (
            action_name, desc.action_class_name, type(e).__name__, e)), is_sync
    is_sync = _instance_is_sync(action, is_sync)
    try:
        data = action.run(action_context.action_context(exec_ctx))
    except (base.ActionError, ml_exc.ActionException) as e:
        return base.Result(error=_message(e)), is_sync
    except _CAUGHT as e:
        return base.Result(
            error="%s failed: %s: %s" % (action_name, type(e).__name__, e)), is_sync
    try:
        result = _as_result(desc.post_process_result(data))
    except _CAUGHT as e:
        return base.Result(error="%s returned a result that cannot be sent: %s: %s"
                           % (action_name, type(e).__name__, e)), is_sync
    return result, is_sync
